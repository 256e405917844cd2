// The ranked experts cross from the model process as typed columns: a 1.4M-row JS array costs the
// extension host close to a second to deserialise, a typed array of the same length about 20 ms.
import type { ExpertsSnapshot } from '../../shared/protocol';
import type { RankedExperts } from './api';

export function expertsToWire(e: ExpertsSnapshot): RankedExperts {
  return { ...e, site: Int32Array.from(e.site), neuron: Int32Array.from(e.neuron), auroc: Float64Array.from(e.auroc) };
}

/** The panel's snapshot of what arrived (a plain copy of each column, done once per profile). */
export function expertsFromWire(e: RankedExperts): ExpertsSnapshot {
  return { ...e, site: Array.from(e.site), neuron: Array.from(e.neuron), auroc: Array.from(e.auroc) };
}
