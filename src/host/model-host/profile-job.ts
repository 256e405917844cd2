// Profiling with a cache: a finished profile is kept under the cache root in a folder named by the
// model fingerprint, the data and the settings, so the demo (and any profile) is computed once and
// reused on the next launch. The examples are saved next to the responses, for the neuron detail.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../../aura/atomic-write';
import { loadConceptData } from '../../aura/datasets';
import { profileConcept } from '../../aura/profile';
import { readAurocs } from '../../aura/profile/score';
import { dataHash } from '../../aura/profile/store';
import { expertsSnapshot } from '../experts-snapshot';
import { expertStatsFrom } from '../panel-feeds';
import { EXAMPLES_FILE } from '../profile-files';
import { expertsToWire } from './experts-wire';
import { stabilityStatsFrom } from '../panel-stability';
import { panelAurocs, panelStatistics } from './panel-stats';
import type { LanguageModel } from '../../engine/model';
import type { CallOptions, ProfileOutcome, ProfileRequest } from './api';

const BATCH_SIZE = 16;
export { PANEL_HELD_OUT, PANEL_STATS } from './panel-stats';

/** Profiles kept in the cache; older ones (by last use) are removed after each profile. */
const KEEP_PROFILES = 8;

export async function runProfile(model: LanguageModel, req: ProfileRequest, call: CallOptions): Promise<ProfileOutcome> {
  const started = performance.now();
  call.onProgress?.({ stage: 'Reading examples', done: 0, total: 1 });
  const data = await loadConceptData(req.data, { seed: req.seed, ...(req.maxPerClass ? { maxPerClass: req.maxPerClass } : {}) });
  const batchSize = req.batchSize ?? BATCH_SIZE;
  const dir = join(req.cacheRoot, profileKey(model.fingerprint, dataHash(data.examples), req.seqLen, batchSize));
  const reused = isComplete(dir);
  if (!reused) {
    mkdirSync(dir, { recursive: true });
    await atomicWriteFile(join(dir, EXAMPLES_FILE), data.examples.map((e) => JSON.stringify(e)).join('\n') + '\n');
    await profileConcept(model, data, dir, {
      pooling: req.pooling,
      seqLen: req.seqLen,
      batchSize,
      // The cache folder is ours: one left by a cancelled run with another pooling starts over.
      replaceDifferent: true,
      ...(call.signal ? { signal: call.signal } : {}),
      onProgress: (e) => {
        call.onProgress?.({ stage: 'Running examples through the model', done: e.batch, total: e.batches });
        if (e.batch === e.batches) call.onProgress?.({ stage: 'Computing AUROC per neuron', done: 0, total: 1 });
      },
    });
  }
  const now = new Date();
  utimesSync(dir, now, now);
  pruneProfiles(req.cacheRoot, dir);
  const { sites } = readAurocs(dir, req.pooling);
  const facts = { source: data.source, positives: data.positives, negatives: data.negatives, pooling: req.pooling };
  const modelSites = model.sites.map((s) => ({ id: s.id, layer: s.layer, kind: s.kind, neurons: s.neurons }));
  call.onProgress?.({ stage: 'Intervals, q-values and transport fits (or their cache)', done: 0, total: 1 });
  const { stats, transport, notes } = await panelStatistics(dir, req.pooling);
  // The panel's columns (interval bars, q-values, the null) in the ranking's order, built here so
  // the extension host receives typed arrays instead of re-indexing a million rows itself.
  // With the held-out column, the table ranks (and the panel fits) on the ranking part only.
  const ranking = panelAurocs(stats, sites);
  const ranked = expertsSnapshot(ranking, modelSites, facts);
  const stability = stabilityStatsFrom(dir, req.pooling, ranked);
  return {
    dir,
    reused,
    source: data.source,
    positives: data.positives,
    negatives: data.negatives,
    pooling: req.pooling,
    aurocs: ranking,
    experts: expertsToWire({ ...ranked, stats: { ...expertStatsFrom(stats, ranked), ...stability } }),
    stats,
    tooSmall: stats.tooSmall,
    warnings: [...stats.warnings, ...(stability.stability?.warning ? [stability.stability.warning] : [])],
    transport,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Same model, same examples, same truncation and batching: the same responses. */
export function profileKey(fingerprint: string, data: string, seqLen: number, batchSize: number): string {
  return createHash('sha256').update(`${fingerprint}\u0000${data}\u0000${seqLen}\u0000${batchSize}`).digest('hex').slice(0, 24);
}

/** Keeps the most recently used profiles; a profile is about 2 x examples x neurons x 4 bytes. */
export function pruneProfiles(root: string, current: string, keep = KEEP_PROFILES): string[] {
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && /^[0-9a-f]{24}$/.test(d.name))
    .map((d) => ({ path: join(root, d.name), used: statSync(join(root, d.name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  const removed = dirs.slice(keep).filter((d) => d.path !== current).map((d) => d.path);
  for (const d of removed) rmSync(d, { recursive: true, force: true });
  return removed;
}

/** summary.json is written last, when every AUROC is on disk. */
function isComplete(dir: string): boolean {
  return existsSync(join(dir, 'summary.json')) && existsSync(join(dir, EXAMPLES_FILE));
}
