"""Step 5: export a checkpoint to media/demo/model/ in the Optimum single-file-with-past layout.

    /usr/bin/python3 scripts/demo-model/export_onnx.py --ckpt /tmp/aura-demo/ckpt.pt --out media/demo/model \
        --golden /tmp/aura-demo/onnx_golden.json

Inputs: input_ids [batch_size, sequence_length], attention_mask [batch_size, past_sequence_length +
sequence_length], position_ids [batch_size, sequence_length], past_key_values.{i}.key/.value
[batch_size, n_head, past_sequence_length, head_dim] (empty on the first step). Outputs: logits,
present.{i}.key/.value. --golden writes torch logits for a few inputs (with past and left padding) that
verify_onnx.ts compares with onnxruntime-node."""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2 import GPT2LMHeadModel  # noqa: E402


def hf_config(cfg):
    eos = cfg["vocab_size"] - 1
    return {
        "architectures": ["GPT2LMHeadModel"],
        "model_type": "gpt2",
        "vocab_size": cfg["vocab_size"],
        "n_positions": cfg["n_positions"],
        "n_ctx": cfg["n_positions"],
        "n_embd": cfg["n_embd"],
        "n_layer": cfg["n_layer"],
        "n_head": cfg["n_head"],
        "n_inner": cfg["n_inner"],
        "activation_function": "gelu_new",
        "layer_norm_epsilon": cfg["layer_norm_epsilon"],
        "initializer_range": 0.02,
        "resid_pdrop": 0.0,
        "embd_pdrop": 0.0,
        "attn_pdrop": 0.0,
        "scale_attn_weights": True,
        "scale_attn_by_inverse_layer_idx": False,
        "reorder_and_upcast_attn": False,
        "tie_word_embeddings": True,
        "use_cache": True,
        "bos_token_id": eos,
        "eos_token_id": eos,
        "torch_dtype": "float32",
    }


def golden_cases(model, cfg):
    """Three cases that exercise what the engine does: prefill, one cached step, and left padding."""
    g = torch.Generator().manual_seed(7)
    v, h, hd = cfg["vocab_size"], cfg["n_head"], cfg["n_embd"] // cfg["n_head"]
    L = cfg["n_layer"]
    ids = torch.randint(0, v - 1, (2, 6), generator=g)
    cases = []
    with torch.no_grad():
        empty = [(torch.zeros(2, h, 0, hd), torch.zeros(2, h, 0, hd)) for _ in range(L)]
        mask = torch.ones(2, 6, dtype=torch.long)
        mask[1, :2] = 0  # row 1 is left-padded by two tokens
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        logits, presents = model(ids, mask, pos, empty)
        cases.append({"input_ids": ids.tolist(), "attention_mask": mask.tolist(), "position_ids": pos.tolist(), "past_length": 0, "logits": logits.tolist()})
        nxt = torch.randint(0, v - 1, (2, 1), generator=g)
        mask2 = torch.cat([mask, torch.ones(2, 1, dtype=torch.long)], dim=1)
        pos2 = pos[:, -1:] + 1
        logits2, _ = model(nxt, mask2, pos2, presents)
        cases.append({"input_ids": nxt.tolist(), "attention_mask": mask2.tolist(), "position_ids": pos2.tolist(), "past_from": 0, "logits": logits2.tolist()})
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="/tmp/aura-demo/ckpt.pt")
    ap.add_argument("--out", default="media/demo/model")
    ap.add_argument("--golden", default="/tmp/aura-demo/onnx_golden.json")
    args = ap.parse_args()
    torch.manual_seed(0)
    state = torch.load(args.ckpt)
    cfg = state["config"]
    model = GPT2LMHeadModel(cfg)
    model.load_state_dict(state["model"])
    model.eval()
    L, h, hd = cfg["n_layer"], cfg["n_head"], cfg["n_embd"] // cfg["n_head"]
    os.makedirs(args.out, exist_ok=True)
    # Traced with a non-empty past and a two-token step so that no length is baked in as a constant.
    b, p, t = 2, 3, 2
    ids = torch.randint(0, cfg["vocab_size"], (b, t))
    mask = torch.ones(b, p + t, dtype=torch.long)
    pos = torch.arange(p, p + t).unsqueeze(0).expand(b, t).contiguous()
    past = [torch.randn(b, h, p, hd) for _ in range(2 * L)]
    past_names = [f"past_key_values.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    present_names = [f"present.{i}.{kv}" for i in range(L) for kv in ("key", "value")]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
        **{n: {0: "batch_size", 2: "past_sequence_length"} for n in past_names},
        **{n: {0: "batch_size", 2: "past_sequence_length + sequence_length"} for n in present_names},
    }
    path = os.path.join(args.out, "model.onnx")
    # The model itself is the export root (no wrapper), so node and initializer names are the HF module
    # paths (`/transformer/h.0/mlp/c_fc/Gemm`, `transformer.h.0.mlp.c_fc.weight`); the nested past tuple
    # is flattened in order, like Optimum's past_key_values.
    past_nested = tuple((past[2 * i], past[2 * i + 1]) for i in range(L))
    torch.onnx.export(
        model, (ids, mask, pos, past_nested), path,
        input_names=["input_ids", "attention_mask", "position_ids", *past_names],
        output_names=["logits", *present_names],
        dynamic_axes=axes, opset_version=14, do_constant_folding=True,
    )
    dedupe_tied_embedding(path, model)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(hf_config(cfg), f, indent=2)
    eos = cfg["vocab_size"] - 1
    with open(os.path.join(args.out, "generation_config.json"), "w") as f:
        json.dump({"_from_model_config": True, "bos_token_id": eos, "eos_token_id": eos, "max_length": cfg["n_positions"]}, f, indent=2)
    with open(args.golden, "w") as f:
        json.dump({"cases": golden_cases(model, cfg), "config": cfg}, f)
    print(json.dumps({"onnx": path, "bytes": os.path.getsize(path)}))


def dedupe_tied_embedding(path, model):
    """Constant folding stores lm_head's transposed copy of the tied embedding as a second initializer
    (2.4 MB here); replace it with a Transpose of the embedding so the weights are stored once, as
    in the PyTorch model."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(path)
    wte = model.transformer.wte.weight.detach().numpy()
    emb_name = None
    for init in m.graph.initializer:
        if init.name == "transformer.wte.weight" or (tuple(init.dims) == wte.shape and np.array_equal(numpy_helper.to_array(init), wte)):
            emb_name = init.name
    for init in list(m.graph.initializer):
        if tuple(init.dims) == wte.shape[::-1] and np.array_equal(numpy_helper.to_array(init), wte.T):
            if emb_name is None:
                return
            m.graph.initializer.remove(init)
            m.graph.node.insert(0, helper.make_node("Transpose", [emb_name], [init.name], name="/lm_head/Transpose", perm=[1, 0]))
    onnx.checker.check_model(m)
    onnx.save(m, path)


if __name__ == "__main__":
    main()
