// How often a profile records its finished batches (progress.json, after the data it names is synced).
// Syncing every batch cost more than the forward passes on small models, so by default an interruption
// loses at most about two seconds of work. AURA_LENS_SYNC_MS sets the interval (0: after every batch) for
// nodes that are preempted often, and for tests that must interrupt a shard after a known batch.
import { AuraUserError } from '../errors';

export const DEFAULT_SYNC_MS = 2000;

export function syncEveryMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.AURA_LENS_SYNC_MS;
  if (raw === undefined || raw === '') return DEFAULT_SYNC_MS;
  if (!/^\d+$/.test(raw)) throw new AuraUserError(`AURA_LENS_SYNC_MS: expected milliseconds (a whole number, 0 for every batch), got ${JSON.stringify(raw.slice(0, 40))}`);
  return Number(raw);
}
