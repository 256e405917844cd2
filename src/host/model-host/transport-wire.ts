// Linear-AcT and Mean-AcT for the panel (issue 9, item 3): fitted in the model process from the
// profile's mean-pooled responses (reading them is tens of MB and a sort per neuron), sent as typed
// arrays, and taken by the host's InterventionState, which then only rescales them by the strength.
import { TRANSPORT_METHODS, transportSitesFromProfile } from '../../aura/transport';
import type { InferOutput } from 'valibot';
import type { TransportFitsByMethod } from '../../aura/stats/cache';
import type { TransportFitsSchema } from '../../shared/model-messages';
import type { TransportFits } from '../intervention-state';

export type TransportWire = InferOutput<typeof TransportFitsSchema>;

/** Both transport methods fitted on the whole profile in `dir` (as `aura-lens fit --method` does without --held-out). */
export function transportFitsOf(dir: string): TransportWire {
  return transportWireOf(new Map(TRANSPORT_METHODS.map((m) => [m, transportSitesFromProfile(dir, m)])));
}

/** The fits per method (computed or read from the profile folder's cache) in the wire's shape. */
export function transportWireOf(fits: TransportFitsByMethod): TransportWire {
  const of = (m: (typeof TRANSPORT_METHODS)[number]) => (fits.get(m) ?? []).map(({ siteId, fit }) => ({ siteId, ...fit }));
  return { 'linear-act': of('linear-act'), 'mean-act': of('mean-act') };
}

export function transportFromWire(w: TransportWire): TransportFits {
  // A method without maps (a profile too small to fit it) is absent, so the panel does not offer it.
  return new Map(TRANSPORT_METHODS.filter((m) => w[m].length > 0).map((m) => [m, w[m].map(({ siteId, ...fit }) => ({ siteId, fit }))]));
}
