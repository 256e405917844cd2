"""A small byte-level BPE trainer that writes a Hugging Face `tokenizer.json` in GPT-2's layout.

Only merge *learning* happens here. Pre-tokenisation approximates GPT-2's regex with Python's `re`
(no `\\p{L}` there); that can only change which merges are learnt, never correctness, because every
id the model is trained on comes from encoding with the tokenizer.json itself (tokenize.ts)."""
import collections
import json
import re

PRETOKENIZE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""")
EOS = "<|endoftext|>"


def bytes_to_unicode():
    """GPT-2's reversible map from bytes to printable unicode characters (so that ' ' becomes 'Ġ')."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def train(texts, vocab_size):
    b2u = bytes_to_unicode()
    counts = collections.Counter()
    for text in texts:
        counts.update(PRETOKENIZE.findall(text))
    words = [[b2u[b] for b in w.encode("utf-8")] for w in counts]
    freq = list(counts.values())
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)
    for i, syms in enumerate(words):
        for a, b in zip(syms, syms[1:]):
            pair_counts[(a, b)] += freq[i]
            where[(a, b)].add(i)
    vocab = [b2u[b] for b in range(256)]
    merges = []
    n_merges = vocab_size - 256 - 1  # the last id is <|endoftext|>, as in GPT-2
    while len(merges) < n_merges and pair_counts:
        # Highest count; ties broken by the pair itself so that the result never depends on dict order.
        best = max(pair_counts.items(), key=lambda kv: (kv[1], kv[0]))[0]
        if pair_counts[best] < 2:
            break
        merged = best[0] + best[1]
        merges.append(best)
        vocab.append(merged)
        for i in list(where[best]):
            syms = words[i]
            for a, b in zip(syms, syms[1:]):
                pair_counts[(a, b)] -= freq[i]
                if pair_counts[(a, b)] <= 0:
                    del pair_counts[(a, b)]
                where[(a, b)].discard(i)
            out = []
            j = 0
            while j < len(syms):
                if j + 1 < len(syms) and syms[j] == best[0] and syms[j + 1] == best[1]:
                    out.append(merged)
                    j += 2
                else:
                    out.append(syms[j])
                    j += 1
            words[i] = out
            for a, b in zip(out, out[1:]):
                pair_counts[(a, b)] += freq[i]
                where[(a, b)].add(i)
        where.pop(best, None)
    return vocab, merges


def tokenizer_json(vocab, merges):
    eos_id = len(vocab)
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": eos_id, "content": EOS, "single_word": False, "lstrip": False, "rstrip": False, "normalized": True, "special": True}
        ],
        "normalizer": None,
        "pre_tokenizer": byte_level,
        "post_processor": {**byte_level, "trim_offsets": False},
        "decoder": byte_level,
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "vocab": {**{tok: i for i, tok in enumerate(vocab)}, EOS: eos_id},
            "merges": [f"{a} {b}" for a, b in merges],
        },
    }


def tokenizer_config(max_len):
    return {
        "add_prefix_space": False,
        "bos_token": EOS,
        "eos_token": EOS,
        "unk_token": EOS,
        "clean_up_tokenization_spaces": False,
        "model_max_length": max_len,
        "tokenizer_class": "GPT2Tokenizer",
    }


def save(path_json, path_config, vocab, merges, max_len):
    with open(path_json, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, merges), f, ensure_ascii=False, separators=(",", ":"))
    with open(path_config, "w", encoding="utf-8") as f:
        json.dump(tokenizer_config(max_len), f, indent=2)
