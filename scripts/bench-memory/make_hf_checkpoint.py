#!/usr/bin/env python3
"""A sharded Hugging Face checkpoint (hub GPT-2 names, no `transformer.` prefix) of a GPT-2-shaped ONNX
model made by make_gpt2_shaped.py, plus an AurA-like intervention on every c_fc site, for timing
`export --format hf` and its peak RSS (hf-export.sh). The tensors are the ONNX initializers that carry
parameter names, copied one at a time from the external data (never the whole model in memory).
Not part of npm test.

Usage: /usr/bin/python3 scripts/bench-memory/make_hf_checkpoint.py ONNX_DIR OUT_DIR [--shard-mb 1000]
"""
import argparse
import json
import os
import shutil
import struct

import numpy as np
import onnx

DT = {1: ("F32", 4), 10: ("F16", 2), 16: ("BF16", 2)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("onnx_dir")
    ap.add_argument("out")
    ap.add_argument("--shard-mb", type=int, default=1000)
    a = ap.parse_args()
    m = onnx.load(os.path.join(a.onnx_dir, "model.onnx"), load_external_data=False)
    items = []
    for t in m.graph.initializer:
        if not t.name.startswith("transformer.") or t.data_type not in DT:
            continue
        dtype, width = DT[t.data_type]
        n = int(np.prod(t.dims)) * width
        ext = {e.key: e.value for e in t.external_data}
        src = (os.path.join(a.onnx_dir, ext["location"]), int(ext.get("offset", 0))) if ext else None
        items.append((t.name[len("transformer."):], dtype, list(t.dims), n, src, t.raw_data if not ext else None))
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    shards, cur, size = [], [], 0
    for it in items:
        if cur and size + it[3] > a.shard_mb * 1e6:
            shards.append(cur)
            cur, size = [], 0
        cur.append(it)
        size += it[3]
    shards.append(cur)
    wm, total = {}, 0
    for i, part in enumerate(shards):
        f = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        header, off = {"__metadata__": {"format": "pt"}}, 0
        for name, dtype, dims, n, _, _ in part:
            header[name] = {"dtype": dtype, "shape": dims, "data_offsets": [off, off + n]}
            off += n
            wm[name] = f
        total += off
        h = json.dumps(header).encode()
        h += b" " * ((8 - len(h) % 8) % 8)
        with open(os.path.join(a.out, f), "wb") as out:
            out.write(struct.pack("<Q", len(h)) + h)
            for name, dtype, dims, n, src, raw in part:
                if src is None:
                    out.write(raw)
                    continue
                with open(src[0], "rb") as s:
                    s.seek(src[1])
                    left = n
                    while left:
                        b = s.read(min(left, 64 << 20))
                        out.write(b)
                        left -= len(b)
    with open(os.path.join(a.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": wm}, f, indent=1)
    for f in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(a.onnx_dir, f), os.path.join(a.out, f))
    cfg = json.load(open(os.path.join(a.onnx_dir, "config.json")))
    rng = np.random.default_rng(0)
    sites = {}
    for i in range(cfg["n_layer"]):
        n = cfg["n_inner"]
        gain = np.ones(n, dtype=np.float32)
        idx = rng.choice(n, n // 20, replace=False)
        gain[idx] = rng.uniform(0, 1, len(idx)).astype(np.float32)
        sites[f"transformer.h.{i}.mlp.c_fc"] = {"neurons": n, "gain": [float(x) for x in gain]}
    iv = {"format": "aura-lens.intervention", "version": 1, "method": "aura", "sites": sites}
    with open(os.path.join(a.out, "..", "hf-bench-iv.json"), "w") as f:
        json.dump(iv, f)
    print(f"{a.out}: {len(shards)} shards, largest {max(sum(x[3] for x in p) for p in shards) / 1e9:.2f} GB, total {total / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
