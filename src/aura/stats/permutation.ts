/**
 * The label-permutation null, pooled across neurons: the labels are shuffled R times (seeded), every
 * neuron's AUROC is measured under each shuffle, and all R * neurons values form one null distribution.
 * The panel draws it over the AUROC histogram; its share of Mann-Whitney p-values at or below 0.05 checks
 * that the normal approximation behind the q-values is calibrated on this data (about 0.05 when it is).
 *
 * A permutation moves labels, not responses, so a neuron's sorted order is the same under every
 * shuffle: its null AUROC is the rank sum of the shuffled positives (nullFromRanks), read off the
 * sorted column the other statistics already built, with no new sort.
 */
import { mulberry32, shuffleInPlace } from '../random';
import type { SortedColumn } from './column';

/**
 * The examples each permutation calls toxic: for permutation r, the labels are shuffled by
 * Fisher-Yates with mulberry32(seed + r) over examples 0..P+Q-1 (0..P-1 toxic, P.. non-toxic), and
 * the first P of the shuffled order are its positives.
 */
export function permutationPositives(P: number, Q: number, permutations: number, seed: number): Int32Array[] {
  const out: Int32Array[] = [];
  for (let r = 0; r < permutations; r++) {
    const rows = shuffleInPlace(Array.from({ length: P + Q }, (_, i) => i), mulberry32(seed + r));
    out.push(Int32Array.from(rows.slice(0, P)));
  }
  return out;
}

/**
 * Twice each example's mid-rank (1-based; tied responses share their average rank) in `col`, by
 * example index: an integer, so rank sums stay exact.
 */
export function twiceMidRanks(col: SortedColumn, out: Int32Array): Int32Array {
  const { order, groupEnd } = col;
  let start = 0;
  for (let k = 0; k < order.length; k++) {
    if (!groupEnd[k]) continue;
    // Positions start..k hold ranks start+1..k+1, whose mean doubled is start + k + 2.
    const r2 = start + k + 2;
    for (let g = start; g <= k; g++) out[order[g]!] = r2;
    start = k + 1;
  }
  return out;
}

/**
 * The AUROC of one neuron under each permutation, written to out[r * stride + offset]: 2U = 2 Σ R_i
 * over the permutation's positives minus P(P + 1), the same integer the AUROC's own count gives for
 * those labels, divided by 2PQ.
 */
export function nullFromRanks(twoRanks: Int32Array, positives: Int32Array[], P: number, Q: number, out: Float64Array, stride: number, offset: number): void {
  const base = P * (P + 1);
  const denom = 2 * P * Q;
  for (let r = 0; r < positives.length; r++) {
    const pos = positives[r]!;
    let s = 0;
    for (let i = 0; i < pos.length; i++) s += twoRanks[pos[i]!]!;
    out[r * stride + offset] = (s - base) / denom;
  }
}

/** Counts of values in `bins` equal bins over [0, 1] (1 falls in the last). */
export function histogram(values: Float64Array, bins: number): number[] {
  const h = new Array<number>(bins).fill(0);
  for (const v of values) h[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]!++;
  return h;
}
