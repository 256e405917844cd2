// Linear-AcT and Mean-AcT for the panel (issue 9, item 3): fitted in the model process from the
// profile's mean-pooled responses (reading them is tens of MB and a sort per neuron), sent as typed
// arrays, and taken by the host's InterventionState, which then only rescales them by the strength.
import { TRANSPORT_METHODS, transportSitesFromProfile } from '../../aura/transport';
import type { InferOutput } from 'valibot';
import type { TransportFitsSchema } from '../../shared/model-messages';
import type { TransportFits } from '../intervention-state';

export type TransportWire = InferOutput<typeof TransportFitsSchema>;

/** Both transport methods fitted on the whole profile in `dir` (as `aura-lens fit --method` does without --held-out). */
export function transportFitsOf(dir: string): TransportWire {
  const fit = (m: (typeof TRANSPORT_METHODS)[number]) => transportSitesFromProfile(dir, m).map(({ siteId, fit }) => ({ siteId, ...fit }));
  return { 'linear-act': fit('linear-act'), 'mean-act': fit('mean-act') };
}

export function transportFromWire(w: TransportWire): TransportFits {
  return new Map(TRANSPORT_METHODS.map((m) => [m, w[m].map(({ siteId, ...fit }) => ({ siteId, fit }))]));
}
