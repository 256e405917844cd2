// The gain a ranked neuron gets under the current settings, computed on the page for the table's
// "gain" column without a round trip. The formulas are src/shared/method-gain.ts's, which
// src/aura/methods.ts fits with; rows arrive sorted the way top-k methods cut ties, so "among the
// top k" is simply "row < k".
import { auraGain, topKExpertGain } from './method-gain';
import type { InterventionSettings, NeuronOverride } from './protocol';

/** Full-strength gain of the neuron at rank `row` with AUROC `auroc`. */
export function fullGain(settings: InterventionSettings, row: number, auroc: number): number {
  const expert = settings.k === null || settings.method === 'aura' ? auroc > 0.5 : row < settings.k;
  if (!expert) return 1;
  if (settings.method === 'aura') return auraGain(auroc);
  return topKExpertGain(settings.method === 'det0' ? 'det0' : 'damp', settings.alpha);
}

/** The factor applied at the current strength: 1 - s*(1 - gain). Float32, as the engine applies it. */
export function appliedGain(gain: number, strength: number): number {
  return Math.fround(1 - strength * (1 - Math.fround(gain)));
}

export function overrideKey(site: string, neuron: number): string {
  return `${site}:${neuron}`;
}

export function overrideMap(overrides: readonly NeuronOverride[]): Map<string, number> {
  return new Map(overrides.map((o) => [overrideKey(o.site, o.neuron), o.gain]));
}
