/**
 * One neuron's responses in sorted order with their tie groups: the structure every statistic here
 * reuses (AUROC, bootstrap resamples, Mann-Whitney tie correction) so that nothing sorts twice.
 */
import { floatKey } from '../auroc';
import { radixSort, twiceUSorted } from '../radix-sort';
import type { ResponseMatrix } from '../auroc';

export interface SortedColumn {
  /** Example indices in ascending order of response: 0..P-1 positives, P..P+Q-1 negatives. */
  order: Int32Array;
  /** 1 at the last position of each run of equal responses. */
  groupEnd: Uint8Array;
  /** Each class's keys (floatKey) in ascending order: what the AUROC counts. */
  posKeys: Int32Array;
  negKeys: Int32Array;
}

/** Scratch buffers reused across neurons of one call: keys and example indices, and a second copy of
 *  each for the radix sort's passes. */
export interface ColumnScratch {
  keys: Int32Array;
  keysTmp: Int32Array;
  index: Int32Array;
  indexTmp: Int32Array;
}

export function columnScratch(P: number, Q: number): ColumnScratch {
  const N = P + Q;
  return { keys: new Int32Array(N), keysTmp: new Int32Array(N), index: new Int32Array(N), indexTmp: new Int32Array(N) };
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** Neurons gathered per block, and rows per tile of the gather: the same layout as the AUROC's (auroc.ts). */
export const COLUMN_BLOCK = 32;
const TILE = 16;

/**
 * Keys (floatKey of the float32 value) of neurons first..first+width-1, neuron-major: out[w*(P+Q) + i]
 * for toxic example i < P, then the non-toxic ones. Reading a column of a row-major matrix touches a
 * cache line per row; a tile of rows is read for every neuron of the block while it is in cache.
 */
export function gatherColumnKeys(pos: ResponseMatrix, neg: ResponseMatrix, n: number, first: number, width: number, out: Int32Array): void {
  const P = pos.length / n;
  const N = P + neg.length / n;
  gatherRows(pos, n, P, first, width, N, 0, out);
  gatherRows(neg, n, N - P, first, width, N, P, out);
}

function gatherRows(m: ResponseMatrix, n: number, rows: number, first: number, width: number, stride: number, offset: number, out: Int32Array): void {
  const bits = m instanceof Float32Array ? new Int32Array(m.buffer, m.byteOffset, m.length) : undefined;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let w = 0; w < width; w++) {
      const col = w * stride + offset;
      if (bits) {
        for (let r = r0, src = r0 * n + first + w; r < r1; r++, src += n) out[col + r] = floatKey(bits[src]!);
      } else {
        for (let r = r0, src = r0 * n + first + w; r < r1; r++, src += n) {
          F32[0] = m[src]!;
          out[col + r] = floatKey(I32[0]!);
        }
      }
    }
  }
}

// Keys of -Infinity and +Infinity; a NaN's key (any payload, either sign) lies outside them.
const KEY_NEG_INF = -0x7f800000;
const KEY_POS_INF = 0x7f800000;

/** The class of the first NaN among one neuron's keys (laid out as gatherColumnKeys writes them), or undefined. */
export function nanClass(keys: Int32Array, offset: number, P: number, N: number): 'toxic' | 'non-toxic' | undefined {
  for (let i = 0; i < N; i++) {
    const v = keys[offset + i]!;
    if (v < KEY_NEG_INF || v > KEY_POS_INF) return i < P ? 'toxic' : 'non-toxic';
  }
  return undefined;
}

/**
 * Sorts neuron `k` of the [P, n] and [Q, n] matrices (float64 values rounded to float32, as the
 * AUROC orders them); see sortColumnKeys.
 */
export function sortColumn(pos: ResponseMatrix, neg: ResponseMatrix, n: number, k: number, s: ColumnScratch, out?: SortedColumn): SortedColumn {
  const P = pos.length / n;
  gatherColumnKeys(pos, neg, n, k, 1, s.keys);
  return sortColumnKeys(s.keys, 0, P, P + neg.length / n, s, out);
}

/**
 * Sorts one neuron's keys (source[offset..offset+P+Q), toxic first, as gatherColumnKeys writes them;
 * floatKey: -0 equal to +0) with their example indices by the AUROC's LSD radix sort
 * (src/aura/radix-sort.ts), 4 passes of 8 bits; the sort is stable, so equal responses keep
 * ascending example order.
 */
export function sortColumnKeys(source: Int32Array, offset: number, P: number, N: number, s: ColumnScratch, out?: SortedColumn): SortedColumn {
  const Q = N - P;
  let keys = s.keys;
  let index = s.index;
  if (source !== keys || offset !== 0) keys.set(source.subarray(offset, offset + N));
  for (let i = 0; i < N; i++) index[i] = i;
  const sorted = radixSort(N, keys, s.keysTmp, index, s.indexTmp);
  if (sorted !== keys) {
    keys = sorted;
    index = s.indexTmp;
  }
  const order = out?.order ?? new Int32Array(N);
  order.set(index.subarray(0, N));
  const groupEnd = out?.groupEnd ?? new Uint8Array(N);
  const posKeys = out?.posKeys ?? new Int32Array(P);
  const negKeys = out?.negKeys ?? new Int32Array(Q);
  let pi = 0;
  let ni = 0;
  for (let i = 0; i < N; i++) {
    const v = keys[i]!;
    if (index[i]! < P) posKeys[pi++] = v;
    else negKeys[ni++] = v;
    groupEnd[i] = i === N - 1 || v !== keys[i + 1] ? 1 : 0;
  }
  return { order, groupEnd, posKeys, negKeys };
}

/** 2*U (twice the Mann-Whitney U of the positives, ties counting one half): the AUROC's count. */
export function twiceU(col: SortedColumn): number {
  return twiceUSorted(col.posKeys, col.negKeys);
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
