// The gain a ranked neuron gets under the current settings, computed on the page for the table's
// "gain" column without a round trip. It mirrors src/aura/methods.ts (a unit test holds them equal):
// rows arrive sorted the way top-k methods cut ties, so "among the top k" is simply "row < k".
import type { InterventionSettings, NeuronOverride } from './protocol';

const DEFAULT_DAMP_ALPHA = 0.5;

/** Full-strength gain of the neuron at rank `row` with AUROC `auroc`. */
export function fullGain(settings: InterventionSettings, row: number, auroc: number): number {
  const expert = settings.k === null || settings.method === 'aura' ? auroc > 0.5 : row < settings.k;
  if (!expert) return 1;
  if (settings.method === 'aura') return 1 - 2 * (auroc - 0.5);
  if (settings.method === 'det0') return 0;
  return settings.alpha ?? DEFAULT_DAMP_ALPHA;
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
