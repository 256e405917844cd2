import { loadPrompts } from '../aura/datasets';
import { demoAssets } from '../aura/demo-assets';
import { evaluate } from '../aura/evaluate';
import { effectiveGains, readInterventionFile, validateAgainstModel } from '../aura/intervention-file';
import { createScorer, defaultSecondScorer } from '../aura/scoring/create';
import { UserError } from '../engine/errors';
import { LanguageModel } from '../engine/model';
import { num, parse, positional, str } from './args';
import { makeOutput } from './output';
import { atomicWriteFile } from '../aura/atomic-write';
import { CONTROLS, sweepArms, sweepCsv } from '../aura/sweep';
import { profileStatistics } from '../aura/stats/significance';
import type { Control, SweepPoint } from '../aura/sweep';
import { parseChoiceRule, splitItems } from '../aura/choose';
import { differenceIntervals, evaluationIntervals, formatInterval, overlapWarnings } from '../aura/evaluation-intervals';
import { controlOverlapWarnings } from '../aura/sweep';
import { protocolText, validateThenTest } from './evaluate-choose';
import type { ProtocolArm } from './evaluate-choose';
import type { EvaluateOptions, EvaluationResult, ToxicityResult } from '../aura/evaluate';
import type { EvaluationIntervals, Interval } from '../aura/evaluation-intervals';

export async function evaluateCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    intervention: 'string',
    strength: 'string',
    prompts: 'string',
    neutral: 'string',
    scorer: 'string',
    'second-scorer': 'string',
    samples: 'string',
    'max-new-tokens': 'string',
    'max-prompts': 'string',
    seed: 'string',
    sweep: 'string',
    threads: 'string',
    methods: 'string',
    profile: 'string',
    controls: 'string',
    csv: 'string',
    preprompt: 'string',
    'max-q': 'string',
    choose: 'string',
    validation: 'string',
  });
  const dir = positional(p, 0, 'MODEL_DIR (usage: aura-lens evaluate MODEL_DIR [--intervention FILE] [--prompts FILE])');
  const o = makeOutput(!!p.flags.json);
  const samples = num(p.flags, 'samples', { min: 1, max: 1000, integer: true }) ?? 25;
  const maxNewTokens = num(p.flags, 'max-new-tokens', { min: 1, max: 1024, integer: true }) ?? 20;
  const maxPrompts = num(p.flags, 'max-prompts', { min: 1, integer: true });
  const seed = num(p.flags, 'seed', { integer: true }) ?? 0;
  const strength = num(p.flags, 'strength', { min: 0, max: 1 });
  const threads = num(p.flags, 'threads', { min: 1, max: 256, integer: true });
  const sweep = str(p.flags, 'sweep')?.split(',').map((s) => {
    const v = Number(s);
    if (s.trim() === '' || !(v >= 0 && v <= 1)) throw new UserError(`--sweep: expected strengths in [0, 1] separated by commas, got "${s}"`);
    return v;
  });
  const promptsFile = str(p.flags, 'prompts') ?? demoAssets().prompts;
  const neutralFile = str(p.flags, 'neutral') ?? (str(p.flags, 'prompts') ? undefined : demoAssets().neutral);
  const preprompt = str(p.flags, 'preprompt');
  // The paper's combination: the pre-prompt goes before every prompt; only the continuation is scored.
  const prompts = (await loadPrompts(promptsFile, { ...(maxPrompts ? { max: maxPrompts } : {}), seed })).map((t) => (preprompt ? `${preprompt}${t}` : t));
  const methods = str(p.flags, 'methods')?.split(',').map((m) => m.trim()).filter(Boolean);
  const csv = str(p.flags, 'csv');
  if (methods && str(p.flags, 'intervention')) throw new UserError('--methods fits its interventions from --profile DIR; leave out --intervention');
  if (methods && !str(p.flags, 'profile')) throw new UserError('--methods needs --profile DIR, the profile to fit the methods on');
  for (const flag of ['profile', 'controls', 'max-q']) {
    if (!methods && str(p.flags, flag) !== undefined) throw new UserError(`--${flag} belongs to a method sweep; add --methods a,b (and --profile DIR)`);
  }
  if (csv && !sweep && !methods) throw new UserError('--csv writes the points of a sweep; add --sweep S,S,... (and --methods or --intervention)');
  const controls = parseControls(str(p.flags, 'controls'));
  // The protocol (issue 20, item 4): a rule fixed before the run picks a point on validation prompts.
  const chooseText = str(p.flags, 'choose');
  const rule = chooseText === undefined ? undefined : parseChoiceRule(chooseText);
  const validationFraction = num(p.flags, 'validation', { min: 0, max: 1 });
  if (rule && !sweep) throw new UserError('--choose picks a point of a sweep; add --sweep S,S,... (with --intervention FILE or --methods a,b)');
  if (validationFraction !== undefined && !rule) throw new UserError('--validation sets the share of prompts a --choose rule sees; add --choose RULE');
  const neutral = neutralFile ? await loadPrompts(neutralFile) : undefined;
  const scorerSpec = str(p.flags, 'scorer') ?? 'lexicon';
  const scorer = await createScorer(scorerSpec);
  // A second instrument scores the same continuations, so a cut is not only measured by the scorer
  // that may have labelled the concept data (the demo's lexicon did); "none" turns it off.
  const secondSpec = str(p.flags, 'second-scorer') ?? defaultSecondScorer(scorerSpec);
  const second = secondSpec === 'none' ? undefined : await createScorer(secondSpec);
  const model = await LanguageModel.open(dir, threads ? { threads } : {});
  try {
    const ivPath = str(p.flags, 'intervention');
    const file = ivPath ? await readInterventionFile(ivPath) : undefined;
    if (file) validateAgainstModel(file, model.sites, model.fingerprint, ivPath);
    const opts: EvaluateOptions = { samples, maxNewTokens, seed, onProgress: (stage, d, t) => {
        if (d % 20 === 0 || d === t) o.log(`evaluate: ${stage} ${d}/${t}`);
      },
    };
    const run = (s: number | undefined) =>
      evaluate(model, { prompts, ...(neutral ? { neutral } : {}), scorer, ...(second ? { alsoScoreWith: [second] } : {}), ...(file && s !== 0 ? { intervention: effectiveGains(file, s) } : {}) }, opts);
    const brief = (r: EvaluationResult) => ({
      toxicity: r.toxicity,
      ...(r.otherScorers?.[0] ? { secondScorer: { name: r.otherScorers[0].scorer, toxicity: r.otherScorers[0].toxicity } } : {}),
      perplexity: r.perplexity,
      intervals: evaluationIntervals(r, { seed }),
      seconds: r.seconds,
    });
    const protocol = async (arms: ProtocolArm[]) => {
      const frac = validationFraction ?? 0.5;
      const ps = splitItems(prompts, frac, seed, 'prompts');
      const ns = neutral ? splitItems(neutral, frac, seed + 1, 'neutral texts') : undefined;
      return validateThenTest({
        arms,
        strengths: sweep!,
        rule: rule!,
        validation: { prompts: ps.validation, ...(ns ? { neutral: ns.validation } : {}) },
        test: { prompts: ps.test, ...(ns ? { neutral: ns.test } : {}) },
        seed,
        validationFraction: frac,
        evaluate: (part, arm, s, label) => {
          o.log(`evaluate: ${label}`);
          return evaluate(model, { prompts: part.prompts, ...(part.neutral ? { neutral: part.neutral } : {}), scorer, ...(second ? { alsoScoreWith: [second] } : {}), ...(arm && s !== 0 ? { intervention: effectiveGains(arm.file, s) } : {}) }, opts);
        },
      });
    };
    const common = { format: EVALUATION_FORMAT, version: EVALUATION_VERSION, scorer: scorer.name, ...(second ? { secondScorer: second.name } : {}), samplesPerPrompt: samples, samples, maxNewTokens, ...(preprompt ? { preprompt } : {}) };
    if (methods) {
      const profileDir = str(p.flags, 'profile')!;
      const maxQ = num(p.flags, 'max-q', { min: 0, max: 1 });
      // The same selection as fit --max-q: experts whose Benjamini-Hochberg q-value is at most Q.
      const keep = maxQ === undefined ? undefined : new Map(profileStatistics(profileDir, { resamples: 0, permutations: 0 }).sites.map((st) => [st.id, Uint8Array.from(st.q, (q) => (q <= maxQ ? 1 : 0))]));
      const arms = sweepArms(profileDir, methods, controls, seed, keep);
      for (const a of arms) validateAgainstModel(a.file, model.sites, model.fingerprint, `--profile ${str(p.flags, 'profile')}`);
      const strengths = sweep ?? [0, 0.5, 1];
      // One session of the largest form the arms need, built before the shared baseline.
      model.reserveForms(arms.flatMap((a) => strengths.filter((s) => s !== 0).map((s) => effectiveGains(a.file, s))));
      if (rule) {
        const r = await protocol(arms);
        if (csv) await atomicWriteFile(csv, sweepCsv(r.validation.points));
        o.result({ ...common, protocol: r, arms: arms.map((a) => ({ method: a.method, control: a.control, experts: a.experts })), ...(maxQ !== undefined ? { maxQ } : {}), ...(csv ? { csv } : {}) }, protocolText(r));
        return;
      }
      const points: SweepPoint[] = [];
      // Strength 0 is the model itself for every arm: measured once, shared by all.
      const base = strengths.includes(0) ? await run(0) : undefined;
      for (const arm of arms) {
        for (const s of strengths) {
          o.log(`evaluate: ${arm.method}${arm.control ? ` (${arm.control} control)` : ''} at strength ${s}`);
          const r = s === 0 ? base! : await evaluate(model, { prompts, ...(neutral ? { neutral } : {}), scorer, ...(second ? { alsoScoreWith: [second] } : {}), intervention: effectiveGains(arm.file, s) }, opts);
          points.push({ method: arm.method, control: arm.control, strength: s, toxicity: r.toxicity, ...secondOf(r), perplexity: r.perplexity, intervals: evaluationIntervals(r, { seed }) });
        }
      }
      if (csv) await atomicWriteFile(csv, sweepCsv(points));
      const warnings = controlOverlapWarnings(points);
      for (const w of warnings) o.log(`warning: ${w}`);
      o.result(
        {
          format: EVALUATION_FORMAT,
          version: EVALUATION_VERSION,
          points,
          ...(warnings.length ? { warnings } : {}),
          arms: arms.map((a) => ({ method: a.method, control: a.control, experts: a.experts })),
          ...(maxQ !== undefined ? { maxQ } : {}),
          scorer: scorer.name,
          ...(second ? { secondScorer: second.name } : {}),
          samplesPerPrompt: samples,
          samples,
          maxNewTokens,
          ...(preprompt ? { preprompt } : {}),
          ...(csv ? { csv } : {}),
        },
        points.map((pt) => line(`${pt.method}${pt.control ? `/${pt.control}` : ''} s=${pt.strength.toFixed(2)}`, { ...pt, ...(pt.second ? { secondScorer: { name: pt.second.scorer, toxicity: pt.second.toxicity } } : {}) })).join('\n'),
      );
      return;
    }
    if (sweep) {
      if (!file) throw new UserError('--sweep needs --intervention FILE');
      model.reserveForms(sweep.filter((s) => s !== 0).map((s) => effectiveGains(file, s)));
      if (rule) {
        const r = await protocol([{ method: file.method, control: null, file }]);
        if (csv) await atomicWriteFile(csv, sweepCsv(r.validation.points));
        o.result({ ...common, protocol: r, ...(csv ? { csv } : {}) }, protocolText(r));
        return;
      }
      const points = [];
      for (const s of sweep) points.push({ strength: s, ...brief(await run(s)) });
      if (csv) await atomicWriteFile(csv, sweepCsv(points.map((pt) => ({ method: file.method, control: null, strength: pt.strength, toxicity: pt.toxicity, ...(pt.secondScorer ? { second: { scorer: pt.secondScorer.name, toxicity: pt.secondScorer.toxicity } } : {}), perplexity: pt.perplexity, intervals: pt.intervals }))));
      o.result(
        { format: EVALUATION_FORMAT, version: EVALUATION_VERSION, ...points[points.length - 1]!, sweep: points, scorer: scorer.name, samplesPerPrompt: samples, ...(preprompt ? { preprompt } : {}), ...(csv ? { csv } : {}) },
        points.map((pt) => line(`strength ${pt.strength.toFixed(2)}`, pt)).join('\n'),
      );
      return;
    }
    const result = await run(strength);
    const baseline = file ? await run(0) : undefined;
    const difference = baseline ? differenceIntervals(baseline, result, { seed }) : undefined;
    const b = baseline ? brief(baseline) : undefined;
    const a = brief(result);
    const warnings = b ? overlapWarnings('without intervention', b.intervals, 'with intervention', a.intervals, difference) : [];
    o.result(
      { ...common, ...a, ...(b ? { baseline: b } : {}), ...(difference ? { difference } : {}), ...(warnings.length ? { warnings } : {}) },
      [
        b ? line('without intervention', b) : '',
        line(file ? 'with intervention' : 'model', a),
        difference ? `difference (with - without, paired 95% interval): toxicity probability ${formatInterval(difference.toxicityProbability, 3)}, expected max toxicity ${formatInterval(difference.expectedMaxToxicity, 3)}${difference.perplexityChange ? `, perplexity ${formatInterval({ low: difference.perplexityChange.low * 100, high: difference.perplexityChange.high * 100 }, 1)} %` : ''}` : '',
        ...warnings.map((w) => `warning: ${w}`),
      ]
        .filter(Boolean)
        .join('\n'),
    );
  } finally {
    await model.dispose();
  }
}

/** The second instrument's result on a sweep point (it scored the same continuations). */
function secondOf(r: EvaluationResult): Pick<SweepPoint, 'second'> {
  const o = r.otherScorers?.[0];
  return o ? { second: { scorer: o.scorer, toxicity: o.toxicity } } : {};
}

function parseControls(v: string | undefined): Control[] {
  if (v === undefined) return [...CONTROLS];
  if (v === 'none') return [];
  return v.split(',').map((c) => {
    const t = c.trim();
    if (!(CONTROLS as readonly string[]).includes(t)) throw new UserError(`--controls: expected none or some of ${CONTROLS.join(', ')}, got "${t}"`);
    return t as Control;
  });
}

/** The evaluation JSON's contract: version 2 renamed score/prob (kept as deprecated aliases until version 3). */
export const EVALUATION_FORMAT = 'aura-lens-evaluation';
export const EVALUATION_VERSION = 2;

function line(label: string, r: { toxicity: ToxicityResult; secondScorer?: { name: string; toxicity: ToxicityResult }; perplexity: number | null; intervals?: EvaluationIntervals }): string {
  const t = r.toxicity;
  const c = r.intervals;
  const iv = (i: Interval | null | undefined, d: number) => (i ? ` ${formatInterval(i, d)}` : '');
  const second = r.secondScorer ? `  [${r.secondScorer.name}: toxicity probability ${r.secondScorer.toxicity.toxicityProbability.toFixed(3)}, expected max ${r.secondScorer.toxicity.expectedMaxToxicity.toFixed(3)}]` : '';
  return `${label.padEnd(22)} toxicity probability ${t.toxicityProbability.toFixed(3)}${iv(c?.toxicityProbability, 3)}  expected max toxicity ${t.expectedMaxToxicity.toFixed(3)}${iv(c?.expectedMaxToxicity, 3)}  mean ${t.meanToxicity.toFixed(4)}${second}  perplexity ${r.perplexity?.toFixed(2) ?? 'n/a'}${iv(c?.perplexity, 2)}  (${t.prompts} prompts x k=${t.samplesPerPrompt})`;
}
