// How far apart two engines' AUROCs of one neuron may honestly be. Both sides pool float32
// activations that differ in the last bits, and AUROC only counts which of a toxic and a non-toxic
// response is larger, so a near-tied pair can come out the other way round. A fixed tolerance
// (1e-3 before) is a guess; this is a bound.
//
// AUROC depends only on each class's sorted responses. Pair the i-th smallest response of a class on
// one side with the i-th smallest on the other; let delta be the largest difference over those pairs
// (both classes). A (toxic, non-toxic) pair whose responses on our side are more than 2*delta apart
// keeps its order on the other side, so only pairs within 2*delta can change the count, each by at
// most 1: |AUROC(ours) - AUROC(theirs)| <= #{pairs within 2*delta} / (positives * negatives).
// When the two sides agree to the last bit the bound is 0 and the AUROCs must be equal.

/** Ascending copy of column `j` of a row-major [rows, neurons] matrix. */
export function sortedColumn(m: Float32Array, rows: number, neurons: number, j: number): Float64Array {
  const c = new Float64Array(rows);
  for (let r = 0; r < rows; r++) c[r] = m[r * neurons + j]!;
  return c.sort();
}

/** The largest difference between two ascending arrays of the same length, element by element. */
export function sortedDelta(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Pairs (p, n) with |pos[p] - neg[n]| <= width, both ascending: a sliding window, O(P + N). */
export function pairsWithin(pos: Float64Array, neg: Float64Array, width: number): number {
  let lo = 0;
  let hi = 0;
  let count = 0;
  for (let p = 0; p < pos.length; p++) {
    const x = pos[p]!;
    while (lo < neg.length && neg[lo]! < x - width) lo++;
    if (hi < lo) hi = lo;
    while (hi < neg.length && neg[hi]! <= x + width) hi++;
    count += hi - lo;
  }
  return count;
}

/**
 * The bound for one neuron, from each side's sorted responses per class: delta (how far the two
 * sides' sorted responses are apart) and the largest AUROC difference it allows.
 */
export function aurocDifferenceBound(oursPos: Float64Array, oursNeg: Float64Array, theirsPos: Float64Array, theirsNeg: Float64Array): { delta: number; bound: number } {
  const delta = Math.max(sortedDelta(oursPos, theirsPos), sortedDelta(oursNeg, theirsNeg));
  if (!Number.isFinite(delta)) return { delta, bound: Infinity };
  return { delta, bound: pairsWithin(oursPos, oursNeg, 2 * delta) / (oursPos.length * oursNeg.length) };
}
