// The ranked experts cross from the model process as typed columns: a 1.4M-row JS array costs the
// extension host close to a second to deserialise, a typed array of the same length about 20 ms.
// The panel's snapshot keeps them typed (Uint32/Float64), so they go on to the page as binary too.
import { checkSampleSize } from '../../aura/stats/small-sample';
import type { ExpertsSnapshot } from '../../shared/protocol';
import type { RankedExperts } from './api';

export function expertsToWire(e: ExpertsSnapshot): RankedExperts {
  return { ...e, site: Int32Array.from(e.site), neuron: Int32Array.from(e.neuron), auroc: Float64Array.from(e.auroc) };
}

let profiles = 0;
/** A key per profile and per extension host session: a result kept across a reload never matches a new profile's key. */
const session = Math.floor(Math.random() * 36 ** 6).toString(36);

/** The panel's snapshot of what arrived: typed columns, a key per profile, and the small-profile warning. */
export function expertsFromWire(e: RankedExperts): ExpertsSnapshot {
  const check = checkSampleSize(e.positives, e.negatives);
  return {
    ...e,
    key: `profile-${session}-${++profiles}`,
    // Views, not copies: the columns arrived in buffers of their own (bulk-wire.ts), and copying 1.4M
    // rows took the host's thread ~25 ms. Indices are below 2^31, so the Int32 bits read as Uint32.
    site: new Uint32Array(e.site.buffer, e.site.byteOffset, e.site.length),
    neuron: new Uint32Array(e.neuron.buffer, e.neuron.byteOffset, e.neuron.length),
    auroc: e.auroc,
    ...(check.tooSmall ? { warning: `Profile too small to trust: ${check.warnings.join('; ')}.` } : {}),
  };
}
