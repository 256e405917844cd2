/**
 * Split-half stability of the expert set: each class is shuffled (seeded) and cut in two halves, the
 * AUROC of every neuron is measured on each half, and the two rankings are compared. Experts that
 * carry the concept should be found again on texts the other half did not see; a top-100 that changes
 * with the half is noise chosen by the data, not a property of the model.
 *
 * Reported: the Jaccard overlap of the two halves' top-k sets at k = 10, 100, 1000 (capped at the
 * neuron count) and Spearman's rank correlation of the two halves' AUROCs over every neuron (average
 * ranks for ties, as scipy.stats.spearmanr ranks them).
 */
import { topKIndices } from '../experts';
import { splitClass } from './split';
import type { ClassSplit } from './split';

/** The k of the reported overlaps (each capped at the neuron count; duplicates after capping dropped). */
export const STABILITY_KS = [10, 100, 1000] as const;
/** The k and the Jaccard level below which a profile's expert set is called unstable. */
export const STABLE_K = 100;
export const STABLE_JACCARD = 0.5;

export interface HalfSplit {
  /** Row indices within each class: half A is the first floor-or-round half of a seeded shuffle. */
  pos: ClassSplit;
  neg: ClassSplit;
}

/**
 * The two halves of each class: positives shuffled with `seed + 2000`, negatives with `seed + 2001`
 * (seeds apart from the held-out split's and the permutation null's). `held` is half A, `rank` half B.
 * Undefined when a class has fewer than two examples (a half would lack it).
 */
export function halfSplit(P: number, Q: number, seed = 0): HalfSplit | undefined {
  if (P < 2 || Q < 2) return undefined;
  return { pos: splitClass(P, 0.5, seed + 2000), neg: splitClass(Q, 0.5, seed + 2001) };
}

export interface TopKOverlap {
  k: number;
  /** Neurons in both halves' top k. */
  shared: number;
  /** shared / (2k - shared). */
  jaccard: number;
}

export interface Stability {
  seed: number;
  /** Examples per class in each half. */
  halves: { a: { positives: number; negatives: number }; b: { positives: number; negatives: number } };
  neurons: number;
  topK: TopKOverlap[];
  /** Spearman's rho of the two halves' AUROCs over all neurons; null when one half's AUROCs are all equal. */
  spearman: number | null;
  /** The rule's verdict: top-k Jaccard (k = STABLE_K, capped) at least STABLE_JACCARD. */
  stable: boolean;
  rule: string;
  /** Present when the verdict is unstable: the sentence the CLI and the panel show. */
  warning?: string;
}

/** Global indices of the top k in both halves, as sets (ties broken by global order, as the fit does). */
export function topKOverlap(a: Float64Array, b: Float64Array, k: number): TopKOverlap {
  const kk = Math.min(k, a.length);
  const inA = new Uint8Array(a.length);
  for (const i of topKIndices(a, kk)) inA[i] = 1;
  let shared = 0;
  for (const i of topKIndices(b, kk)) shared += inA[i]!;
  const union = 2 * kk - shared;
  return { k: kk, shared, jaccard: union > 0 ? shared / union : 1 };
}

/** Average ranks (1-based), ties sharing the mean of their positions: scipy.stats.rankdata('average'). */
export function averageRanks(x: Float64Array): Float64Array {
  const n = x.length;
  const idx = Uint32Array.from({ length: n }, (_, i) => i).sort((i, j) => x[i]! - x[j]!);
  const r = new Float64Array(n);
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && x[idx[e]!] === x[idx[s]!]) e++;
    const rank = (s + 1 + e) / 2;
    for (let t = s; t < e; t++) r[idx[t]!] = rank;
    s = e;
  }
  return r;
}

/** Spearman's rho: the Pearson correlation of the average ranks; null when either is constant. */
export function spearman(a: Float64Array, b: Float64Array): number | null {
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const n = a.length;
  if (n < 2) return null;
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i]! - mean;
    const db = rb[i]! - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return null;
  return sab / Math.sqrt(saa * sbb);
}

/** The verdict on two halves' AUROCs (all sites concatenated in model order). */
export function stabilityOf(a: Float64Array, b: Float64Array, split: HalfSplit, seed: number): Stability {
  const ks = [...new Set(STABILITY_KS.map((k) => Math.min(k, a.length)))];
  const topK = ks.map((k) => topKOverlap(a, b, k));
  const ruleK = Math.min(STABLE_K, a.length);
  const at = topK.find((t) => t.k === ruleK) ?? topKOverlap(a, b, ruleK);
  const stable = at.jaccard >= STABLE_JACCARD;
  const rule = `stable when the top-${ruleK} experts of two seeded half-splits of each class overlap with Jaccard >= ${STABLE_JACCARD}`;
  const out: Stability = {
    seed,
    halves: {
      a: { positives: split.pos.held.length, negatives: split.neg.held.length },
      b: { positives: split.pos.rank.length, negatives: split.neg.rank.length },
    },
    neurons: a.length,
    topK,
    spearman: spearman(a, b),
    stable,
    rule,
  };
  if (!stable) {
    out.warning = `unstable experts: the top ${ruleK} of two halves of the data share ${at.shared} neurons (Jaccard ${at.jaccard.toFixed(2)} < ${STABLE_JACCARD}); more examples per class are needed before these experts mean much`;
  }
  return out;
}

/** Per neuron: is it among the top k (k = STABLE_K, capped) of half A and of half B. */
export function neuronStability(a: Float64Array, b: Float64Array): { inA: Uint8Array; inB: Uint8Array } {
  const k = Math.min(STABLE_K, a.length);
  const inA = new Uint8Array(a.length);
  const inB = new Uint8Array(a.length);
  for (const i of topKIndices(a, k)) inA[i] = 1;
  for (const i of topKIndices(b, k)) inB[i] = 1;
  return { inA, inB };
}
