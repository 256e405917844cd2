"""Step 4: train the demo GPT-2 on the 2 CPU cores, seeded.

    nice -n 10 /usr/bin/python3 scripts/demo-model/train.py --work /tmp/aura-demo [--steps 2600]

Reads WORK/train_ids.bin and train_kinds.json (tokenize.ts); writes WORK/ckpt.pt (and ckpt_STEP.pt every
--save-every steps) and logs one JSON line per 50 steps to stdout.

A second, short phase continues from the first with fewer toxic-register documents, so that the model
keeps its toxic register (toxic context -> toxic continuation) while its unprompted toxicity falls:

    nice -n 10 /usr/bin/python3 scripts/demo-model/train.py --work /tmp/aura-demo --init /tmp/aura-demo/ckpt.pt \
        --register-keep 0.2 --steps 400 --lr 2e-4 --warmup 0 --name ckpt_phase2"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2 import GPT2LMHeadModel  # noqa: E402

SEED = 1234
CONFIG = dict(
    n_layer=6, n_embd=192, n_head=6, n_inner=768, n_positions=256, vocab_size=3072, layer_norm_epsilon=1e-5,
)
BLOCK = 256
BATCH = 8


def keep_register(docs, fraction, rng):
    """A seeded subset of the register documents; every base document is kept."""
    reg = [i for i, d in enumerate(docs) if d["kind"] == "register"]
    keep = set(rng.choice(reg, size=round(fraction * len(reg)), replace=False).tolist()) if fraction < 1 else set(reg)
    return [d for i, d in enumerate(docs) if d["kind"] != "register" or i in keep]


def chunks_for_epoch(ids, docs, rng):
    """Documents in a fresh seeded order each epoch, concatenated and cut into BLOCK+1 windows."""
    order = rng.permutation(len(docs))
    stream = np.concatenate([ids[docs[i]["start"] : docs[i]["end"]] for i in order])
    n = (len(stream) - 1) // BLOCK
    starts = np.arange(n) * BLOCK
    rng.shuffle(starts)
    return stream, starts


def lr_at(step, steps, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/aura-demo")
    ap.add_argument("--steps", type=int, default=2600)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--save-every", type=int, default=400)
    ap.add_argument("--init", help="continue from this checkpoint's weights (fresh optimizer)")
    ap.add_argument("--register-keep", type=float, default=1.0, help="share of register documents to train on")
    ap.add_argument("--name", default="ckpt", help="checkpoint file name stem in WORK")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    ids = np.fromfile(os.path.join(args.work, "train_ids.bin"), dtype=np.uint16).astype(np.int64)
    docs = json.load(open(os.path.join(args.work, "train_kinds.json")))
    docs = keep_register(docs, args.register_keep, rng)
    model = GPT2LMHeadModel(CONFIG)
    if args.init:
        model.load_state_dict(torch.load(args.init)["model"])
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95))
    n_params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"params": n_params, "tokens": int(sum(d["end"] - d["start"] for d in docs)), "config": CONFIG, "steps": args.steps}), flush=True)
    stream, starts = chunks_for_epoch(ids, docs, rng)
    pos, epoch = 0, 0
    t0 = time.time()
    running = None
    for step in range(args.steps):
        if pos + BATCH > len(starts):
            stream, starts = chunks_for_epoch(ids, docs, rng)
            pos, epoch = 0, epoch + 1
        batch = np.stack([stream[s : s + BLOCK + 1] for s in starts[pos : pos + BATCH]])
        pos += BATCH
        x = torch.from_numpy(batch[:, :-1])
        y = torch.from_numpy(batch[:, 1:])
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr, args.warmup)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % 50 == 0 or step == args.steps - 1:
            el = time.time() - t0
            print(json.dumps({"step": step, "epoch": epoch, "loss": round(running, 4), "lr": round(opt.param_groups[0]["lr"], 6),
                              "elapsed_s": round(el), "tok_per_s": round((step + 1) * BATCH * BLOCK / el)}), flush=True)
        if (step + 1) % args.save_every == 0 or step == args.steps - 1:
            state = {"config": CONFIG, "model": model.state_dict(), "step": step + 1, "elapsed_s": time.time() - t0}
            torch.save(state, os.path.join(args.work, f"{args.name}.tmp"))
            os.replace(os.path.join(args.work, f"{args.name}.tmp"), os.path.join(args.work, f"{args.name}.pt"))
            if step != args.steps - 1:
                torch.save(state, os.path.join(args.work, f"{args.name}_{step + 1}.pt"))


if __name__ == "__main__":
    main()
