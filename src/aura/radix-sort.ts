/**
 * The one radix sort of int32 keys (floatKey's order-preserving keys of float32 responses), used by
 * the AUROC (keys alone) and by the statistics' sorted columns (keys carrying example indices), and
 * the one count of twice the Mann-Whitney U over two sorted runs.
 */

// One histogram per digit: separate arrays and one pass function called with constant shifts (V8
// inlines it and folds them) drop the index arithmetic, about 30% faster than one table indexed by
// pass. Each worker thread has its own module instance, so sharing them across calls is safe.
const C0 = new Int32Array(256);
const C1 = new Int32Array(256);
const C2 = new Int32Array(256);
const C3 = new Int32Array(256);

function toOffsets(c: Int32Array): void {
  let sum = 0;
  for (let d = 0; d < 256; d++) {
    const x = c[d]!;
    c[d] = sum;
    sum += x;
  }
}

/** One stable scatter by the digit (v >> shift) & 255, flipped by `flip` (128 for the sign digit). */
function scatter(len: number, src: Int32Array, dst: Int32Array, srcI: Int32Array | undefined, dstI: Int32Array | undefined, c: Int32Array, shift: number, flip: number): void {
  toOffsets(c);
  if (srcI && dstI) {
    for (let i = 0; i < len; i++) {
      const v = src[i]!;
      const at = c[((v >> shift) & 255) ^ flip]!++;
      dst[at] = v;
      dstI[at] = srcI[i]!;
    }
  } else {
    for (let i = 0; i < len; i++) {
      const v = src[i]!;
      dst[c[((v >> shift) & 255) ^ flip]!++] = v;
    }
  }
}

/**
 * Stable LSD radix sort of keys[0..len), 4 passes of 8 bits (the top digit's sign bit flipped so
 * negatives come first); a pass is skipped when every key has the same digit. With `index` and
 * `indexTmp`, index[i] travels with keys[i]. Returns whichever of `keys` and `tmp` holds the sorted
 * keys; the indices are then in the matching one of `index` and `indexTmp`.
 */
export function radixSort(len: number, keys: Int32Array, tmp: Int32Array, index?: Int32Array, indexTmp?: Int32Array): Int32Array {
  if (len === 0) return keys;
  C0.fill(0);
  C1.fill(0);
  C2.fill(0);
  C3.fill(0);
  for (let i = 0; i < len; i++) {
    const v = keys[i]!;
    C0[v & 255]!++;
    C1[(v >> 8) & 255]!++;
    C2[(v >> 16) & 255]!++;
    C3[(v >>> 24) ^ 128]!++;
  }
  let src = keys;
  let dst = tmp;
  let srcI = index;
  let dstI = indexTmp;
  let t: Int32Array | undefined;
  if (C0[src[0]! & 255] !== len) {
    scatter(len, src, dst, srcI, dstI, C0, 0, 0);
    t = src; src = dst; dst = t;
    t = srcI; srcI = dstI; dstI = t;
  }
  if (C1[(src[0]! >> 8) & 255] !== len) {
    scatter(len, src, dst, srcI, dstI, C1, 8, 0);
    t = src; src = dst; dst = t;
    t = srcI; srcI = dstI; dstI = t;
  }
  if (C2[(src[0]! >> 16) & 255] !== len) {
    scatter(len, src, dst, srcI, dstI, C2, 16, 0);
    t = src; src = dst; dst = t;
    t = srcI; srcI = dstI; dstI = t;
  }
  if (C3[(src[0]! >>> 24) ^ 128] !== len) {
    scatter(len, src, dst, srcI, dstI, C3, 24, 128);
    src = dst;
  }
  return src;
}

/**
 * 2U for sorted p and q (int32 keys or float64 values, NaN excluded): each pair with p > q counts 2,
 * each tie 1, without data-dependent branches: 2U = Σ_i (#q < p_i) + (#q ≤ p_i), each sum one merge
 * that advances either q (t = 1) or p (t = 0, adding how many q are behind). On continuous data a
 * branchy merge mispredicts about once per element; these take the same steps whatever the data.
 * The first merge also notes whether any p equals a q (when p_i is taken, q[j] is the least q ≥ p_i);
 * without such a tie #q ≤ p_i = #q < p_i and the second merge, a third of the time of a neuron, is
 * skipped. Exact while 2*P*Q < 2^53.
 */
export function twiceUSorted(p: Int32Array | Float64Array, q: Int32Array | Float64Array, P = p.length, Q = q.length): number {
  let less = 0;
  let tied = 0;
  let i = 0;
  let j = 0;
  while (i < P && j < Q) {
    const qj = q[j]!;
    const pi = p[i]!;
    const t = +(qj < pi);
    tied |= +(qj === pi);
    j += t;
    i += 1 - t;
    less += (1 - t) * j;
  }
  less += (P - i) * Q; // q ran out: every remaining p is above all of q
  if (tied === 0) return 2 * less;
  let lessEq = 0;
  i = 0;
  j = 0;
  while (i < P && j < Q) {
    const t = +(q[j]! <= p[i]!);
    j += t;
    i += 1 - t;
    lessEq += (1 - t) * j;
  }
  lessEq += (P - i) * Q;
  return less + lessEq;
}
