// The panel's sweep (issue 9, item 4), as `aura-lens evaluate --methods --sweep` runs it: each method
// and its two controls (the same change on as many random neurons, and on the lowest-AUROC ones)
// fitted on the profile folder, then the paper's evaluation at each strength on the same seeds.
// Strength 0 is the model itself for every arm: it is measured once and shared.
import { evaluate } from '../../aura/evaluate';
import { effectiveGains, validateAgainstModel } from '../../aura/intervention-file';
import { evaluationIntervals } from '../../aura/evaluation-intervals';
import { controlOverlapWarnings, sweepArms } from '../../aura/sweep';
import type { EvaluateOptions, EvaluationResult } from '../../aura/evaluate';
import type { LanguageModel } from '../../engine/model';
import { evaluationInput, samplingOptions } from './evaluate-job';
import type { CallOptions, SweepOutcome, SweepRequest } from './api';

export async function runSweep(model: LanguageModel, req: SweepRequest, call: CallOptions): Promise<SweepOutcome> {
  const started = performance.now();
  const s = req.settings;
  const input = await evaluationInput(req);
  const arms = sweepArms(req.dir, req.methods, req.controls, s.seed);
  for (const a of arms) validateAgainstModel(a.file, model.sites, model.fingerprint, req.dir);
  const strengths = [...new Set(req.strengths)];
  const runs = arms.length * strengths.filter((x) => x !== 0).length + (strengths.includes(0) ? 1 : 0);
  let done = 0;
  const options = (label: string): EvaluateOptions => samplingOptions(req, call, (stage) => call.onProgress?.({ stage: `${label}: ${stage}`, done, total: runs }));
  const once = async (label: string, run: () => Promise<EvaluationResult>) => {
    const r = await run();
    call.onProgress?.({ stage: label, done: ++done, total: runs });
    return r;
  };
  // One session of the largest form the arms need, built before the shared baseline.
  model.reserveForms(arms.flatMap((a) => strengths.filter((x) => x !== 0).map((x) => effectiveGains(a.file, x))));
  const base = strengths.includes(0) ? await once('the model itself', () => evaluate(model, input, options('the model itself'))) : undefined;
  const points: SweepOutcome['points'] = [];
  for (const arm of arms) {
    for (const strength of strengths) {
      const label = `${arm.method}${arm.control ? ` (${arm.control} control)` : ''} at ${strength}`;
      const r = strength === 0 ? base! : await once(label, () => evaluate(model, { ...input, intervention: effectiveGains(arm.file, strength) }, options(label)));
      const o = r.otherScorers?.[0];
      points.push({ method: arm.method, control: arm.control, strength, toxicity: r.toxicity, ...(o ? { second: { scorer: o.scorer, toxicity: o.toxicity } } : {}), perplexity: r.perplexity, intervals: evaluationIntervals(r, { seed: s.seed }) });
    }
  }
  return {
    scorer: input.scorer.name,
    ...(input.alsoScoreWith[0] ? { secondScorer: input.alsoScoreWith[0].name } : {}),
    prompts: input.prompts.length,
    samples: req.samples,
    arms: arms.map((a) => ({ method: a.method, control: a.control, experts: a.experts })),
    points,
    warnings: controlOverlapWarnings(points),
    seconds: (performance.now() - started) / 1000,
  };
}
