// Per-token values of a few sites for several texts at once, for the neuron detail. The texts run
// side by side through the KV cache, one step per position for all of them (right-aligned: a shorter
// text waits behind masked pad steps), so five examples of 128 tokens cost 128 batched steps instead
// of 640 single ones; each step's pooled value over the one new position is that token's value.
// Graphs without a cache fall back to aura's per-text way (prefix differences).
import { tokenActivations, tokenSpans } from '../../aura/activations';
import type { Intervention, LanguageModel } from '../../engine/model';
import type { TextActivations } from './api';

export interface TokenValueOptions {
  maxTokens?: number;
  intervention?: Intervention;
  signal?: AbortSignal;
}

export async function batchedTokenValues(model: LanguageModel, texts: string[], sites: string[], o: TokenValueOptions = {}): Promise<TextActivations[]> {
  const context = model.facts.maxPositions ?? Infinity;
  const ids = texts.map((t) => model.tokenizer.encode(t).slice(0, Math.min(o.maxTokens ?? 128, context)));
  if (!model.hasPast) {
    const out: TextActivations[] = [];
    for (const text of texts) {
      const r = await tokenActivations(model, text, sites, o);
      out.push({ tokens: r.tokens, values: r.values });
    }
    return out;
  }
  const widths = sites.map((id) => model.site(id).neurons);
  const T = Math.max(0, ...ids.map((x) => x.length));
  const values = ids.map((x) => sites.map((_, s) => new Float32Array(x.length * widths[s]!)));
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  const active = ids.map((_, b) => b).filter((b) => ids[b]!.length > 0);
  const mask: number[][] = active.map(() => []);
  let past: Awaited<ReturnType<LanguageModel['forward']>>['present'];
  for (let step = 0; step < T; step++) {
    o.signal?.throwIfAborted();
    // Row b's token t sits at step (T - length) + t; before that the row feeds a masked pad.
    const feed = active.map((b, r) => {
      const t = step - (T - ids[b]!.length);
      mask[r]!.push(t >= 0 ? 1 : 0);
      return [t >= 0 ? ids[b]![t]! : pad];
    });
    const r = await model.forward({
      ids: feed,
      mask: mask.map((m) => m.slice()),
      ...(past ? { past } : {}),
      kind: 'lm+pool',
      pool: sites,
      logits: 'none',
      ...(o.intervention ? { intervention: o.intervention } : {}),
    });
    past = r.present;
    active.forEach((b, row) => {
      const t = step - (T - ids[b]!.length);
      if (t < 0) return;
      sites.forEach((id, s) => {
        const n = widths[s]!;
        // [batch, neurons]: this row's values at its one new position.
        values[b]![s]!.set(r.pooled!.get(id)!.max.subarray(row * n, (row + 1) * n), t * n);
      });
    });
  }
  return ids.map((x, b) => ({ tokens: tokenSpans(model, x), values: new Map(sites.map((id, s) => [id, values[b]![s]!])) }));
}
