// Perplexity of texts under the model (optionally intervened): exp of the mean negative
// log-likelihood of every real token after the first, over all texts (padding masked out).
import { throwIfAborted } from './generate';
import type { Intervention, LanguageModel } from '../model';

export interface PerplexityOptions {
  intervention?: Intervention;
  batchSize?: number;
  /** Texts are truncated to this many tokens (default: the model's context, at most 1024). */
  maxLength?: number;
  /** Bytes of logits one pass may return (default LOGITS_BUDGET); scripts/bench-memory/ab-budgets.ts times others. */
  logitsBudget?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface PerplexityResult {
  perplexity: number;
  /** Tokens predicted (each text contributes its length minus one). */
  tokens: number;
  texts: number;
  /** Texts left out for having fewer than 2 tokens (nothing to predict). */
  shortTexts: number;
  /** Texts cut to their first `maxLength` tokens (the option, or the model's context up to 1024). */
  truncatedTexts: number;
  maxLength: number;
  nll: number;
  /** Each text's summed NLL and predicted tokens, in the order of the texts kept (two or more tokens): what a bootstrap over texts resamples. */
  perText: { nll: Float64Array; tokens: Uint32Array };
}

/** `texts` may also hold token ids, for callers (and tests) that tokenized already. */
export async function perplexity(model: LanguageModel, texts: (string | number[])[], o: PerplexityOptions = {}): Promise<PerplexityResult> {
  const maxLen = perplexityLength(model, o.maxLength).length;
  const all = texts.map((t) => (typeof t === 'string' ? model.tokenizer.encode(t) : t));
  const truncatedTexts = all.filter((ids) => ids.length > maxLen).length;
  const kept = all.map((ids) => ids.slice(0, maxLen)).filter((ids) => ids.length >= 2);
  const order = kept.map((_, i) => i).sort((a, b) => kept[a]!.length - kept[b]!.length || a - b);
  const encoded = order.map((i) => kept[i]!);
  const textNll = new Float64Array(kept.length);
  const textTokens = new Uint32Array(kept.length);
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  let nll = 0;
  let tokens = 0;
  for (let start = 0, bs = 0; start < encoded.length; start += bs) {
    throwIfAborted(o.signal);
    bs = batchFor(encoded, start, o.batchSize ?? 8, model.facts.vocabSize, o.logitsBudget ?? LOGITS_BUDGET);
    const chunk = encoded.slice(start, start + bs);
    const width = chunk[chunk.length - 1]!.length;
    const ids = chunk.map((c) => [...new Array<number>(width - c.length).fill(pad), ...c]);
    const mask = chunk.map((c) => [...new Array<number>(width - c.length).fill(0), ...new Array<number>(c.length).fill(1)]);
    const r = await model.logits({ ids, mask, logits: 'all', ...(o.intervention ? { intervention: o.intervention } : {}) });
    const logits = r.logits!;
    const vocab = logits.length / (chunk.length * width);
    chunk.forEach((c, row) => {
      const offset = width - c.length;
      const k = order[start + row]!;
      for (let t = offset; t < width - 1; t++) {
        const base = (row * width + t) * vocab;
        const v = logSumExp(logits, base, vocab) - logits[base + ids[row]![t + 1]!]!;
        nll += v;
        textNll[k] += v;
        tokens++;
      }
      textTokens[k] = c.length - 1;
    });
    o.onProgress?.(Math.min(start + bs, encoded.length), encoded.length);
  }
  if (tokens === 0) throw new Error('perplexity: no text has two or more tokens');
  return { perplexity: Math.exp(nll / tokens), tokens, texts: encoded.length, shortTexts: texts.length - encoded.length, truncatedTexts, maxLength: maxLen, nll, perText: { nll: textNll, tokens: textTokens } };
}

/**
 * Tokens a text keeps: `requested` (default 1024) but never past the model's context, where position
 * embeddings end (Gather and RotaryEmbedding fail, or a model computes garbage silently). `clamped` says
 * the request was cut, for the caller to say so.
 */
export function perplexityLength(model: LanguageModel, requested?: number): { length: number; clamped: boolean } {
  const context = model.facts.maxPositions ?? Infinity;
  const want = requested ?? 1024;
  return want > context ? { length: context, clamped: requested !== undefined } : { length: want, clamped: false };
}

/**
 * Every position's logits are [batch, width, vocab] floats: 8 texts of 1,024 tokens over GPT-2's 50,257
 * tokens would be 1.6 GB. Rows are added while the logits stay within LOGITS_BUDGET (at least one row): onnxruntime holds them
 * once and JS once more, and past a few hundred positions a bigger batch is no faster. 32 MiB (was 64)
 * took perplexity from 1.51x to 1.25x the weights on a GPT-2-small shape (scripts/bench-memory/).
 */
export const LOGITS_BUDGET = 48 * 1024 ** 2;

function batchFor(sorted: number[][], start: number, most: number, vocab: number, budget: number): number {
  let n = 1;
  while (n < most && start + n < sorted.length && (n + 1) * sorted[start + n]!.length * Math.max(vocab, 1) * 4 <= budget) n++;
  return n;
}

function logSumExp(a: Float32Array, base: number, n: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (a[base + i]! > max) max = a[base + i]!;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(a[base + i]! - max);
  return max + Math.log(s);
}
