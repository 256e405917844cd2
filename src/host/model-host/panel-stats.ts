// The panel's statistics and transport fits for a finished profile folder, shared by Profile Concept
// and Open Profile Folder: read from the folder's cache (src/aura/stats/cache.ts) when they were
// computed for this content and these settings, computed and cached otherwise. Runs in the model
// process; what happened with the cache comes back as notes for the output channel.
import { AuraUserError } from '../../aura/errors';
import { cachedStatistics, cachedTransportFits } from '../../aura/stats/cache';
import { transportWireOf } from './transport-wire';
import type { SiteAuroc } from '../../aura/experts';
import type { ProfileStats, StatsOptions } from '../../aura/stats/significance';
import type { TransportFitsByMethod } from '../../aura/stats/cache';
import type { TransportWire } from './transport-wire';

/**
 * The panel's statistics: 50 resamples give the interval bars' two percentiles, 2 label permutations
 * (2 x every neuron) the null's shape. On the demo (5,760 neurons, 4,359 examples, a busy machine)
 * 100 resamples and 10 permutations took 20-44 s beside a 20 s forward pass; these take about 9 s.
 * The q-values and the significant count do not depend on either. The CLI (`profile`, `fit`) keeps its defaults for reported numbers.
 *
 * The held-out column holds out PANEL_HELD_OUT of each class with the CLI's `fit --held-out` split
 * (src/aura/stats/split.ts, seed 0): AUROC on those texts against AUROC on the rest; the intervals,
 * q-values and significant count use only the rest, so the experts whose held-out AUROC is read
 * were not chosen with the held-out texts.
 */
export const PANEL_HELD_OUT = 0.3;
export const PANEL_STATS = (pooling: 'max' | 'mean') => ({ pooling, resamples: 50, permutations: 2, seed: 0, heldOutColumn: PANEL_HELD_OUT });

export interface PanelStatsDeps {
  /** Replace the computations (tests count the calls). */
  computeStats?: () => ProfileStats;
  computeTransport?: () => TransportFitsByMethod;
  /** Settings other than PANEL_STATS (tests use the reference data's seed). */
  options?: StatsOptions;
}

export interface PanelStats {
  stats: ProfileStats;
  transport: TransportWire;
  /** One line per cache event, for the output channel. */
  notes: string[];
}

export async function panelStatistics(dir: string, pooling: 'max' | 'mean', deps: PanelStatsDeps = {}): Promise<PanelStats> {
  const notes: string[] = [];
  const log = (line: string) => notes.push(line);
  const { stats } = await cachedStatistics(dir, deps.options ?? PANEL_STATS(pooling), { log, ...(deps.computeStats ? { compute: deps.computeStats } : {}) });
  return { stats, transport: transportWireOf(await transportFits(dir, log, deps)), notes };
}

/**
 * Linear-AcT and Mean-AcT, or none when the profile is too small to fit them (a transport map needs
 * two examples of each class; a handful of sentences gathered in the editor may have one): the
 * profile is still good for the gain methods, so it opens with those and a line saying why.
 */
async function transportFits(dir: string, log: (line: string) => void, deps: PanelStatsDeps): Promise<TransportFitsByMethod> {
  try {
    return (await cachedTransportFits(dir, { log, ...(deps.computeTransport ? { compute: deps.computeTransport } : {}) })).fits;
  } catch (e) {
    if (!(e instanceof AuraUserError)) throw e;
    log(`Linear-AcT and Mean-AcT are not offered for this profile: ${e.message}`);
    return new Map();
  }
}

/**
 * The AUROCs the panel ranks its table on and fits interventions from: with the held-out column, the
 * ranking part's (as "aura-lens fit --held-out" ranks), so the held-out AUROC beside a row is of texts
 * that neither ranked nor selected it; the profile's own AUROCs when the profile was too small to split.
 */
export function panelAurocs(stats: ProfileStats, profile: readonly SiteAuroc[]): SiteAuroc[] {
  if (!stats.heldOut) return [...profile];
  const bySite = new Map(stats.sites.map((s) => [s.id, s]));
  return profile.map((p) => {
    const s = bySite.get(p.siteId);
    return s ? { siteId: p.siteId, auroc: s.auroc } : p;
  });
}
