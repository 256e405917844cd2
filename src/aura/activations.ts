/**
 * Per-token responses of a few sites for some texts: which tokens make a neuron fire. Reading them is
 * opt-in, as in TransformerLens, because profiling only needs pooled values.
 *
 * All texts run in ONE forward pass, right-padded with the attention mask, and the rewritten graph
 * returns each requested site's [batch, seq, neurons] values (after the intervention, if any); each
 * text keeps its own rows. Right padding suits every graph: real tokens keep positions 0..n-1 whether
 * the graph takes position_ids (fed as cumsum(mask) - 1) or counts positions itself, and a causal model
 * never lets a real token see the pads after it.
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
}

/** Rows per forward pass: the neuron detail's 24 examples are one pass; more texts take a few. */
const MAX_ROWS = 32;

export async function tokenActivations(model: LanguageModel, text: string, sites: string[], o: ActivationOptions = {}): Promise<TokenActivations> {
  return (await textsActivations(model, [text], sites, o))[0]!;
}

/** Per-token values of `sites` for every text, from one batched forward pass per MAX_ROWS texts. */
export async function textsActivations(model: LanguageModel, texts: string[], sites: string[], o: ActivationOptions = {}): Promise<TokenActivations[]> {
  const context = model.facts.maxPositions ?? Infinity;
  const limit = Math.min(o.maxTokens ?? 128, context);
  const ids = texts.map((t) => model.tokenizer.encode(t).slice(0, limit));
  const widths = sites.map((id) => model.site(id).neurons);
  const values = ids.map((x) => sites.map((_, s) => new Float32Array(x.length * widths[s]!)));
  const nonEmpty = ids.map((_, b) => b).filter((b) => ids[b]!.length > 0);
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  for (let start = 0; start < nonEmpty.length; start += MAX_ROWS) {
    o.signal?.throwIfAborted();
    const rows = nonEmpty.slice(start, start + MAX_ROWS);
    const T = Math.max(...rows.map((b) => ids[b]!.length));
    const batch = rows.map((b) => [...ids[b]!, ...new Array<number>(T - ids[b]!.length).fill(pad)]);
    const mask = rows.map((b) => ids[b]!.map(() => 1).concat(new Array<number>(T - ids[b]!.length).fill(0)));
    const r = await model.extract({ ids: batch, mask, tokens: sites, ...(o.intervention ? { intervention: o.intervention } : {}) });
    sites.forEach((id, s) => {
      const n = widths[s]!;
      const all = r.tokens!.get(id)!;
      // [rows, T, n]: row r's first len(r) positions are its tokens, the rest are pads.
      rows.forEach((b, row) => values[b]![s]!.set(all.subarray(row * T * n, (row * T + ids[b]!.length) * n)));
    });
  }
  return ids.map((x, b) => ({ ids: x, tokens: tokenSpans(model, x), values: new Map(sites.map((id, s) => [id, values[b]![s]!])) }));
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
