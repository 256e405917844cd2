"""GPT-2 in plain torch with Hugging Face's module names and maths, so that the ONNX export names its
nodes like an Optimum export of a real GPT-2 (`/transformer/h.0/mlp/c_fc/...`) and so that PyTorch hooks
written for HF GPT-2 (`transformer.h.N.mlp.c_fc`) work on this model unchanged."""
import math

import torch
import torch.nn as nn


class Conv1D(nn.Module):
    """HF GPT-2's Conv1D: a linear layer with the weight stored transposed ([nx, nf])."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf).normal_(std=0.02))
        self.bias = nn.Parameter(torch.zeros(nf))

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class NewGELUActivation(nn.Module):
    """gelu_new, the tanh approximation GPT-2 was trained with."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["n_embd"]
        self.n_head = cfg["n_head"]
        self.head_dim = d // self.n_head
        n_pos = cfg["n_positions"]
        self.register_buffer("bias", torch.tril(torch.ones(n_pos, n_pos, dtype=torch.bool)).view(1, 1, n_pos, n_pos), persistent=False)
        self.c_attn = Conv1D(3 * d, d)
        self.c_proj = Conv1D(d, d)

    def _split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.n_head, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, past_key=None, past_value=None, attention_mask=None):
        q, k, v = self.c_attn(x).split(x.size(-1), dim=2)
        q, k, v = self._split(q), self._split(k), self._split(v)
        if past_key is not None:
            k = torch.cat((past_key, k), dim=-2)
            v = torch.cat((past_value, v), dim=-2)
        present = (k, v)
        w = torch.matmul(q, k.transpose(-1, -2)) / (float(v.size(-1)) ** 0.5)
        q_len, k_len = q.size(-2), k.size(-2)
        causal = self.bias[:, :, k_len - q_len : k_len, :k_len]
        w = torch.where(causal, w, torch.tensor(torch.finfo(w.dtype).min, dtype=w.dtype))
        if attention_mask is not None:
            w = w + attention_mask
        w = torch.softmax(w, dim=-1)
        a = torch.matmul(w, v)
        b, h, t, hd = a.shape
        a = a.permute(0, 2, 1, 3).contiguous().view(b, t, h * hd)
        return self.c_proj(a), present


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = Conv1D(cfg["n_inner"], cfg["n_embd"])
        self.act = NewGELUActivation()
        self.c_proj = Conv1D(cfg["n_embd"], cfg["n_inner"])

    def forward(self, x):
        return self.c_proj(self.act(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        eps = cfg["layer_norm_epsilon"]
        self.ln_1 = nn.LayerNorm(cfg["n_embd"], eps=eps)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg["n_embd"], eps=eps)
        self.mlp = MLP(cfg)

    def forward(self, x, past_key=None, past_value=None, attention_mask=None):
        a, present = self.attn(self.ln_1(x), past_key, past_value, attention_mask)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, present


class Transformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg["vocab_size"], cfg["n_embd"])
        self.wpe = nn.Embedding(cfg["n_positions"], cfg["n_embd"])
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg["n_layer"])])
        self.ln_f = nn.LayerNorm(cfg["n_embd"], eps=cfg["layer_norm_epsilon"])

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """input_ids [B, T]; attention_mask [B, P+T] (1 = real token); position_ids [B, T];
        past: (key, value) [B, H, P, D] per layer. Returns hidden states [B, T, d] and presents.
        A real forward (not inlined in the LM head) so that the ONNX exporter records the
        `transformer` scope and names nodes `/transformer/h.0/...` as Optimum exports do."""
        b, t = input_ids.shape
        p = 0 if past is None else past[0][0].size(-2)
        if position_ids is None:
            position_ids = torch.arange(p, p + t, dtype=torch.long).unsqueeze(0).expand(b, t)
        x = self.wte(input_ids) + self.wpe(position_ids)
        ext = None
        if attention_mask is not None:
            # HF GPT-2: padding positions get the dtype's minimum added to their attention scores.
            ext = attention_mask[:, None, None, :].to(x.dtype)
            ext = (1.0 - ext) * torch.finfo(x.dtype).min
        presents = []
        for i, block in enumerate(self.h):
            pk, pv = (None, None) if past is None else past[i]
            x, present = block(x, pk, pv, ext)
            presents.append(present)
        return self.ln_f(x), presents


class GPT2LMHeadModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.transformer = Transformer(cfg)
        self.lm_head = nn.Linear(cfg["n_embd"], cfg["vocab_size"], bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied, as in GPT-2
        self._init_weights()

    def _init_weights(self):
        for name, p in self.named_parameters():
            if name.endswith("wte.weight") or name.endswith("wpe.weight"):
                nn.init.normal_(p, std=0.02)
            # GPT-2's scaled init of the residual projections keeps deep residual sums at unit scale.
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * self.cfg["n_layer"]))

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """Returns logits [B, T, V] and the presents (see Transformer.forward)."""
        x, presents = self.transformer(input_ids, attention_mask, position_ids, past)
        return self.lm_head(x), presents
