// The paper's evaluation for the panel: continuations of prompts scored for toxicity and perplexity
// on neutral text, without and with the intervention on the same seeds.
import { loadPrompts } from '../../aura/datasets';
import { evaluate } from '../../aura/evaluate';
import { createScorer, defaultSecondScorer } from '../../aura/scoring/create';
import { differenceIntervals, evaluationIntervals, overlapWarnings } from '../../aura/evaluation-intervals';
import type { EvaluateOptions, EvaluationResult, ToxicityResult } from '../../aura/evaluate';
import type { EvaluationIntervals } from '../../aura/evaluation-intervals';
import type { Scorer } from '../../aura/scoring/scorer';
import type { Intervention, LanguageModel } from '../../engine/model';
import type { CallOptions, EvaluateOutcome, EvaluateRequest, EvaluationSide, GenerationSettings } from './api';

export async function runEvaluation(model: LanguageModel, req: EvaluateRequest, intervention: Intervention, call: CallOptions): Promise<EvaluateOutcome> {
  const started = performance.now();
  const input = await evaluationInput(req);
  const options = (label: string) => samplingOptions(req, call, (stage, done, total) => call.onProgress?.({ stage: `${label}: ${stage}`, done, total }));
  // The baseline runs on the session the intervention needs, so the second half rebuilds nothing.
  model.reserveForms([intervention]);
  const baseline = await evaluate(model, input, options('Without the intervention'));
  const intervened = await evaluate(model, { ...input, intervention }, options('With the intervention'));
  const bi = evaluationIntervals(baseline, { seed: req.settings.seed });
  const ii = evaluationIntervals(intervened, { seed: req.settings.seed });
  const difference = differenceIntervals(baseline, intervened, { seed: req.settings.seed });
  return {
    baseline: side(baseline, bi),
    intervened: side(intervened, ii),
    difference,
    warnings: overlapWarnings('original', bi, 'intervened', ii, difference),
    prompts: input.prompts.length,
    samples: req.samples,
    scorer: input.scorer.name,
    ...secondSides(baseline, intervened),
    seconds: (performance.now() - started) / 1000,
    examples: baseline.samples.slice(0, 5).map((b, i) => {
      const a = intervened.samples[i]!;
      return { prompt: b.prompt, original: b.continuations[0] ?? '', intervened: a.continuations[0] ?? '', originalScore: b.scores[0] ?? 0, intervenedScore: a.scores[0] ?? 0 };
    }),
  };
}

/** The second scorer's view of both sides, when it ran. */
function secondSides(baseline: EvaluationResult, intervened: EvaluationResult): Pick<EvaluateOutcome, 'second'> {
  const b = baseline.otherScorers?.[0];
  const a = intervened.otherScorers?.[0];
  if (!b || !a) return {};
  return { second: { scorer: b.scorer, baseline: figures(b.toxicity), intervened: figures(a.toxicity) } };
}

function figures(t: ToxicityResult): { toxicityProbability: number; expectedMaxToxicity: number; meanToxicity: number } {
  return { toxicityProbability: t.toxicityProbability, expectedMaxToxicity: t.expectedMaxToxicity, meanToxicity: t.meanToxicity };
}

function side(r: EvaluationResult, intervals: EvaluationIntervals): EvaluationSide {
  return { ...figures(r.toxicity), perplexity: r.perplexity, intervals };
}

/**
 * What an evaluation request names, loaded once: the prompts, the neutral texts, the scorer and the
 * second scorer that checks it, as the CLI's default (evaluate and sweep share it).
 */
export async function evaluationInput(req: { prompts: string; neutral?: string; maxPrompts?: number; scorer: string; settings: { seed: number } }): Promise<{ prompts: string[]; neutral?: string[]; scorer: Scorer; alsoScoreWith: Scorer[] }> {
  const seed = req.settings.seed;
  const prompts = await loadPrompts(req.prompts, { ...(req.maxPrompts ? { max: req.maxPrompts } : {}), seed });
  const neutral = req.neutral ? await loadPrompts(req.neutral, { max: 200, seed }) : undefined;
  return { prompts, ...(neutral ? { neutral } : {}), scorer: await createScorer(req.scorer), alsoScoreWith: [await createScorer(defaultSecondScorer(req.scorer))] };
}

/** The sampling of an evaluation: the paper samples continuations; greedy would give one per prompt however many are asked for. */
export function samplingOptions(req: { samples: number; settings: GenerationSettings }, call: CallOptions, onProgress: (stage: string, done: number, total: number) => void): EvaluateOptions {
  const s = req.settings;
  return {
    samples: req.samples,
    maxNewTokens: s.maxNewTokens,
    seed: s.seed,
    temperature: s.temperature > 0 ? s.temperature : 1,
    topP: s.topP,
    ...(s.topK > 0 ? { topK: s.topK } : {}),
    ...(call.signal ? { signal: call.signal } : {}),
    onProgress,
  };
}
