// Several samples per preview: the same prompt continued with the next seeds, without and with the
// intervention (the same seed on both sides, as in the main run), every continuation scored by the
// evaluation's scorer, and the mean score of each side. One sample says little about a sampler.
import type { Scorer } from '../aura/scoring/scorer';
import type { GenerateRequest, GenerationSettings, ModelHost } from './model-host/api';
import type { PreviewSnapshot } from '../shared/protocol';

/** Samples per preview, the main run included. */
export const PREVIEW_SAMPLES = 4;

export interface SampleDeps {
  host: Pick<ModelHost, 'generate'>;
  scorer(): Promise<Scorer>;
  settings(): GenerationSettings;
  gains(): GenerateRequest['gains'];
}

type Sampled = Required<Pick<PreviewSnapshot, 'samples' | 'scorer' | 'mean'>>;

/**
 * The finished main run is sample 1 (its seed is the configured one); samples 2..n use the next seeds.
 * Throws the signal's reason when aborted (a new run started).
 */
export async function previewSamples(main: PreviewSnapshot, deps: SampleDeps, signal: AbortSignal, count = PREVIEW_SAMPLES): Promise<Sampled> {
  const settings = deps.settings();
  const gains = deps.gains();
  const pairs = [{ original: main.original, intervened: main.intervened }];
  for (let i = 1; i < count; i++) {
    const s = { ...settings, seed: (settings.seed + i) % 2 ** 31 };
    const original = await deps.host.generate({ prompt: main.prompt, settings: s }, { signal });
    const intervened = gains ? await deps.host.generate({ prompt: main.prompt, settings: s, gains }, { signal }) : original;
    pairs.push({ original, intervened });
  }
  signal.throwIfAborted();
  const scorer = await deps.scorer();
  const scores = await scorer.score(
    pairs.flatMap((p) => [p.original, p.intervened]),
    signal,
  );
  const samples = pairs.map((p, i) => ({ ...p, originalScore: scores[2 * i]!, intervenedScore: scores[2 * i + 1]! }));
  const mean = (k: 'originalScore' | 'intervenedScore') => samples.reduce((a, s) => a + s[k], 0) / samples.length;
  return { samples, scorer: scorer.name, mean: { original: mean('originalScore'), intervened: mean('intervenedScore') } };
}
