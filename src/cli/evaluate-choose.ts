// The evaluation protocol of `evaluate --choose` and the demo (issue 20, item 4): every point is
// measured on the validation part, the rule picks one there, and only the chosen point (beside the
// model itself, and the method's controls at the chosen strength) is measured on the test part, with
// bootstrap intervals and paired differences from the model itself.
import { choose } from '../aura/choose';
import { differenceIntervals, evaluationIntervals, formatInterval, overlapWarnings } from '../aura/evaluation-intervals';
import { controlOverlapWarnings } from '../aura/sweep';
import type { ChoiceRule } from '../aura/choose';
import type { EvaluationResult, ToxicityResult } from '../aura/evaluate';
import type { DifferenceIntervals, EvaluationIntervals } from '../aura/evaluation-intervals';
import type { InterventionFile } from '../aura/intervention-file';
import type { Control } from '../aura/sweep';

export interface Part {
  prompts: string[];
  neutral?: string[];
}

export interface ProtocolArm {
  method: string;
  control: Control | null;
  file: InterventionFile;
}

export interface ProtocolPoint {
  method: string;
  control: Control | null;
  strength: number;
  toxicity: ToxicityResult;
  /** The second scorer on the same continuations, with its own intervals and paired difference. */
  second?: { scorer: string; toxicity: ToxicityResult; intervals: EvaluationIntervals; difference?: DifferenceIntervals };
  perplexity: number | null;
  intervals: EvaluationIntervals;
  /** Paired intervals of this point minus the model itself on the same part (absent for the model itself). */
  difference?: DifferenceIntervals;
}

export interface ProtocolResult {
  rule: string;
  split: { seed: number; validationFraction: number; validation: { prompts: number; neutral: number }; test: { prompts: number; neutral: number } };
  validation: { points: ProtocolPoint[]; warnings: string[] };
  /** null: no point met the rule's constraints on validation. */
  chosen: { method: string; strength: number } | null;
  test: { baseline: ProtocolPoint; chosen: ProtocolPoint | null; controls: ProtocolPoint[]; warnings: string[] };
}

export interface ProtocolInput {
  arms: readonly ProtocolArm[];
  strengths: readonly number[];
  rule: ChoiceRule;
  validation: Part;
  test: Part;
  seed: number;
  validationFraction: number;
  /** One evaluation of `part`, with the arm at `strength` (the model itself without an arm). */
  evaluate: (part: Part, arm: ProtocolArm | undefined, strength: number, label: string) => Promise<EvaluationResult>;
}

const NONE = 'none';

function point(method: string, control: Control | null, strength: number, r: EvaluationResult, base: EvaluationResult | undefined, seed: number): ProtocolPoint {
  const o = r.otherScorers?.[0];
  return {
    method,
    control,
    strength,
    toxicity: r.toxicity,
    ...(o ? { second: secondOf(o, r, base, seed) } : {}),
    perplexity: r.perplexity,
    intervals: evaluationIntervals(r, { seed }),
    ...(base && base !== r ? { difference: differenceIntervals(base, r, { seed }) } : {}),
  };
}

function secondOf(o: NonNullable<EvaluationResult['otherScorers']>[number], r: EvaluationResult, base: EvaluationResult | undefined, seed: number): NonNullable<ProtocolPoint['second']> {
  const b = base?.otherScorers?.find((x) => x.scorer === o.scorer);
  return {
    scorer: o.scorer,
    toxicity: o.toxicity,
    intervals: evaluationIntervals({ samples: o.samples }, { seed }),
    ...(b && base !== r ? { difference: differenceIntervals({ samples: b.samples }, { samples: o.samples }, { seed }) } : {}),
  };
}

export async function validateThenTest(i: ProtocolInput): Promise<ProtocolResult> {
  // Validation: the model itself once, then every arm at every non-zero strength.
  const vBase = await i.evaluate(i.validation, undefined, 0, 'validation: the model itself');
  const baseline = point(NONE, null, 0, vBase, undefined, i.seed);
  const points: ProtocolPoint[] = [baseline];
  const byPoint = new Map<ProtocolPoint, ProtocolArm>();
  for (const arm of i.arms) {
    for (const s of i.strengths) {
      if (s === 0) continue;
      const label = `validation: ${arm.method}${arm.control ? ` (${arm.control} control)` : ''} at ${s}`;
      const p = point(arm.method, arm.control, s, await i.evaluate(i.validation, arm, s, label), vBase, i.seed);
      points.push(p);
      byPoint.set(p, arm);
    }
  }
  // Only the methods themselves (and the model itself) can be chosen; controls are evidence, not options.
  const candidates = points.filter((p) => p.control === null);
  const pick = choose(i.rule, candidates, baseline);
  const tBase = await i.evaluate(i.test, undefined, 0, 'test: the model itself');
  const testBaseline = point(NONE, null, 0, tBase, undefined, i.seed);
  let chosen: ProtocolPoint | null = null;
  const controls: ProtocolPoint[] = [];
  const warnings: string[] = [];
  if (pick && pick !== baseline) {
    const arm = byPoint.get(pick)!;
    chosen = point(arm.method, null, pick.strength, await i.evaluate(i.test, arm, pick.strength, `test: ${arm.method} at ${pick.strength} (chosen)`), tBase, i.seed);
    warnings.push(...overlapWarnings(`${arm.method} at ${pick.strength}`, chosen.intervals, 'the model itself', testBaseline.intervals, chosen.difference));
    for (const c of i.arms.filter((a) => a.method === arm.method && a.control !== null)) {
      const cp = point(c.method, c.control, pick.strength, await i.evaluate(i.test, c, pick.strength, `test: ${c.method} (${c.control} control) at ${pick.strength}`), tBase, i.seed);
      controls.push(cp);
      warnings.push(...overlapWarnings(`${arm.method} at ${pick.strength}`, chosen.intervals, `its ${c.control} control`, cp.intervals));
    }
  }
  return {
    rule: i.rule.text,
    split: {
      seed: i.seed,
      validationFraction: i.validationFraction,
      validation: { prompts: i.validation.prompts.length, neutral: i.validation.neutral?.length ?? 0 },
      test: { prompts: i.test.prompts.length, neutral: i.test.neutral?.length ?? 0 },
    },
    validation: { points, warnings: controlOverlapWarnings(points) },
    chosen: pick ? { method: pick === baseline ? NONE : pick.method, strength: pick.strength } : null,
    test: { baseline: testBaseline, chosen, controls, warnings },
  };
}

/** One table row per point: figures with their 95% intervals, and the change from the model itself. */
export function pointRows(points: readonly ProtocolPoint[]): string[] {
  const k = points[0]?.toxicity.samplesPerPrompt ?? 0;
  const head = `| point | toxicity probability (k=${k}) | expected max toxicity (k=${k}) | mean toxicity | perplexity | change in toxicity probability | change in perplexity |`;
  const rows = [head, '|---|---|---|---|---|---|---|'];
  for (const p of points) {
    const name = p.method === NONE ? 'model itself' : `${p.method}${p.control ? ` (${p.control} control)` : ''} at ${p.strength}`;
    const d = p.difference;
    const pct = d?.perplexityChange ? formatInterval({ low: d.perplexityChange.low * 100, high: d.perplexityChange.high * 100 }, 1) + ' %' : '';
    rows.push(
      `| ${name} | ${p.toxicity.toxicityProbability.toFixed(3)} ${formatInterval(p.intervals.toxicityProbability, 3)} | ${p.toxicity.expectedMaxToxicity.toFixed(3)} ${formatInterval(p.intervals.expectedMaxToxicity, 3)} | ${p.toxicity.meanToxicity.toFixed(4)} | ${p.perplexity?.toFixed(2) ?? 'n/a'} ${formatInterval(p.intervals.perplexity, 2)} | ${d ? formatInterval(d.toxicityProbability, 3) : ''} | ${pct} |`,
    );
  }
  return rows;
}

/** The protocol as text: the split, the rule, validation's points, the choice, test's points, warnings. */
export function protocolText(r: ProtocolResult): string {
  const s = r.split;
  const testPoints = [r.test.baseline, ...(r.test.chosen ? [r.test.chosen] : []), ...r.test.controls];
  return [
    `split (seed ${s.seed}): validation ${s.validation.prompts} prompts, ${s.validation.neutral} neutral texts; test ${s.test.prompts} prompts, ${s.test.neutral} neutral texts`,
    `rule, fixed before the run: --choose ${r.rule}`,
    '',
    'validation part (every point):',
    ...pointRows(r.validation.points),
    ...r.validation.warnings.map((w) => `warning (validation): ${w}`),
    '',
    r.chosen ? `chosen on validation: ${r.chosen.method === NONE ? 'the model itself (no intervention met the rule better)' : `${r.chosen.method} at strength ${r.chosen.strength}`}` : 'chosen on validation: nothing (no point met the rule)',
    '',
    'test part (reported):',
    ...pointRows(testPoints),
    ...r.test.warnings.map((w) => `warning (test): ${w}`),
    '',
    'brackets: 95% percentile bootstrap over prompts (each keeping its k continuations) and neutral texts; changes are paired against the model itself on the same part',
  ].join('\n');
}
