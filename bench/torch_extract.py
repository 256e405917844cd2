"""PyTorch baseline for bench/extraction.ts: the same GPT-2 weights, read from the ONNX file, run with
forward hooks on every MLP site and max pooling over real tokens, as apple/ml-aura extracts responses.
Run with Debian's Python (python3-torch, python3-onnx). Prints one JSON line: seconds and pooled values."""
import importlib.util
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(HERE, "..", "test", "fixtures", "make_fixtures.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def onnx_state(path):
    """HF parameter name -> array, following the exporter's Identity-deduplicated initializers."""
    m = onnx.load(path)
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Identity" and n.input[0] in inits:
            inits[n.output[0]] = inits[n.input[0]]
    return inits


def main():
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    model_dir, batches_file, threads = args["--model"], args["--batches"], int(args.get("--threads", "1"))
    torch.set_num_threads(threads)
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    mf = fixture_module()
    mcfg = {k: cfg[k] for k in ("n_layer", "n_embd", "n_head", "n_positions", "vocab_size", "layer_norm_epsilon")}
    mcfg["n_inner"] = cfg.get("n_inner") or 4 * cfg["n_embd"]
    model = mf.GPT2LMHeadModel(mcfg).eval()
    state = onnx_state(os.path.join(model_dir, "model.onnx"))
    own = model.state_dict()
    loaded = {k: torch.from_numpy(state[k].copy()) for k in own if k in state}
    missing = [k for k in own if k not in loaded and k != "lm_head.weight" and not k.endswith(".attn.bias") and not k.endswith("masked_bias")]
    if missing:
        raise SystemExit(f"weights not found in the ONNX file: {missing[:5]}")
    model.load_state_dict(loaded, strict=False)

    batches = json.load(open(batches_file))
    pooled = {}
    current = {}

    def hook(name):
        def fn(module, inputs, output):
            mask = current["mask"].unsqueeze(-1).bool()
            masked = output.masked_fill(~mask, float("-inf"))
            pooled.setdefault(name, []).append(masked.max(dim=1).values)
        return fn

    for name, module in model.named_modules():
        if name.endswith("mlp.c_fc") or name.endswith("mlp.c_proj"):
            module.register_forward_hook(hook(name))
    n = mcfg["n_layer"]
    start = time.perf_counter()
    with torch.no_grad():
        for b in batches:
            ids = torch.tensor(b["ids"], dtype=torch.long)
            mask = torch.tensor(b["mask"], dtype=torch.long)
            pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
            current["mask"] = mask
            empty = [torch.zeros(ids.shape[0], mcfg["n_head"], 0, mcfg["n_embd"] // mcfg["n_head"]) for _ in range(2 * n)]
            model(ids, mask, pos, *empty)
    seconds = time.perf_counter() - start
    first = {k: torch.cat(v)[:4].tolist() for k, v in pooled.items()}
    print(json.dumps({"seconds": seconds, "first": first}))


main()
