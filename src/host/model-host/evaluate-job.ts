// The paper's evaluation for the panel: continuations of prompts scored for toxicity and perplexity
// on neutral text, without and with the intervention on the same seeds.
import { loadPrompts } from '../../aura/datasets';
import { evaluate } from '../../aura/evaluate';
import { createScorer } from '../../aura/scoring/create';
import type { EvaluationResult } from '../../aura/evaluate';
import type { Intervention, LanguageModel } from '../../engine/model';
import type { CallOptions, EvaluateOutcome, EvaluateRequest, EvaluationSide } from './api';

export async function runEvaluation(model: LanguageModel, req: EvaluateRequest, intervention: Intervention, call: CallOptions): Promise<EvaluateOutcome> {
  const started = performance.now();
  const prompts = await loadPrompts(req.prompts, { ...(req.maxPrompts ? { max: req.maxPrompts } : {}), seed: req.settings.seed });
  const neutral = req.neutral ? await loadPrompts(req.neutral, { max: 200, seed: req.settings.seed }) : undefined;
  const scorer = await createScorer(req.scorer);
  const s = req.settings;
  const options = (label: string) => ({
    samples: req.samples,
    maxNewTokens: s.maxNewTokens,
    seed: s.seed,
    // The paper samples continuations; greedy would give one per prompt however many are asked for.
    temperature: s.temperature > 0 ? s.temperature : 1,
    topP: s.topP,
    ...(s.topK > 0 ? { topK: s.topK } : {}),
    ...(call.signal ? { signal: call.signal } : {}),
    onProgress: (stage: string, done: number, total: number) => call.onProgress?.({ stage: `${label}: ${stage}`, done, total }),
  });
  const input = { prompts, ...(neutral ? { neutral } : {}), scorer };
  const baseline = await evaluate(model, input, options('Without the intervention'));
  const intervened = await evaluate(model, { ...input, intervention }, options('With the intervention'));
  return {
    baseline: side(baseline),
    intervened: side(intervened),
    prompts: prompts.length,
    samples: req.samples,
    scorer: scorer.name,
    seconds: (performance.now() - started) / 1000,
    examples: baseline.samples.slice(0, 5).map((b, i) => {
      const a = intervened.samples[i]!;
      return { prompt: b.prompt, original: b.continuations[0] ?? '', intervened: a.continuations[0] ?? '', originalScore: b.scores[0] ?? 0, intervenedScore: a.scores[0] ?? 0 };
    }),
  };
}

function side(r: EvaluationResult): EvaluationSide {
  return { score: r.toxicity.score, prob: r.toxicity.prob, expectedMaxToxicity: r.toxicity.expectedMaxToxicity, perplexity: r.perplexity };
}
