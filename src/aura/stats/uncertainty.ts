/**
 * Per-neuron uncertainty from the stored responses, with no new forward pass (issue 9, item 1):
 * - a stratified bootstrap percentile interval of the AUROC: each resample draws P toxic and Q
 *   non-toxic examples with replacement (the same draws for every neuron, since they resample texts),
 *   and its AUROC comes from the neuron's sorted order (prefix sums of the resample's weights over
 *   the sorted non-toxic responses), never a new sort;
 * - the one-sided Mann-Whitney p-value (normal approximation with tie correction), and
 *   Benjamini-Hochberg q-values across every neuron of every site (see significance.ts).
 */
import { AuraUserError } from '../errors';
import { mulberry32 } from '../random';
import { COLUMN_BLOCK, columnScratch, gatherColumnKeys, nanClass, resampleLayout, sortColumnKeys, tieTerm, twiceU, twiceUResampled } from './column';
import { placementVariance, needsBootstrap } from './interval-screen';
import { mannWhitneyGreaterP } from './mann-whitney';
import { normalUpperQuantile } from './normal';
import { MIN_PER_CLASS } from './small-sample';
import { nullFromRanks, twiceMidRanks } from './permutation';
import type { ResponseMatrix } from '../auroc';
import type { ResampleLayout, SortedColumn } from './column';

export interface BootstrapOptions {
  /** Resamples; default 200. */
  resamples?: number;
  /** Two-sided level of the interval; default 0.95. */
  confidence?: number;
  /** Seed of the resampling; default 0. */
  seed?: number;
  /** Called after each neuron with the count done (progress of a long bootstrap). */
  onNeuron?: (done: number) => void;
  /**
   * 'all' (default): every neuron's interval is its bootstrap percentile interval. 'screened': only
   * neurons whose near-chance verdict the bootstrap could change get one (interval-screen.ts); the
   * rest get the normal interval AUROC ± z·SE.
   */
  intervals?: 'all' | 'screened';
  /** Positives of each label permutation (permutationPositives): the null AUROCs are measured on the same sorted columns. */
  permutations?: Int32Array[];
}

export interface NeuronUncertainty {
  auroc: Float64Array;
  /** Bootstrap percentile interval of the AUROC. */
  ciLow: Float64Array;
  ciHigh: Float64Array;
  /** One-sided p-value for AUROC > 0.5. */
  p: Float64Array;
  /** Σ (t³ - t) over tie groups, per neuron: unchanged by a label permutation. */
  ties: Float64Array;
  /** 1 where the interval is the bootstrap's (every neuron unless intervals is 'screened'). */
  bootstrapped: Uint8Array;
  /** AUROC of neuron k under permutation r at r * n + k (with `permutations`). */
  null: Float64Array;
}

/**
 * Resample counts, one Uint16Array(P + Q) per resample: index i < P counts toxic example i, P + j
 * non-toxic example j. Drawn in this order from one mulberry32 stream: for each resample, P uniform
 * indices among the toxic examples, then Q among the non-toxic ones.
 */
export function bootstrapCounts(P: number, Q: number, resamples: number, seed: number): Uint16Array[] {
  if (P > 65535 || Q > 65535) throw new RangeError(`bootstrap supports up to 65535 examples per class, got ${P} and ${Q}`);
  const rng = mulberry32(seed);
  const out: Uint16Array[] = [];
  for (let b = 0; b < resamples; b++) {
    const w = new Uint16Array(P + Q);
    for (let i = 0; i < P; i++) w[Math.floor(rng() * P)]!++;
    for (let j = 0; j < Q; j++) w[P + Math.floor(rng() * Q)]!++;
    out.push(w);
  }
  return out;
}

/** numpy.percentile's default ("linear") of sorted values, q in [0, 1]. */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** AUROC, bootstrap interval and p-value of every neuron of one site ([P, n] and [Q, n] float32 responses). */
export function neuronUncertainty(pos: ResponseMatrix, neg: ResponseMatrix, n: number, o: BootstrapOptions = {}): NeuronUncertainty {
  const P = pos.length / n;
  const Q = neg.length / n;
  if (!Number.isInteger(P) || !Number.isInteger(Q)) throw new RangeError(`responses are not multiples of ${n} neurons`);
  if (P === 0 || Q === 0) throw new AuraUserError(`statistics need both classes, but there are ${P} toxic and ${Q} non-toxic examples`);
  const B = o.resamples ?? 200;
  const confidence = o.confidence ?? 0.95;
  if (!Number.isInteger(B) || B < 0) throw new AuraUserError(`--bootstrap: ${B} is not a count of resamples`);
  if (!(confidence > 0 && confidence < 1)) throw new AuraUserError(`--confidence: ${confidence} is not in (0, 1)`);
  const counts = bootstrapCounts(P, Q, B, o.seed ?? 0);
  const scratch = columnScratch(P, Q);
  const col: SortedColumn = { order: new Int32Array(P + Q), groupEnd: new Uint8Array(P + Q), posKeys: new Int32Array(P), negKeys: new Int32Array(Q) };
  const samples = new Float64Array(B);
  const layout: ResampleLayout = { negIdx: new Int32Array(Q), posIdx: new Int32Array(P), lo: new Int32Array(P), hi: new Int32Array(P) };
  const prefix = new Float64Array(Q + 1);
  const perms = o.permutations ?? [];
  const out: NeuronUncertainty = {
    auroc: new Float64Array(n),
    ciLow: new Float64Array(n),
    ciHigh: new Float64Array(n),
    p: new Float64Array(n),
    ties: new Float64Array(n),
    bootstrapped: new Uint8Array(n),
    null: new Float64Array(perms.length * n),
  };
  const twoRanks = new Int32Array(P + Q);
  // Below MIN_PER_CLASS examples a class is too small for the normal approximation: bootstrap every neuron.
  const screened = o.intervals === 'screened' && P >= MIN_PER_CLASS && Q >= MIN_PER_CLASS;
  // The normal interval that B resamples' percentiles estimate: numpy's linear percentile of B sorted
  // values sits at order statistic h + 1 = (B - 1)·(1 - confidence)/2 + 1 of B, which on average is
  // the (h + 1)/(B + 1) quantile, a little inside (1 - confidence)/2 for a small B.
  const z = normalUpperQuantile(B > 0 ? ((B - 1) * ((1 - confidence) / 2) + 1) / (B + 1) : (1 - confidence) / 2);
  const denom = 2 * P * Q;
  const N = P + Q;
  const block = new Int32Array(COLUMN_BLOCK * N);
  for (let k = 0; k < n; k++) {
    const w = k % COLUMN_BLOCK;
    if (w === 0) gatherColumnKeys(pos, neg, n, k, Math.min(COLUMN_BLOCK, n - k), block);
    const nan = nanClass(block, w * N, P, N);
    if (nan) throw new AuraUserError(`responses of neuron ${k} are NaN for some ${nan} examples; the model produced NaN`);
    sortColumnKeys(block, w * N, P, N, scratch, col);
    const u2 = twiceU(col);
    const auroc = u2 / denom;
    out.auroc[k] = auroc;
    out.ties[k] = tieTerm(col);
    out.p[k] = mannWhitneyGreaterP(u2 / 2, P, Q, out.ties[k]!);
    if (perms.length) nullFromRanks(twiceMidRanks(col, twoRanks), perms, P, Q, out.null, n, k);
    if (B === 0) continue; // intervals not asked for: AUROC and p-value only
    if (screened) {
      const se = Math.sqrt(placementVariance(col, P, Q, auroc));
      if (!needsBootstrap(auroc, se, z)) {
        out.ciLow[k] = Math.max(0, auroc - z * se);
        out.ciHigh[k] = Math.min(1, auroc + z * se);
        o.onNeuron?.(k + 1);
        continue;
      }
    }
    out.bootstrapped[k] = 1;
    resampleLayout(col, P, Q, layout);
    for (let b = 0; b < B; b++) samples[b] = twiceUResampled(layout, counts[b]!, prefix) / denom;
    samples.sort();
    out.ciLow[k] = percentileSorted(samples, (1 - confidence) / 2);
    out.ciHigh[k] = percentileSorted(samples, 1 - (1 - confidence) / 2);
    o.onNeuron?.(k + 1);
  }
  return out;
}
