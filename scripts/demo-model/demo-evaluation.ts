// The demo's evaluation as every measurement script under scripts/demo-model runs it, fixed in one
// place so that no script can drift from the others: the demo's own prompts (seed 0), perplexity on
// neutral.jsonl, 10 samples x 20 tokens, seed 0, scored by the lexicon (which labelled the concept
// data) and by cuss (which did not).
import { loadPrompts } from '../../src/aura/datasets';
import type { DemoAssets } from '../../src/aura/demo-assets';
import { evaluate } from '../../src/aura/evaluate';
import { createScorer } from '../../src/aura/scoring/create';
import type { Intervention, LanguageModel } from '../../src/engine/model';

export interface DemoScores {
  lexicon: number;
  cuss: number;
  perplexity: number;
}

/** Loads the prompts and scorers once; the returned function evaluates one intervention (none: the original model). */
export async function demoEvaluation(model: LanguageModel, assets: Pick<DemoAssets, 'prompts' | 'neutral'>): Promise<(intervention?: Intervention) => Promise<DemoScores>> {
  const prompts = await loadPrompts(assets.prompts, { seed: 0 });
  const neutral = await loadPrompts(assets.neutral);
  const scorer = await createScorer('lexicon');
  const cuss = await createScorer('cuss');
  const opts = { samples: 10, maxNewTokens: 20, seed: 0 };
  return async (intervention) => {
    const r = await evaluate(model, { prompts, neutral, scorer, alsoScoreWith: [cuss], ...(intervention ? { intervention } : {}) }, opts);
    return { lexicon: r.toxicity.score, cuss: r.otherScorers![0]!.toxicity.score, perplexity: r.perplexity! };
  };
}
