// Profiling a concept on a model: responses of labelled texts, then AUROC per neuron (AurA steps 2-3).
import { extractResponsesLocked } from './profile/extract';
import { prepareProfileFolder } from './profile/folder';
import { lockFolder } from './profile/lock';
import { scoreProfileTimed } from './profile/score';
import { diskFullError } from './disk-full';
import { checkSketchMemory } from './profile/sketch-memory';
import { scoreSketch, sketchResponsesLocked } from './profile/sketch-profile';
import type { LanguageModel } from '../engine/model';
import type { ConceptData } from './datasets';
import type { ExtractOptions, ExtractTiming } from './profile/extract';
import type { ScoreTiming, SiteSummary, StabilityEntry } from './profile/score';
import type { SketchSummary } from './profile/sketch-profile';
import type { ProfileManifest } from './profile/store';

export interface ProfileResult {
  dir: string;
  manifest: ProfileManifest;
  /** Empty for a shard: its AUROC comes after `merge`. */
  summaries: SiteSummary[] | SketchSummary[];
  reusedBatches: number;
  seconds: number;
  /** Split-half stability of the expert set (absent for a shard or a sketch). */
  stability?: StabilityEntry;
  /** Where the time went: extraction stages, then scoring (AUROC) stages, in seconds. */
  timing: { extract: ExtractTiming; score: ScoreTiming };
}

const NO_SCORE: ScoreTiming = { readingS: 0, aurocS: 0, statsS: 0, writingS: 0 };

export async function profileConcept(
  model: LanguageModel,
  data: ConceptData,
  dir: string,
  o: ExtractOptions & {
    threads?: number;
    /** memoryBudget: bytes the sketch's counts may take (default: a quarter of the machine's memory). */
    sketch?: { bins: number; calibration?: number; memoryBudget?: number };
    /** Called between extraction and scoring (the CLI frees the model's weights there: scoring reads only the folder). */
    afterExtract?: () => Promise<void>;
  } = {},
): Promise<ProfileResult> {
  const t = performance.now();
  // Before the folder is touched: the sketch's counts must fit in memory.
  if (o.sketch) checkSketchMemory((o.sites?.length ? o.sites.map((id) => model.site(id)) : model.sites).reduce((a, s) => a + s.neurons, 0), o.sketch.bins, o.sketch.memoryBudget);
  // One lock over extraction and scoring, so no other run writes the folder in between.
  prepareProfileFolder(dir);
  const lock = lockFolder(dir);
  try {
    if (o.sketch) {
      const sk = await sketchResponsesLocked(model, data, dir, { ...o, bins: o.sketch.bins, ...(o.sketch.calibration ? { calibration: o.sketch.calibration } : {}) });
      const summaries = o.shard ? [] : await scoreSketch(dir, sk.manifest);
      return { dir, manifest: sk.manifest, summaries, reusedBatches: sk.reusedBatches, seconds: (performance.now() - t) / 1000, timing: { extract: sk.timing, score: NO_SCORE } };
    }
    const ex = await extractResponsesLocked(model, data, dir, o);
    await o.afterExtract?.();
    // A shard has no AUROC of its own: that comes after `merge`.
    const scored = o.shard
      ? { summaries: [], timing: NO_SCORE }
      : await scoreProfileTimed(dir, { ...(o.threads !== undefined ? { threads: o.threads } : {}), ...(o.signal ? { signal: o.signal } : {}) });
    const stability = 'stability' in scored ? scored.stability : undefined;
    return {
      dir,
      manifest: ex.manifest,
      summaries: scored.summaries,
      ...(stability ? { stability } : {}),
      reusedBatches: ex.reusedBatches,
      seconds: (performance.now() - t) / 1000,
      timing: { extract: ex.timing, score: scored.timing },
    };
  } catch (e) {
    throw diskFullError(dir, e);
  } finally {
    lock.release();
  }
}
