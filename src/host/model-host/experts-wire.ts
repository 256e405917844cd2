// The ranked experts cross from the model process as typed columns: a 1.4M-row JS array costs the
// extension host close to a second to deserialise, a typed array of the same length about 20 ms.
// The panel's snapshot keeps them typed (Uint32/Float64), so they go on to the page as binary too.
import { checkSampleSize } from '../../aura/stats/small-sample';
import type { ExpertsSnapshot } from '../../shared/protocol';
import type { RankedExperts } from './api';

export function expertsToWire(e: ExpertsSnapshot): RankedExperts {
  return { ...e, site: Int32Array.from(e.site), neuron: Int32Array.from(e.neuron), auroc: Float64Array.from(e.auroc) };
}

/**
 * Names a ranking by what it holds (FNV-1a over its columns' bits, its source, counts and statistics),
 * so the same profile opened again keeps its key and the panel does not send it again. ~3 ms for
 * 200k rows: the columns are read as 32-bit words.
 */
export function rankingKey(e: RankedExperts): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h = Math.imul(h ^ x, 0x01000193) >>> 0;
  };
  const words = (a: ArrayBufferView) => {
    const w = new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
    for (let i = 0; i < w.length; i++) mix(w[i]!);
    mix(a.byteLength);
  };
  words(e.site);
  words(e.neuron);
  words(e.auroc);
  const st = e.stats;
  for (const c of [st?.ciLow, st?.ciHigh, st?.heldOut, st?.qValue, st?.stableBadge]) if (c) words(c);
  const text = JSON.stringify([e.source, e.positives, e.negatives, e.pooling, e.sites.map((s) => [s.id, s.neurons]), st?.level, st?.qBound, st?.heldOutFraction, st?.nullAuroc?.length]);
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
  return `ranking-${h.toString(16)}-${e.auroc.length}`;
}

/** The panel's snapshot of what arrived: typed columns, a key naming the ranking, and the small-profile warning. */
export function expertsFromWire(e: RankedExperts): ExpertsSnapshot {
  const check = checkSampleSize(e.positives, e.negatives);
  return {
    ...e,
    key: rankingKey(e),
    // Views, not copies: the columns arrived in buffers of their own (bulk-wire.ts), and copying 1.4M
    // rows took the host's thread ~25 ms. Indices are below 2^31, so the Int32 bits read as Uint32.
    site: new Uint32Array(e.site.buffer, e.site.byteOffset, e.site.length),
    neuron: new Uint32Array(e.neuron.buffer, e.neuron.byteOffset, e.neuron.length),
    auroc: e.auroc,
    ...(check.tooSmall ? { warning: `Profile too small to trust: ${check.warnings.join('; ')}.` } : {}),
  };
}
