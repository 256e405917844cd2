/**
 * One-sided Mann-Whitney p-value that the toxic responses sit above the non-toxic ones (AUROC > 0.5),
 * by the normal approximation with tie correction and continuity correction, as scipy.stats.mannwhitneyu
 * (alternative="greater", method="asymptotic") computes it. Its tail is exact enough to resolve p-values
 * far below 1/neurons, which a permutation null with few permutations per neuron cannot.
 */
import { normalSf } from './normal';

export function mannWhitneyGreaterP(u: number, P: number, Q: number, tieTerm: number): number {
  const n = P + Q;
  const mu = (P * Q) / 2;
  const s = Math.sqrt(((P * Q) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(s > 0)) return 1; // every response tied: no evidence either way
  const z = (u - mu - 0.5) / s;
  return Math.min(1, Math.max(0, normalSf(z)));
}

/**
 * Benjamini-Hochberg q-values: q_(i) = min over j >= i of p_(j) * m / j, capped at 1, in the input's order.
 */
export function benjaminiHochberg(p: Float64Array): Float64Array {
  const m = p.length;
  const idx = Uint32Array.from({ length: m }, (_, i) => i).sort((a, b) => p[a]! - p[b]! || a - b);
  const q = new Float64Array(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = idx[r]!;
    running = Math.min(running, (p[i]! * m) / (r + 1));
    q[i] = running;
  }
  return q;
}
