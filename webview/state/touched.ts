// How many neurons a method touches (its full-strength gain differs from 1), computed on the page from
// the ranking so the count shows before the method or the top-k is applied; overrides are not counted.
// Rows are sorted by AUROC, descending, so the experts (AUROC > 0.5) are a prefix: a binary search
// finds them, and "the top k" is the first k rows (the rule of src/shared/row-gain.ts).
import type { InterventionSettings } from '../../src/shared/protocol';

/** The number of leading rows with AUROC > 0.5. */
export function expertCount(auroc: ArrayLike<number>): number {
  let lo = 0;
  let hi = auroc.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (auroc[mid]! > 0.5) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function touchedBy(settings: Pick<InterventionSettings, 'method' | 'k' | 'alpha'>, auroc: ArrayLike<number>): number {
  // Damp with alpha 1 multiplies by 1: nothing changes.
  if (settings.method === 'damp' && settings.alpha === 1) return 0;
  if (settings.method === 'aura' || settings.k === null) return expertCount(auroc);
  return Math.min(settings.k, auroc.length);
}

/** The methods whose gains the page mirrors (src/shared/row-gain.ts); others are counted by the host only. */
const MIRRORED = new Set(['aura', 'damp', 'det0']);

/** touchedBy for a method the page mirrors, else null: a registered method's rule is the host's. */
export function touchedByMirrored(settings: Pick<InterventionSettings, 'method' | 'k' | 'alpha'>, auroc: ArrayLike<number>): number | null {
  return MIRRORED.has(settings.method) ? touchedBy(settings, auroc) : null;
}
