/**
 * One neuron's responses in sorted order with their tie groups: the structure every statistic here
 * reuses (AUROC, bootstrap resamples, Mann-Whitney tie correction) so that nothing sorts twice.
 */
import type { ResponseMatrix } from '../auroc';

export interface SortedColumn {
  /** Example indices in ascending order of response: 0..P-1 positives, P..P+Q-1 negatives. */
  order: Int32Array;
  /** 1 at the last position of each run of equal responses. */
  groupEnd: Uint8Array;
}

/** Scratch buffers reused across neurons of one call. */
export interface ColumnScratch {
  packed: Float64Array;
  keys: Int32Array;
}

export function columnScratch(P: number, Q: number): ColumnScratch {
  if (P + Q > 1 << 21) throw new RangeError(`too many examples for the statistics (${P + Q}; at most ${1 << 21})`);
  return { packed: new Float64Array(P + Q), keys: new Int32Array(P + Q) };
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** An int32 with the order of the float32 value (-0 equal to +0), as the AUROC's radix sort uses. */
function floatKey(x: number): number {
  F32[0] = x;
  const bits = I32[0]!;
  if (bits === -0x80000000) return 0;
  return bits < 0 ? bits ^ 0x7fffffff : bits;
}

/**
 * Sorts neuron `k` of the [P, n] and [Q, n] float32 matrices. Each example becomes one float64,
 * key * 2^21 + index, exact below 2^53, so a native numeric sort orders by value and keeps the index.
 */
export function sortColumn(pos: ResponseMatrix, neg: ResponseMatrix, n: number, k: number, s: ColumnScratch, out?: SortedColumn): SortedColumn {
  const P = pos.length / n;
  const Q = neg.length / n;
  const N = P + Q;
  const packed = s.packed.subarray(0, N);
  const keys = s.keys;
  for (let i = 0; i < P; i++) keys[i] = floatKey(pos[i * n + k]!);
  for (let j = 0; j < Q; j++) keys[P + j] = floatKey(neg[j * n + k]!);
  for (let i = 0; i < N; i++) packed[i] = keys[i]! * 2097152 + i;
  packed.sort();
  const order = out?.order ?? new Int32Array(N);
  for (let i = 0; i < N; i++) order[i] = packed[i]! - Math.floor(packed[i]! / 2097152) * 2097152;
  const groupEnd = out?.groupEnd ?? new Uint8Array(N);
  for (let i = 0; i < N; i++) groupEnd[i] = i === N - 1 || keys[order[i]!] !== keys[order[i + 1]!] ? 1 : 0;
  return { order, groupEnd };
}

/**
 * 2*U (twice the Mann-Whitney U of the positives) with per-example weights: each pair (p, q) with
 * p > q counts w_p*w_q*2, each tie w_p*w_q. Weights all 1 give the plain AUROC's numerator; bootstrap
 * resample counts give the resample's, in one pass over the sorted order.
 */
export function twiceU(col: SortedColumn, P: number, weights: Uint16Array | Uint8Array | undefined): number {
  const { order, groupEnd } = col;
  let negBelow = 0;
  let u2 = 0;
  let gPos = 0;
  let gNeg = 0;
  for (let k = 0; k < order.length; k++) {
    const e = order[k]!;
    const w = weights ? weights[e]! : 1;
    if (e < P) gPos += w;
    else gNeg += w;
    if (groupEnd[k]) {
      u2 += gPos * (2 * negBelow + gNeg);
      negBelow += gNeg;
      gPos = 0;
      gNeg = 0;
    }
  }
  return u2;
}

/**
 * A neuron's comparisons laid out for weighted resamples: the non-toxic examples in ascending order,
 * and for each toxic example the span [lo, hi) of non-toxic positions below it (lo) and tied with it
 * (lo..hi). A resample's 2U is then Σ_i w_i (2*C(lo_i) + C(hi_i) - C(lo_i)), with C the prefix sums
 * of the non-toxic weights: two branch-free sequential passes, no sort.
 */
export interface ResampleLayout {
  /** Weight indices (P + j) of the non-toxic examples in ascending order of response. */
  negIdx: Int32Array;
  /** Weight index of each toxic example, and its span among the sorted non-toxic examples. */
  posIdx: Int32Array;
  lo: Int32Array;
  hi: Int32Array;
}

export function resampleLayout(col: SortedColumn, P: number, Q: number, out?: ResampleLayout): ResampleLayout {
  const r = out ?? { negIdx: new Int32Array(Q), posIdx: new Int32Array(P), lo: new Int32Array(P), hi: new Int32Array(P) };
  const { order, groupEnd } = col;
  let negSeen = 0;
  let p = 0;
  let start = 0;
  for (let k = 0; k < order.length; k++) {
    if (!groupEnd[k]) continue;
    // Group [start, k]: its non-toxic members follow the negSeen already placed.
    const lo = negSeen;
    for (let g = start; g <= k; g++) if (order[g]! >= P) r.negIdx[negSeen++] = order[g]!;
    for (let g = start; g <= k; g++) {
      if (order[g]! < P) {
        r.posIdx[p] = order[g]!;
        r.lo[p] = lo;
        r.hi[p] = negSeen;
        p++;
      }
    }
    start = k + 1;
  }
  return r;
}

/** 2U of one resample from its weights; `prefix` is scratch of length Q + 1. */
export function twiceUResampled(layout: ResampleLayout, weights: Uint16Array, prefix: Float64Array): number {
  const { negIdx, posIdx, lo, hi } = layout;
  prefix[0] = 0;
  let c = 0;
  for (let j = 0; j < negIdx.length; j++) {
    c += weights[negIdx[j]!]!;
    prefix[j + 1] = c;
  }
  let u2 = 0;
  for (let i = 0; i < posIdx.length; i++) {
    const below = prefix[lo[i]!]!;
    u2 += weights[posIdx[i]!]! * (below + prefix[hi[i]!]!);
  }
  return u2;
}

/** Σ (t³ - t) over the tie groups: the Mann-Whitney variance correction. */
export function tieTerm(col: SortedColumn): number {
  let sum = 0;
  let run = 0;
  for (let k = 0; k < col.order.length; k++) {
    run++;
    if (col.groupEnd[k]) {
      sum += run * run * run - run;
      run = 0;
    }
  }
  return sum;
}
