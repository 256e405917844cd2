"""The Python side of the aura-lens benchmarks (bench/*.ts run it with Debian's /usr/bin/python3: torch,
onnx, numpy, scipy, scikit-learn). Each subcommand prints one JSON line; arrays are written as raw
little-endian files for the TypeScript side to compare with aura-lens value by value.

  blas      torch matmul GFLOP/s at the forward pass's shape, and which BLAS library torch loaded
  auroc     apple/ml-aura's compute_auroc (roc_auc_score on chunks of 10 neurons over a
            multiprocessing.Pool, as src/utils/auroc.py and scripts/learn_aura.py call it) and a
            vectorised rank-based AUROC over the whole matrix (NumPy argsort, average ranks for ties)
  extract   pooled responses with PyTorch forward hooks in one warm process, with the LM head or with
            the model cut after the last hooked block
  e2e       a whole profile from token ids: responses then AUROC, as ml-aura runs it ("mlaura") or as a
            PyTorch user tuning it would ("tuned")
"""
import importlib.util
import json
import multiprocessing
import os
import re
import sys
import time
from itertools import repeat

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def args_dict():
    a = sys.argv[2:]
    return dict(zip(a[0::2], a[1::2]))


# ----------------------------------------------------------------------------- AUROC (ml-aura verbatim call pattern)


def _compute_auroc_chunk(responses, labels):
    from sklearn.metrics import roc_auc_score
    # apple/ml-aura src/utils/auroc.py: labels repeated per column, average=None.
    return roc_auc_score(labels[:, None].repeat(responses.shape[1], 1), responses, average=None)


def compute_auroc_mlaura(responses, labels, pool, chunk_size=10):
    responses_map = [responses[:, start:(start + chunk_size)] for start in np.arange(0, responses.shape[1], chunk_size)]
    ret = pool.starmap(_compute_auroc_chunk, zip(responses_map, repeat(labels)))
    return np.concatenate(ret, 0)


def _rank_auroc_block(x, labels):
    """Mann-Whitney U over every column at once: the matrix transposed so each neuron's responses are
    contiguous, one argsort along that axis, average ranks for ties found with running max/min over the
    sorted rows, no Python loop over neurons. (scipy.stats.rankdata with axis= loops over columns in
    SciPy 1.10, and sorting along axis 0 of the untransposed matrix was twice as slow.)"""
    xt = np.ascontiguousarray(x.T)
    n = xt.shape[1]
    y = labels.astype(np.float64)
    p = float(y.sum())
    q = n - p
    idx = np.argsort(xt, axis=1)
    s = np.take_along_axis(xt, idx, 1)
    ar = np.arange(n, dtype=np.int32)[None, :]
    first = np.ones(s.shape, dtype=bool)
    first[:, 1:] = s[:, 1:] != s[:, :-1]
    last = np.ones(s.shape, dtype=bool)
    last[:, :-1] = first[:, 1:]
    start = np.maximum.accumulate(np.where(first, ar, 0), axis=1)
    end = np.minimum.accumulate(np.where(last, ar, n - 1)[:, ::-1], axis=1)[:, ::-1]
    rank_sum = (((start + end) * 0.5 + 1.0) * y[idx]).sum(1)
    return (rank_sum - p * (p + 1) / 2) / (p * q)


def rank_auroc(x, labels, threads, tpool=None):
    """Vectorised over the whole matrix; with threads > 1 the columns are split over a thread pool
    (numpy's sort releases the GIL)."""
    if threads <= 1 or tpool is None:
        return _rank_auroc_block(x, labels)
    blocks = np.array_split(np.arange(x.shape[1]), threads)
    parts = tpool.starmap(_rank_auroc_block, [(x[:, b], labels) for b in blocks])
    return np.concatenate(parts)


def cmd_auroc():
    from multiprocessing.pool import ThreadPool
    a = args_dict()
    d, P, Q, N, T, R = a["--dir"], int(a["--pos"]), int(a["--neg"]), int(a["--neurons"]), int(a["--threads"]), int(a["--reps"])
    pos = np.fromfile(os.path.join(d, "pos.f32"), dtype="<f4").reshape(P, N)
    neg = np.fromfile(os.path.join(d, "neg.f32"), dtype="<f4").reshape(Q, N)
    x = np.concatenate([pos, neg], 0)
    y = np.r_[np.ones(P), np.zeros(Q)].astype(np.int64)
    out = {}
    with multiprocessing.Pool(T) as pool:
        compute_auroc_mlaura(x[:, :20], y, pool)  # warm: workers started and sklearn imported in each
        best, res = float("inf"), None
        for _ in range(R):
            t = time.perf_counter()
            res = compute_auroc_mlaura(x, y, pool)
            best = min(best, time.perf_counter() - t)
        out["mlaura_s"] = best
        res.astype("<f8").tofile(os.path.join(d, "mlaura.f64"))
    for th in sorted({1, T}):
        with ThreadPool(th) as tpool:
            rank_auroc(x[:, :20], y, th, tpool)
            best, res = float("inf"), None
            for _ in range(R):
                t = time.perf_counter()
                res = rank_auroc(x, y, th, tpool)
                best = min(best, time.perf_counter() - t)
            out[f"rank_{th}_s"] = best
            res.astype("<f8").tofile(os.path.join(d, f"rank_{th}.f64"))
    print(json.dumps(out))


# ----------------------------------------------------------------------------- BLAS


def loaded_blas():
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.strip().split()[-1] if "/" in line else ""
            if re.search(r"blas|mkl|lapack", os.path.basename(path), re.I):
                libs.add(os.path.realpath(path))
    return sorted(libs)


def cmd_blas():
    import torch
    a = args_dict()
    T, M, K, N, R = (int(a.get(k, v)) for k, v in (("--threads", 1), ("--m", 2048), ("--k", 768), ("--n", 3072), ("--reps", 10)))
    torch.set_num_threads(T)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(M, K, generator=g)
    w = torch.randn(K, N, generator=g)
    torch.matmul(x, w)
    best = float("inf")
    for _ in range(R):
        t = time.perf_counter()
        torch.matmul(x, w)
        best = min(best, time.perf_counter() - t)
    if "--write-onnx" in a:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
        wt = numpy_helper.from_array(w.numpy(), "W")
        graph = helper.make_graph([helper.make_node("MatMul", ["X", "W"], ["Y"])], "matmul",
                                  [helper.make_tensor_value_info("X", TensorProto.FLOAT, [M, K])],
                                  [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [M, N])], [wt])
        onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]), a["--write-onnx"])
        x.numpy().astype("<f4").tofile(a["--write-onnx"] + ".x.f32")
    print(json.dumps({"torch": torch.__version__, "blas": loaded_blas(), "threads": T, "shape": [M, K, N],
                      "seconds": best, "gflops": 2 * M * K * N / best / 1e9,
                      "blasInfo": re.findall(r"BLAS_INFO=(\w+)", torch.__config__.show())}))


# ----------------------------------------------------------------------------- the model


def fixture_module():
    spec = importlib.util.spec_from_file_location("make_fixtures", os.path.join(HERE, "..", "test", "fixtures", "make_fixtures.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_model(model_dir):
    """The GPT-2 in model.onnx as a PyTorch module (the fixtures' HF-equivalent GPT-2), same weights:
    from weights.pt where the benchmark model has one, else read out of the ONNX initializers."""
    import torch
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    mf = fixture_module()
    mcfg = {k: cfg[k] for k in ("n_layer", "n_embd", "n_head", "n_positions", "vocab_size", "layer_norm_epsilon")}
    mcfg["n_inner"] = cfg.get("n_inner") or 4 * cfg["n_embd"]
    model = mf.GPT2LMHeadModel(mcfg).eval()
    saved = os.path.join(model_dir, "weights.pt")
    if os.path.exists(saved):  # written by make_gpt2_small.py from the module the ONNX file was exported from
        model.load_state_dict(torch.load(saved))
        return model, mcfg
    import onnx
    from onnx import numpy_helper
    m = onnx.load(os.path.join(model_dir, "model.onnx"))
    inits = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    for n in m.graph.node:  # the exporter deduplicates equal initializers through Identity nodes
        if n.op_type == "Identity" and n.input[0] in inits:
            inits[n.output[0]] = inits[n.input[0]]
    del m
    own = model.state_dict()
    loaded = {k: torch.from_numpy(inits[k].copy()) for k in own if k in inits}
    missing = [k for k in own if k not in loaded and k != "lm_head.weight" and not k.endswith(".attn.bias") and not k.endswith("masked_bias")]
    if missing:
        raise SystemExit(f"weights not found in the ONNX file: {missing[:5]}")
    model.load_state_dict(loaded, strict=False)
    del inits, loaded
    return model, mcfg


def site_names(mcfg):
    return [f"transformer.h.{i}.mlp.{m}" for i in range(mcfg["n_layer"]) for m in ("c_fc", "c_proj")]


class Hooks:
    """Max pooling over real tokens in forward hooks, as ml-aura's TorchPoolingOP('max') with the
    attention mask: padded positions set to NaN, then nan_to_num(finfo.min).max over the sequence."""

    def __init__(self, model, names):
        import torch
        self.mask = None
        self.pooled = {n: [] for n in names}
        mods = dict(model.named_modules())
        self.handles = []
        for n in names:
            def fn(module, inputs, output, n=n):
                t = output.clone()
                t[~self.mask] = torch.nan
                self.pooled[n].append(t.nan_to_num(torch.finfo(t.dtype).min).max(dim=1).values)
            self.handles.append(mods[n].register_forward_hook(fn))

    def reset(self):
        for v in self.pooled.values():
            v.clear()


def run_batch(model, mcfg, hooks, ids, mask, cut):
    """One forward pass. cut: only the transformer blocks up to the last hooked one (no ln_f, no LM
    head): the model cut after the last site, as a tuned user would run it."""
    import torch
    ids = torch.as_tensor(ids, dtype=torch.long)
    mask = torch.as_tensor(mask, dtype=torch.long)
    pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    hooks.mask = mask.bool()
    if not cut:
        n = mcfg["n_layer"]
        empty = [torch.zeros(ids.shape[0], mcfg["n_head"], 0, mcfg["n_embd"] // mcfg["n_head"]) for _ in range(2 * n)]
        model(ids, mask, pos, *empty)
        return
    tr = model.transformer
    am = (1.0 - mask[:, None, None, :].to(torch.float32)) * torch.finfo(torch.float32).min
    h = tr.wte(ids) + tr.wpe(pos)
    for block in tr.h:
        h, _ = block(h, layer_past=None, attention_mask=am)


def left_pad(seqs, pad, multiple=1):
    w = max(len(s) for s in seqs)
    w = -(-w // multiple) * multiple
    return [[pad] * (w - len(s)) + s for s in seqs], [[0] * (w - len(s)) + [1] * len(s) for s in seqs]


def cmd_extract():
    import torch
    a = args_dict()
    T, R, cut = int(a["--threads"]), int(a["--reps"]), a["--mode"] == "cut"
    torch.set_num_threads(T)
    model, mcfg = load_model(a["--model"])
    if a.get("--dtype") == "float64":  # a float64 reference: how far each float32 engine is from exact
        model = model.double()
    batches = json.load(open(a["--batches"]))
    names = site_names(mcfg)
    hooks = Hooks(model, names)
    best = float("inf")
    with torch.inference_mode():
        for b in batches[:2]:  # warm
            run_batch(model, mcfg, hooks, b["ids"], b["mask"], cut)
        for _ in range(R):
            hooks.reset()
            t = time.perf_counter()
            for b in batches:
                run_batch(model, mcfg, hooks, b["ids"], b["mask"], cut)
            best = min(best, time.perf_counter() - t)
    out = a["--out"]
    os.makedirs(out, exist_ok=True)
    for n in names:
        torch.cat(hooks.pooled[n]).numpy().astype("<f4").tofile(os.path.join(out, n + ".f32"))
    print(json.dumps({"seconds": best, "threads": T, "mode": a["--mode"], "sites": names}))


# ----------------------------------------------------------------------------- end to end


def cmd_e2e():
    """Token ids in data order and labels in; per-site AUROC (max pooling) out, with the time of each stage.
    mlaura: batches in data order, padded to the batch's longest (pad_to_multiple_of=2, as ml-aura's
      collator), the whole model with its LM head, responses to disk then read back per module, AUROC by
      compute_auroc (chunks of 10) on a Pool (ml-aura's has every core: here --threads workers).
    tuned: batches sorted by length, the model cut after the last site, responses kept in memory,
      vectorised rank AUROC split over threads.
    Both run at --threads (torch's intra-op threads, and the AUROC pool's workers): the caller runs each
    pipeline whole at every thread count it compares, rather than this side picking one by a probe."""
    import torch
    from multiprocessing.pool import ThreadPool
    a = args_dict()
    style, out = a["--style"], a["--out"]
    cpus = int(a.get("--threads", a.get("--cpus", os.cpu_count())))
    bs = int(a.get("--batch-size", 16))
    os.makedirs(out, exist_ok=True)
    t0 = time.perf_counter()
    stages = {}
    data = json.load(open(a["--data"]))
    ids, labels, pad = data["ids"], np.asarray(data["labels"], dtype=np.int64), data["pad"]
    model, mcfg = load_model(a["--model"])
    names = site_names(mcfg)
    hooks = Hooks(model, names)
    stages["load_s"] = time.perf_counter() - t0
    order = list(range(len(ids)))
    if style == "tuned":
        order.sort(key=lambda i: (len(ids[i]), i))
    batches = [order[i:i + bs] for i in range(0, len(order), bs)]
    cut = style == "tuned"
    threads = cpus
    multiple = 1 if cut else 2
    stages["tokens"] = sum(len(x) for x in ids)
    stages["padded_tokens"] = sum(len(b) * (-(-max(len(ids[i]) for i in b) // multiple) * multiple) for b in batches)
    with torch.inference_mode():
        torch.set_num_threads(threads)
        t = time.perf_counter()
        for b in batches:
            run_batch(model, mcfg, hooks, *left_pad([ids[i] for i in b], pad, multiple), cut)
        stages["forward_s"] = time.perf_counter() - t
    flat = [i for b in batches for i in b]
    inv = np.empty(len(flat), dtype=np.int64)
    inv[np.asarray(flat)] = np.arange(len(flat))
    t = time.perf_counter()
    responses = {}
    for n in names:
        m = torch.cat(hooks.pooled[n]).numpy()[inv]  # back to data order
        if style == "mlaura":
            np.save(os.path.join(out, n + ".responses.npy"), m)
        else:
            responses[n] = m
    hooks.reset()
    del model, hooks  # ml-aura computes AUROC in a separate script: no model in memory (or in forked workers)
    import gc
    gc.collect()
    stages["writing_s"] = time.perf_counter() - t
    t = time.perf_counter()
    if style == "mlaura":
        with multiprocessing.Pool(cpus) as pool:
            for n in names:
                r = np.load(os.path.join(out, n + ".responses.npy"))
                compute_auroc_mlaura(r, labels, pool).astype("<f8").tofile(os.path.join(out, n + ".auroc.f64"))
    else:
        with ThreadPool(cpus) as tpool:
            for n in names:
                rank_auroc(responses[n], labels, cpus, tpool).astype("<f8").tofile(os.path.join(out, n + ".auroc.f64"))
    stages["auroc_s"] = time.perf_counter() - t
    # For the benchmark's agreement check, not part of either pipeline: each class's pooled responses
    # ([rows, neurons] float32), written after the pipeline is done and timed apart as check_s, which
    # the caller takes off the pipeline's time. ml-aura's own responses file is removed here instead of
    # right after its AUROC: a few milliseconds later, no more memory.
    t = time.perf_counter()
    pos, neg = labels == 1, labels == 0
    for n in names:
        path = os.path.join(out, n + ".responses.npy")
        r = np.load(path) if style == "mlaura" else responses[n]
        np.ascontiguousarray(r[pos], dtype="<f4").tofile(os.path.join(out, n + ".pos.f32"))
        np.ascontiguousarray(r[neg], dtype="<f4").tofile(os.path.join(out, n + ".neg.f32"))
        if style == "mlaura":
            os.remove(path)
    stages["check_s"] = time.perf_counter() - t
    import resource
    print(json.dumps({"style": style, "threads": threads, "sites": names, "seconds": time.perf_counter() - t0, **stages,
                      "maxrss_self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                      "maxrss_children_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))


if __name__ == "__main__":
    {"auroc": cmd_auroc, "blas": cmd_blas, "extract": cmd_extract, "e2e": cmd_e2e}[sys.argv[1]]()
