// How far the experts fire on each token of a text above what they do on non-toxic text, for the
// editor's highlights (docs/editor.md, "What the colour means").
//
// Raw activations do not separate insults from neutral words: many experts fire a little on every
// token, some fire on "the" as much as on "stupid". What matters is whether an expert fires on this
// token more than it does on NON-toxic text. So each expert e carries its non-toxic reference: the
// percentiles of its pooled responses on the profile's non-toxic examples (101 numbers, read from
// the profile's response matrices). For a token with activation a:
//
//     F_e(a)      = share of e's non-toxic responses below a (ties count half), from the percentiles
//     exceed_e(a) = max(0, 2 F_e(a) - 1)      0 at or below the non-toxic median, 1 above all of them
//     score(t)    = sum_e w_e exceed_e(a_e) / sum_e w_e,   w_e = AUROC_e - 0.5
//
// so 100% means every expert fires above everything it did on the non-toxic examples, and an expert
// counts as much as it tells the classes apart. A sketch profile keeps histograms, not responses: its
// percentiles come from the non-toxic histogram, values spread evenly inside each bin.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AuraUserError } from '../aura/errors';
import { readSketches } from '../aura/profile/sketch-profile';
import { readManifest, responsesPath } from '../aura/profile/store';
import type { NeuronSketch } from '../aura/profile/sketch';
import type { Pooling } from '../aura/profile/store';
import type { ExpertsSnapshot } from '../shared/protocol';
import type { TextActivations } from './model-host/api';

/** Percentiles kept per expert: the 0th, 1st, ..., 100th. */
export const REFERENCE_POINTS = 101;

export interface ScoredExpert {
  site: string;
  neuron: number;
  auroc: number;
  /** Percentiles of the expert's non-toxic pooled responses (REFERENCE_POINTS, ascending); empty: none kept. */
  reference: readonly number[];
}

export interface TokenScore {
  text: string;
  start: number;
  end: number;
  /** In [0, 1]: the AUROC-weighted mean of the experts' exceedances (see the top of this file). */
  score: number;
  /** The experts that contribute most to this token, strongest first. */
  top: { site: string; neuron: number; auroc: number; activation: number; exceeds: number; contribution: number }[];
}

/** The best experts of a snapshot (AUROC > 0.5), in rank order. */
export function topExperts(experts: ExpertsSnapshot, count: number): { site: string; neuron: number; auroc: number }[] {
  const out: { site: string; neuron: number; auroc: number }[] = [];
  for (let i = 0; i < experts.auroc.length && out.length < count && experts.auroc[i]! > 0.5; i++) {
    out.push({ site: experts.sites[experts.site[i]!]!.id, neuron: experts.neuron[i]!, auroc: experts.auroc[i]! });
  }
  return out;
}

/**
 * The share of a distribution below `a`, given its percentiles `q` (ascending, q[0] the minimum and
 * q[last] the maximum): linear between percentiles; where `a` equals a run of equal percentiles (many
 * responses at one value, as ReLU zeros), the middle of the run, as ties count half.
 */
export function shareBelow(q: readonly number[], a: number): number {
  const last = q.length - 1;
  if (last < 1) return 0;
  if (a < q[0]!) return 0;
  if (a > q[last]!) return 1;
  // lo: first index with q[i] >= a; hi: last index with q[i] <= a.
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (q[mid]! < a) lo = mid + 1;
    else hi = mid;
  }
  let up = lo;
  while (up < last && q[up + 1]! <= a) up++;
  if (q[lo] === a) return (lo + up) / 2 / last;
  // q[lo - 1] < a < q[lo]
  const below = lo - 1;
  return (below + (a - q[below]!) / (q[lo]! - q[below]!)) / last;
}

export function exceedance(q: readonly number[], a: number): number {
  return Math.max(0, 2 * shareBelow(q, a) - 1);
}

export function scoreTokens(acts: TextActivations, experts: readonly ScoredExpert[], widths: ReadonlyMap<string, number>, topPerToken = 3): TokenScore[] {
  const weights = experts.map((e) => (e.reference.length > 1 ? Math.max(0, e.auroc - 0.5) : 0));
  const total = weights.reduce((a, w) => a + w, 0) || 1;
  return acts.tokens.map((tok, t) => {
    const parts = experts.map((e, i) => {
      const n = widths.get(e.site)!;
      const activation = acts.values.get(e.site)![t * n + e.neuron]!;
      const exceeds = weights[i]! > 0 ? exceedance(e.reference, activation) : 0;
      return { site: e.site, neuron: e.neuron, auroc: e.auroc, activation, exceeds, contribution: (weights[i]! * exceeds) / total };
    });
    const score = parts.reduce((a, p) => a + p.contribution, 0);
    const top = parts.filter((p) => p.contribution > 0).sort((a, b) => b.contribution - a.contribution).slice(0, topPerToken);
    return { ...tok, score, top };
  });
}

/** The percentiles (REFERENCE_POINTS, linear between order statistics) of `values`; empty for none. */
export function percentiles(values: Float64Array): number[] {
  if (values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const last = sorted.length - 1;
  return Array.from({ length: REFERENCE_POINTS }, (_, k) => {
    const pos = (k / (REFERENCE_POINTS - 1)) * last;
    const i = Math.floor(pos);
    const f = pos - i;
    return f === 0 ? sorted[i]! : sorted[i]! + f * (sorted[i + 1]! - sorted[i]!);
  });
}

/**
 * Percentiles of a neuron's NEGATIVE (non-toxic) histogram in a sketch: the values are taken as spread
 * evenly inside each bin, and those under or over the binned range as sitting at its ends.
 */
export function histogramPercentiles(sk: NeuronSketch, j: number): number[] {
  const stride = sk.bins + 2;
  const counts = sk.counts.subarray(j * stride, (j + 1) * stride); // class 0: the negatives
  const total = counts.reduce((a, c) => a + c, 0);
  if (!(total > 0)) return [];
  const lo = sk.range.lo[j]!;
  const w = sk.range.width[j]!;
  // Bin b (0 = underflow, B + 1 = overflow) spans [from, to]: the two outer ones collapse to the ends.
  const span = (b: number): [number, number] => (b === 0 ? [lo, lo] : b === stride - 1 ? [lo + sk.bins * w, lo + sk.bins * w] : [lo + (b - 1) * w, lo + b * w]);
  const out: number[] = [];
  let b = 0;
  let before = 0;
  for (let k = 0; k < REFERENCE_POINTS; k++) {
    const target = (k / (REFERENCE_POINTS - 1)) * total;
    while (b < stride - 1 && (counts[b] === 0 || before + counts[b]! < target)) before += counts[b++]!;
    const [from, to] = span(b);
    const inside = counts[b]! > 0 ? Math.min(1, Math.max(0, (target - before) / counts[b]!)) : 0;
    out.push(from + inside * (to - from));
  }
  return out;
}

/** One profile's references, kept while it is the one asked about (a highlight per selection reuses them). */
let cached: { dir: string; pooling: Pooling; byExpert: Map<string, number[]> } | undefined;

/**
 * Each listed expert's non-toxic reference (percentiles of its pooled responses on the profile's
 * non-toxic examples), read from the profile's response matrices; `[]` for an expert whose site keeps
 * none (a sketch profile). Runs in the model process: a site's matrix can be tens of MB.
 */
export async function nonToxicReferences(dir: string, pooling: Pooling, experts: readonly { site: string; neuron: number }[]): Promise<number[][]> {
  if (cached?.dir !== dir || cached.pooling !== pooling) cached = { dir, pooling, byExpert: new Map() };
  const memo = cached.byExpert;
  const key = (e: { site: string; neuron: number }) => `${e.site}\u0000${e.neuron}`;
  const missing = experts.filter((e) => !memo.has(key(e)));
  if (missing.length > 0) {
    const orderFile = join(dir, 'order.json');
    if (!existsSync(orderFile)) throw new AuraUserError(`${orderFile} does not exist: the profile folder is incomplete, so the highlights have no non-toxic reference`);
    const labels = (JSON.parse(await readFile(orderFile, 'utf8')) as { labels: number[] }).labels;
    const manifest = readManifest(dir);
    // A sketch profile keeps per-class histograms instead of responses: the references come from those.
    const sketches = manifest?.sketch ? readSketches(dir, manifest).sketches : undefined;
    for (const site of new Set(missing.map((e) => e.site))) {
      const path = responsesPath(dir, site, pooling);
      const mine = missing.filter((e) => e.site === site);
      if (!existsSync(path)) {
        const sk = sketches?.get(`${site}|${pooling}`);
        for (const e of mine) memo.set(key(e), sk ? histogramPercentiles(sk, e.neuron) : []);
        continue;
      }
      const buf = await readFile(path);
      const m = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      const neurons = m.length / labels.length;
      if (!Number.isInteger(neurons)) throw new AuraUserError(`${path}: ${m.length} values do not split into ${labels.length} examples (order.json); profile again`);
      const negatives = labels.reduce((n, l) => n + (l ? 0 : 1), 0);
      for (const e of mine) {
        const column = new Float64Array(negatives);
        let j = 0;
        for (let r = 0; r < labels.length; r++) if (!labels[r]) column[j++] = m[r * neurons + e.neuron]!;
        memo.set(key(e), percentiles(column));
      }
    }
  }
  return experts.map((e) => memo.get(key(e)) ?? []);
}
