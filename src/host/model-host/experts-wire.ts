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
 * Salts every key with this extension host session: results kept across a reload (workspace state)
 * never pass for current, since the intervention's revision numbers start again with the session.
 */
const session = Math.floor(Math.random() * 36 ** 6).toString(36);

/** Rows of each column the key reads: evenly spread, plus the first and the last. */
const KEY_SAMPLE = 8192;

/**
 * Names a ranking by what it holds (FNV-1a over its sizes, source, counts, statistics and a spread
 * sample of every column's rows), so the same profile opened again keeps its key and the panel does
 * not send it again. A sample, not every row: hashing 1.4M rows took the host's thread ~90 ms.
 */
export function rankingKey(e: RankedExperts): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => {
    h = Math.imul(h ^ (x | 0), 0x01000193) >>> 0;
  };
  const rows = e.auroc.length;
  const step = Math.max(1, Math.floor(rows / KEY_SAMPLE));
  const sample = (c: ArrayLike<number> | undefined) => {
    if (!c) return mix(-1);
    mix(c.length);
    for (let i = 0; i < rows; i += step) sampleValue(c[i]!);
    if (rows > 0) sampleValue(c[rows - 1]!);
  };
  const bits = new Float64Array(1);
  const words = new Int32Array(bits.buffer);
  const sampleValue = (x: number) => {
    bits[0] = x;
    mix(words[0]!);
    mix(words[1]!);
  };
  const st = e.stats;
  for (const c of [e.site, e.neuron, e.auroc, st?.ciLow, st?.ciHigh, st?.heldOut, st?.qValue, st?.stableBadge]) sample(c);
  const text = JSON.stringify([e.source, e.positives, e.negatives, e.pooling, e.sites.map((s) => [s.id, s.neurons]), st?.level, st?.qBound, st?.heldOutFraction, st?.nullAuroc?.length]);
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
  return `ranking-${h.toString(16)}-${rows}-${session}`;
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
