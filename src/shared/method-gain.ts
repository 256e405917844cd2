// The per-neuron gain formulas of the gain-only methods, in one place: src/aura/methods.ts fits
// interventions with them and src/shared/row-gain.ts shows them in the panel's table (which has no
// round trip to the host), so the two cannot drift apart.

/** Damp's factor when --alpha is not given. */
export const DEFAULT_DAMP_ALPHA = 0.5;

/** AurA: 1 - 2*(AUROC - 0.5) for AUROC > 0.5 (one minus the Gini coefficient), else 1. */
export function auraGain(auroc: number): number {
  return auroc > 0.5 ? 1 - 2 * (auroc - 0.5) : 1;
}

/** The gain of a neuron chosen as an expert by a top-k method: Det0 sets it to 0, Damp to alpha. */
export function topKExpertGain(method: 'damp' | 'det0', alpha: number | null | undefined): number {
  return method === 'det0' ? 0 : (alpha ?? DEFAULT_DAMP_ALPHA);
}
