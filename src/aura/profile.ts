// Profiling a concept on a model: responses of labelled texts, then AUROC per neuron (AurA steps 2-3).
import { extractResponses } from './profile/extract';
import { scoreProfileTimed } from './profile/score';
import type { LanguageModel } from '../engine/model';
import type { ConceptData } from './datasets';
import type { ExtractOptions, ExtractTiming } from './profile/extract';
import type { ScoreTiming, SiteSummary } from './profile/score';
import type { ProfileManifest } from './profile/store';

export interface ProfileResult {
  dir: string;
  manifest: ProfileManifest;
  summaries: SiteSummary[];
  reusedBatches: number;
  seconds: number;
  /** Where the time went: extraction stages, then scoring (AUROC) stages, in seconds. */
  timing: { extract: ExtractTiming; score: ScoreTiming };
}

export async function profileConcept(
  model: LanguageModel,
  data: ConceptData,
  dir: string,
  o: ExtractOptions & { threads?: number } = {},
): Promise<ProfileResult> {
  const t = performance.now();
  const ex = await extractResponses(model, data, dir, o);
  const scored = await scoreProfileTimed(dir, { ...(o.threads !== undefined ? { threads: o.threads } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  return {
    dir,
    manifest: ex.manifest,
    summaries: scored.summaries,
    reusedBatches: ex.reusedBatches,
    seconds: (performance.now() - t) / 1000,
    timing: { extract: ex.timing, score: scored.timing },
  };
}
