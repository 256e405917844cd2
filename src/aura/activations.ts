/**
 * Per-token responses of a few sites for one text: which tokens make a neuron fire. Reading them is
 * opt-in (one forward per token), as in TransformerLens, because profiling only needs pooled values.
 *
 * With a KV cache the text runs token by token with kind 'lm+pool': the in-graph pooling covers only
 * the positions fed in that step, so each step's pooled value is exactly that token's value. A graph
 * without a cache runs every prefix in one batch, and token t's value is recovered from the mean
 * pooling of prefixes t and t-1 (t*mean_t - (t-1)*mean_{t-1}).
 */
import type { Intervention, LanguageModel } from '../engine/model';

export interface TokenSpan {
  text: string;
  /** [start, end) in the text as decoded, which matches the input for byte-level tokenizers. */
  start: number;
  end: number;
}

export interface TokenActivations {
  ids: number[];
  tokens: TokenSpan[];
  /** Per site, [tokens, neurons] row-major. */
  values: Map<string, Float32Array>;
}

export interface ActivationOptions {
  intervention?: Intervention;
  /** Longer texts keep their first tokens (default 128, the profiling default). */
  maxTokens?: number;
  signal?: AbortSignal;
  /** 'auto' (default): the cache when the graph has one. The other ways exist for tests that compare them. */
  strategy?: 'auto' | 'cache' | 'prefixes';
}

export async function tokenActivations(model: LanguageModel, text: string, sites: string[], o: ActivationOptions = {}): Promise<TokenActivations> {
  const context = model.facts.maxPositions ?? Infinity;
  const ids = model.tokenizer.encode(text).slice(0, Math.min(o.maxTokens ?? 128, context));
  if (ids.length === 0) return { ids, tokens: [], values: new Map(sites.map((s) => [s, new Float32Array(0)])) };
  const widths = sites.map((id) => model.site(id).neurons);
  const useCache = o.strategy === 'cache' || ((o.strategy ?? 'auto') === 'auto' && model.hasPast);
  const rows = useCache ? await stepwise(model, ids, sites, o) : await fromPrefixes(model, ids, sites, o);
  const values = new Map<string, Float32Array>();
  sites.forEach((id, s) => {
    const n = widths[s]!;
    const m = new Float32Array(ids.length * n);
    rows.forEach((row, t) => m.set(row.get(id)!, t * n));
    values.set(id, m);
  });
  return { ids, tokens: tokenSpans(model, ids), values };
}

/** One step per token through the cache; each row holds that token's values per site. */
async function stepwise(model: LanguageModel, ids: number[], sites: string[], o: ActivationOptions): Promise<Map<string, Float32Array>[]> {
  const rows: Map<string, Float32Array>[] = [];
  let past: Awaited<ReturnType<LanguageModel['forward']>>['present'];
  const mask: number[] = [];
  for (const id of ids) {
    o.signal?.throwIfAborted();
    mask.push(1);
    const r = await model.forward({
      ids: [[id]],
      mask: [mask.slice()],
      ...(past ? { past } : {}),
      kind: 'lm+pool',
      pool: sites,
      logits: 'none',
      ...(o.intervention ? { intervention: o.intervention } : {}),
    });
    past = r.present;
    rows.push(new Map(sites.map((s) => [s, r.pooled!.get(s)!.max])));
  }
  return rows;
}

/** Every prefix as a left-padded batch; token values from differences of mean-pooled prefixes. */
async function fromPrefixes(model: LanguageModel, ids: number[], sites: string[], o: ActivationOptions): Promise<Map<string, Float32Array>[]> {
  o.signal?.throwIfAborted();
  const T = ids.length;
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  const batch = ids.map((_, t) => [...new Array<number>(T - t - 1).fill(pad), ...ids.slice(0, t + 1)]);
  const mask = ids.map((_, t) => [...new Array<number>(T - t - 1).fill(0), ...new Array<number>(t + 1).fill(1)]);
  const r = await model.forward({ ids: batch, mask, kind: 'extract', pool: sites, ...(o.intervention ? { intervention: o.intervention } : {}) });
  return ids.map((_, t) => new Map(sites.map((s) => [s, tokenRow(r.pooled!.get(s)!.mean, T, t)])));
}

/** Token t's values from the mean pooling of prefixes t and t-1, rows of a [T, neurons] matrix. */
function tokenRow(mean: Float32Array, T: number, t: number): Float32Array {
  const n = mean.length / T;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) out[j] = mean[t * n + j]! * (t + 1) - (t > 0 ? mean[(t - 1) * n + j]! * t : 0);
  return out;
}

/** Each token's text and offsets, from the lengths of the decoded prefixes (robust to byte-level merges). */
export function tokenSpans(model: LanguageModel, ids: number[]): TokenSpan[] {
  const spans: TokenSpan[] = [];
  let prev = '';
  for (let t = 0; t < ids.length; t++) {
    const cur = model.tokenizer.decode(ids.slice(0, t + 1));
    // A prefix that ends inside a multi-byte character decodes with a replacement mark; its text
    // arrives with the next token, so the span stays empty until then.
    const stable = cur.endsWith('\uFFFD') ? prev : cur;
    const start = Math.min(prev.length, stable.length);
    spans.push({ text: stable.slice(start), start, end: stable.length });
    prev = stable;
  }
  return spans;
}
