"""Builds a GPT-2-small-shaped ONNX model (12 layers, d=768, 12 heads, 3072 MLP, vocabulary 50257,
random weights) for the end-to-end benchmark, exported the way Optimum exports GPT-2 (with past inputs),
with the embedded demo model's tokenizer (ids below 3072, all valid for the 50257-row embedding).
The weights are random: the benchmark compares speed and every neuron's AUROC between pipelines on the
same weights, never quality. Not committed: it goes to a cache folder (default ~/.cache/aura-lens-bench).

  /usr/bin/python3 bench/make_gpt2_small.py OUT_DIR [--layers 12] [--d 768] [--heads 12] [--vocab 50257]
"""
import importlib.util
import json
import os
import shutil
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")


def fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(ROOT, "test", "fixtures", "make_fixtures.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    out = sys.argv[1]
    args = dict(zip(sys.argv[2::2], sys.argv[3::2]))
    layers, d, heads, vocab = (int(args.get(k, v)) for k, v in (("--layers", 12), ("--d", 768), ("--heads", 12), ("--vocab", 50257)))
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    mf = fixture_module()
    demo = os.path.join(ROOT, "media", "demo", "model")
    mcfg = {"n_layer": layers, "n_embd": d, "n_head": heads, "n_inner": 4 * d, "n_positions": 1024, "vocab_size": vocab,
            "layer_norm_epsilon": 1e-5}
    model = mf.init_gpt2(mf.GPT2LMHeadModel(mcfg), seed=7).eval()
    m = mf.export_optimum(model, layers, heads, d // heads, vocab, with_past=True, opset=14)
    os.makedirs(out, exist_ok=True)
    tmp = os.path.join(out, "model.onnx.tmp")
    import onnx
    onnx.save_model(m, tmp)
    os.replace(tmp, os.path.join(out, "model.onnx"))
    # The same weights as a PyTorch state dict, as a PyTorch user loads them (and as ml-aura's
    # from_pretrained does): the baselines read this rather than converting the ONNX file.
    torch.save(model.state_dict(), os.path.join(out, "weights.pt"))
    cfg = json.load(open(os.path.join(demo, "config.json")))
    cfg.update({"vocab_size": vocab, "n_positions": 1024, "n_ctx": 1024, "n_embd": d, "n_layer": layers, "n_head": heads, "n_inner": 4 * d})
    json.dump(cfg, open(os.path.join(out, "config.json"), "w"), indent=2)
    for f in ("tokenizer.json", "tokenizer_config.json", "generation_config.json"):
        shutil.copy(os.path.join(demo, f), os.path.join(out, f))
    print(json.dumps({"dir": out, "layers": layers, "d": d, "vocab": vocab,
                      "bytes": os.path.getsize(os.path.join(out, "model.onnx"))}))


main()
