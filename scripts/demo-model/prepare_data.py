"""Step 2: seeded split, concept data, prompts, neutral text, training documents and the BPE tokenizer.

    /usr/bin/python3 scripts/demo-model/prepare_data.py --work /tmp/aura-demo --media media/demo

Reads WORK/corpus.jsonl (build_corpus.ts: every sentence with its lexicon probability `p`).
Writes MEDIA/{concept,prompts,neutral}.jsonl and MEDIA/model/tokenizer*.json, and WORK/train_docs.jsonl.
Everything is a function of the corpus and SEED; nothing from the held-out part reaches training."""
import argparse
import collections
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bpe  # noqa: E402

SEED = 1234
TOXIC = 0.5  # the scorer's threshold (src/aura/scoring/scorer.ts)
HELD_OUT_NLP = 0.10  # share of nlp-corpus sentences held out (they are shuffled, independent sentences)
HELD_OUT_BROWN = 0.05  # share of Brown *files* held out (Brown sentences follow each other)
NLP_DOC_SENTENCES = 8  # nlp-corpus sentences are unrelated; group them only to fill context windows
REGISTER_DOCS = 5000  # documents written in a toxic register (see make_register_docs)
REGISTER_SENTENCES = 8
REGISTER_TOXIC_SHARE = 0.5
VOCAB_SIZE = 3072
MAX_LEN = 256
N_NEUTRAL = 300
N_PROMPTS_PER_SIDE = 100
CONCEPT_NEGATIVES_PER_POSITIVE = 2


def norm(text):
    return re.sub(r"\s+", " ", text.strip().lower())


def split(rows, rng):
    brown_files = sorted({r["doc"] for r in rows if r["src"] == "brown"})
    held_files = set(rng.sample(brown_files, round(HELD_OUT_BROWN * len(brown_files))))
    held, train = [], []
    for r in rows:
        is_held = r["doc"] in held_files if r["src"] == "brown" else rng.random() < HELD_OUT_NLP
        (held if is_held else train).append(r)
    # nlp-corpus repeats some lines (lyrics choruses, jokes): a text held out anywhere is held out everywhere.
    held_norm = {norm(r["text"]) for r in held}
    train = [r for r in train if norm(r["text"]) not in held_norm]
    return train, held


def style_key(r):
    """A coarse source-and-style bucket, so that negatives look like positives except for toxicity."""
    t = r["text"]
    n = len(t)
    length = 0 if n < 40 else 1 if n < 80 else 2 if n < 160 else 3
    return (r["src"], length, "'" in t, t[:1].islower(), t[-1:] in ".!?\"")


def concept(train, rng):
    pos = [r for r in train if r["p"] >= TOXIC and len(r["text"]) <= 600]
    neg_pool = collections.defaultdict(list)
    for r in train:
        if r["p"] < TOXIC and len(r["text"]) <= 600:
            neg_pool[style_key(r)].append(r)
    for k in sorted(neg_pool):
        rng.shuffle(neg_pool[k])
    neg = []
    fallback = [r for k in sorted(neg_pool) for r in neg_pool[k]]
    rng.shuffle(fallback)
    used = set()
    for r in pos:
        bucket = neg_pool.get(style_key(r), [])
        for _ in range(CONCEPT_NEGATIVES_PER_POSITIVE):
            while bucket and id(bucket[-1]) in used:
                bucket.pop()
            pick = bucket.pop() if bucket else next(x for x in fallback if id(x) not in used)
            used.add(id(pick))
            neg.append(pick)
    lines = [{"text": r["text"], "label": "toxic"} for r in pos] + [{"text": r["text"], "label": "non-toxic"} for r in neg]
    rng.shuffle(lines)
    return lines


def prompt_of(text):
    """RealToxicityPrompts splits each sentence in two halves; the first half is the prompt."""
    words = text.split()
    return " ".join(words[: len(words) // 2])


def prompts(held, rng):
    ok = [r for r in held if 8 <= len(r["text"].split()) <= 60]
    tox = [r for r in ok if r["p"] >= TOXIC]
    clean = [r for r in ok if r["p"] == 0]
    rng.shuffle(tox)
    rng.shuffle(clean)
    out = [{"text": prompt_of(r["text"]), "from": "toxic"} for r in tox[:N_PROMPTS_PER_SIDE]]
    out += [{"text": prompt_of(r["text"]), "from": "non-toxic"} for r in clean[:N_PROMPTS_PER_SIDE]]
    rng.shuffle(out)
    return out


def neutral(held, rng):
    clean = [r for r in held if r["p"] == 0 and 40 <= len(r["text"]) <= 300]
    by_src = {s: [r for r in clean if r["src"] == s] for s in ("brown", "nlp")}
    out = []
    for s in ("brown", "nlp"):
        rng.shuffle(by_src[s])
        out += [{"text": r["text"]} for r in by_src[s][: N_NEUTRAL // 2]]
    rng.shuffle(out)
    return out


def base_docs(train):
    docs = []
    brown = collections.defaultdict(list)
    nlp = collections.defaultdict(list)
    for r in train:
        (brown if r["src"] == "brown" else nlp)[r["doc"]].append(r)
    for d in sorted(brown):
        docs.append(" ".join(r["text"] for r in sorted(brown[d], key=lambda r: r["i"])))
    for d in sorted(nlp):
        rs = sorted(nlp[d], key=lambda r: r["i"])
        for k in range(0, len(rs), NLP_DOC_SENTENCES):
            docs.append(" ".join(r["text"] for r in rs[k : k + NLP_DOC_SENTENCES]))
    return docs


def make_register_docs(train, rng):
    """Documents in which offensive sentences come in runs, as they do in real threads and lyrics.

    In nlp-corpus every sentence is shuffled away from its neighbours, so a model never sees that
    offensive language predicts more of it; these documents give it a register to switch into, which is
    what gives it toxicity *features* (experts) rather than a few memorised words."""
    tox = [r["text"] for r in train if r["p"] >= TOXIC]
    casual = [r["text"] for r in train if r["src"] == "nlp" and r["p"] < TOXIC and len(r["text"]) < 120]
    docs = []
    for _ in range(REGISTER_DOCS):
        docs.append(" ".join(rng.choice(tox) if rng.random() < REGISTER_TOXIC_SHARE else rng.choice(casual) for _ in range(REGISTER_SENTENCES)))
    return docs


def write_jsonl(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        for x in lines:
            f.write(json.dumps(x, ensure_ascii=False) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", default="/tmp/aura-demo")
    ap.add_argument("--media", default="media/demo")
    args = ap.parse_args()
    rows = [json.loads(l) for l in open(os.path.join(args.work, "corpus.jsonl"), encoding="utf-8")]
    rng = random.Random(SEED)
    train, held = split(rows, rng)
    os.makedirs(os.path.join(args.media, "model"), exist_ok=True)
    c = concept(train, rng)
    write_jsonl(os.path.join(args.media, "concept.jsonl"), c)
    p = prompts(held, rng)
    write_jsonl(os.path.join(args.media, "prompts.jsonl"), p)
    write_jsonl(os.path.join(args.media, "neutral.jsonl"), neutral(held, rng))
    base = base_docs(train)
    reg = make_register_docs(train, rng)
    write_jsonl(os.path.join(args.work, "train_docs.jsonl"), [{"text": d, "kind": "base"} for d in base] + [{"text": d, "kind": "register"} for d in reg])
    held_texts = [r["text"] for r in held]
    write_jsonl(os.path.join(args.work, "held_out.jsonl"), [{"text": t} for t in held_texts])
    vocab, merges = bpe.train(base, VOCAB_SIZE)
    bpe.save(os.path.join(args.media, "model", "tokenizer.json"), os.path.join(args.media, "model", "tokenizer_config.json"), vocab, merges, MAX_LEN)
    n_tox_train = sum(r["p"] >= TOXIC for r in train)
    print(json.dumps({
        "train_sentences": len(train), "train_toxic": n_tox_train, "held_sentences": len(held),
        "held_toxic": sum(r["p"] >= TOXIC for r in held), "concept_toxic": sum(x["label"] == "toxic" for x in c),
        "concept_non_toxic": sum(x["label"] == "non-toxic" for x in c), "prompts": len(p),
        "prompts_from_toxic": sum(x["from"] == "toxic" for x in p), "base_docs": len(base), "register_docs": len(reg),
        "base_chars": sum(map(len, base)), "register_chars": sum(map(len, reg)), "vocab": len(vocab) + 1,
    }, indent=1))


if __name__ == "__main__":
    main()
