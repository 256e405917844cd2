/**
 * The label-permutation null, pooled across neurons: the labels are shuffled R times (seeded), every
 * neuron's AUROC is measured under each shuffle, and all R * neurons values form one null distribution.
 * The panel draws it over the AUROC histogram; its share of Mann-Whitney p-values at or below 0.05 checks
 * that the normal approximation behind the q-values is calibrated on this data (about 0.05 when it is).
 */
import { aurocPerNeuron } from '../auroc';
import { mulberry32, shuffleInPlace } from '../random';
import { selectRows } from './split';

/** AUROCs of every neuron under R label permutations, concatenated: Float64Array(R * n). */
export function permutationNull(pos: Float32Array, neg: Float32Array, n: number, permutations: number, seed: number): Float64Array {
  const P = pos.length / n;
  const Q = neg.length / n;
  const all = new Float32Array((P + Q) * n);
  all.set(pos, 0);
  all.set(neg, P * n);
  const out = new Float64Array(permutations * n);
  for (let r = 0; r < permutations; r++) {
    const rows = shuffleInPlace(Array.from({ length: P + Q }, (_, i) => i), mulberry32(seed + r));
    const a = aurocPerNeuron(selectRows(all, n, Uint32Array.from(rows.slice(0, P))), selectRows(all, n, Uint32Array.from(rows.slice(P))), n);
    out.set(a, r * n);
  }
  return out;
}

/** Counts of values in `bins` equal bins over [0, 1] (1 falls in the last). */
export function histogram(values: Float64Array, bins: number): number[] {
  const h = new Array<number>(bins).fill(0);
  for (const v of values) h[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]!++;
  return h;
}
