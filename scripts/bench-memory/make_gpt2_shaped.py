"""Builds a GPT-2-shaped ONNX model folder with random weights, for the memory benchmark (never committed).

Usage: /usr/bin/python3 scripts/bench-memory/make_gpt2_shaped.py OUT_DIR [--layers 12] [--d 768] [--vocab 50257]
           [--layout inline|single|per-tensor]
  inline:     weights inside model.onnx (how exports under 2 GB arrive)
  single:     one model.onnx_data next to model.onnx (Optimum's layout)
  per-tensor: one file per initializer (what torch.onnx.export writes past 2 GB)
Uses the fixture script's plain-torch GPT-2 and its byte-level BPE tokenizer (a smaller vocabulary than the
model's, which the engine accepts)."""
import argparse
import importlib.util
import os
import shutil
import sys

import onnx
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def fixtures():
    spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(HERE, "..", "..", "test", "fixtures", "make_fixtures.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--layers", type=int, default=12)
    ap.add_argument("--d", type=int, default=768)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--positions", type=int, default=1024)
    ap.add_argument("--layout", choices=["inline", "single", "per-tensor"], default="inline")
    a = ap.parse_args()
    mf = fixtures()
    torch.manual_seed(0)
    heads = a.d // 64
    mcfg = {"n_layer": a.layers, "n_embd": a.d, "n_head": heads, "n_inner": 4 * a.d, "n_positions": a.positions,
            "vocab_size": a.vocab, "layer_norm_epsilon": 1e-5}
    tok = mf.GPT2Tok(mf.GPT2_VOCAB)
    model = mf.GPT2LMHeadModel(mcfg)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02)
    model.eval()
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    path = os.path.join(a.out, "model.onnx")
    ids = torch.randint(0, a.vocab, (3, 5))
    mask = torch.ones(3, 12, dtype=torch.int64)
    pos = (mask.cumsum(-1) - 1)[:, -5:]
    past = [torch.randn(3, heads, 7, 64) for _ in range(2 * a.layers)]
    names = ["input_ids", "attention_mask", "position_ids"] + mf.kv_names(a.layers, "past_key_values")
    outs = ["logits"] + mf.kv_names(a.layers, "present")
    big = a.layout != "inline"
    with torch.no_grad():
        # Exported to a path: past 2 GB torch writes one file per tensor next to the graph itself.
        torch.onnx.export(model, tuple([ids, mask, pos] + past), path, input_names=names, output_names=outs,
                          dynamic_axes=mf.opt_dyn_axes(a.layers, True), opset_version=14, do_constant_folding=True)
    if a.layout == "single" or (a.layout == "inline" and any(f != "model.onnx" for f in os.listdir(a.out))):
        m = onnx.load(path)
        for f in os.listdir(a.out):
            if f != "model.onnx":
                os.remove(os.path.join(a.out, f))
        if a.layout == "single":
            onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location="model.onnx_data", size_threshold=1024)
        else:
            onnx.save_model(m, path)
    elif a.layout == "per-tensor" and os.listdir(a.out) == ["model.onnx"]:
        m = onnx.load(path)
        onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=False, size_threshold=1024)
    cfg = mf.gpt2_cfg(mf.GPT2_VOCAB, tok.eos_id)
    cfg.update({"n_layer": a.layers, "n_embd": a.d, "n_head": heads, "n_inner": 4 * a.d, "n_positions": a.positions, "n_ctx": a.positions,
                "vocab_size": a.vocab})
    mf.write_hf_files(a.out, cfg, tok, {"bos_token_id": tok.eos_id, "eos_token_id": tok.eos_id})
    total = sum(os.path.getsize(os.path.join(a.out, f)) for f in os.listdir(a.out))
    print(f"{a.out}: {a.layout}, {len(os.listdir(a.out))} files, {total / 1e9:.2f} GB", file=sys.stderr)


if __name__ == "__main__":
    main()
