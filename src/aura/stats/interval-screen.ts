/**
 * Which neurons need their bootstrap interval, for a profile that reports only what the intervals
 * decide (`profile`: how many experts are near chance, and the median width). Every neuron gets the
 * normal interval AUROC ± z·SE, with SE the stratified bootstrap's own large-sample standard error
 * (DeLong's placement variances with plug-in 1/n moments: what B resamples estimate as B grows). A
 * neuron whose normal lower bound lies within SCREEN_MARGIN standard errors of 0.5, on the expert side
 * (AUROC > 0.5), is bootstrapped exactly as the full computation does it, so its near-chance verdict
 * is the full computation's. Further away, the bootstrap's own Monte Carlo noise (about 0.27 SE for
 * the 2.5th percentile of 100 resamples) and the normal approximation's error would have to add up to
 * more than the margin for the two to disagree (tested against the full bootstrap of a Python
 * reference in test/unit/stats-screen.test.ts).
 */
import type { SortedColumn } from './column';

/** Standard errors around 0.5 within which a lower bound is bootstrapped. */
export const SCREEN_MARGIN = 1.5;

/**
 * The stratified bootstrap variance of the AUROC to first order: Σ(V10 - A)² / P² + Σ(V01 - A)² / Q²,
 * with V10 the share of non-toxic responses below a toxic one (ties one half) and V01 the share of
 * toxic responses above a non-toxic one.
 */
export function placementVariance(col: SortedColumn, P: number, Q: number, auroc: number): number {
  const { order, groupEnd } = col;
  let negSeen = 0;
  let posSeen = 0;
  let s10 = 0;
  let s01 = 0;
  let start = 0;
  for (let k = 0; k < order.length; k++) {
    if (!groupEnd[k]) continue;
    let gp = 0;
    for (let g = start; g <= k; g++) if (order[g]! < P) gp++;
    const gq = k + 1 - start - gp;
    if (gp) {
      const d = (negSeen + gq / 2) / Q - auroc;
      s10 += gp * d * d;
    }
    if (gq) {
      const d = (P - posSeen - gp / 2) / P - auroc;
      s01 += gq * d * d;
    }
    negSeen += gq;
    posSeen += gp;
    start = k + 1;
  }
  return s10 / (P * P) + s01 / (Q * Q);
}

/** Does this neuron's near-chance verdict need its bootstrap? (see the file's comment) */
export function needsBootstrap(auroc: number, se: number, z: number): boolean {
  if (!(auroc > 0.5)) return false; // not an expert: nearChance never counts it
  return Math.abs(auroc - z * se - 0.5) <= SCREEN_MARGIN * se;
}
