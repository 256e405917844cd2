// Profiling a concept on a model: responses of labelled texts, then AUROC per neuron (AurA steps 2-3).
import { extractResponses } from './profile/extract';
import { scoreProfile } from './profile/score';
import type { LanguageModel } from '../engine/model';
import type { ConceptData } from './datasets';
import type { ExtractOptions } from './profile/extract';
import type { SiteSummary } from './profile/score';
import type { ProfileManifest } from './profile/store';

export interface ProfileResult {
  dir: string;
  manifest: ProfileManifest;
  summaries: SiteSummary[];
  reusedBatches: number;
  seconds: number;
}

export async function profileConcept(
  model: LanguageModel,
  data: ConceptData,
  dir: string,
  o: ExtractOptions & { threads?: number } = {},
): Promise<ProfileResult> {
  const t = performance.now();
  const ex = await extractResponses(model, data, dir, o);
  const summaries = await scoreProfile(dir, { ...(o.threads !== undefined ? { threads: o.threads } : {}), ...(o.signal ? { signal: o.signal } : {}) });
  return { dir, manifest: ex.manifest, summaries, reusedBatches: ex.reusedBatches, seconds: (performance.now() - t) / 1000 };
}
