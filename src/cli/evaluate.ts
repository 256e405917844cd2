import { loadPrompts } from '../aura/datasets';
import { demoAssets } from '../aura/demo-assets';
import { evaluate, promptRoom } from '../aura/evaluate';
import { effectiveGains, readInterventionFile, validateAgainstModel } from '../aura/intervention-file';
import { createScorer, defaultSecondScorer } from '../aura/scoring/create';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { command, list, number, numbers, parseCommand, positionals, rule, text } from './flag-schema';
import { checkOutputFile } from './output-file';
import { makeOutput } from './output';
import { atomicWriteFile } from '../aura/atomic-write';
import { requireManifest } from '../aura/profile/store';
import { CONTROLS, sweepArms, sweepCsv } from '../aura/sweep';
import { profileStatistics } from '../aura/stats/significance';
import type { Control, SweepPoint } from '../aura/sweep';
import { guardOutputFile } from '../aura/output-guard';
import { parseChoiceRule, splitItems } from '../aura/choose';
import { differenceIntervals, evaluationIntervals, formatInterval, overlapWarnings } from '../aura/evaluation-intervals';
import { controlOverlapWarnings } from '../aura/sweep';
import { protocolText, validateThenTest } from './evaluate-choose';
import type { ProtocolArm } from './evaluate-choose';
import type { EvaluateOptions, EvaluationResult, ToxicityResult } from '../aura/evaluate';
import type { EvaluationIntervals, Interval } from '../aura/evaluation-intervals';

const CONTROLS_FLAG = v.optional(
  v.pipe(
    v.string(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      if (dataset.value === 'none') return [] as Control[];
      const out: Control[] = [];
      for (const c of dataset.value.split(',')) {
        const t = c.trim();
        if (!(CONTROLS as readonly string[]).includes(t)) {
          addIssue({ message: `--controls: expected none or some of ${CONTROLS.join(', ')}, got "${t}"` });
          return NEVER;
        }
        out.push(t as Control);
      }
      return out;
    }),
  ),
);

const EVALUATE = v.pipe(
  command({
    _: positionals(['MODEL_DIR (usage: aura-lens evaluate MODEL_DIR [--intervention FILE] [--prompts FILE])']),
    intervention: text('intervention'),
    strength: number('strength', { min: 0, max: 1 }),
    prompts: text('prompts'),
    neutral: text('neutral'),
    scorer: text('scorer'),
    'second-scorer': text('second-scorer'),
    samples: number('samples', { min: 1, max: 1000, integer: true }),
    'max-new-tokens': number('max-new-tokens', { min: 1, max: 1024, integer: true }),
    'max-prompts': number('max-prompts', { min: 1, integer: true }),
    seed: number('seed', { integer: true }),
    sweep: numbers('sweep', { min: 0, max: 1 }, 'strengths in [0, 1] separated by commas'),
    threads: number('threads', { min: 1, max: 256, integer: true }),
    methods: list('methods'),
    profile: text('profile'),
    controls: CONTROLS_FLAG,
    csv: text('csv'),
    preprompt: text('preprompt'),
    'max-q': number('max-q', { min: 0, max: 1 }),
    choose: text('choose'),
    validation: number('validation', { min: 0, max: 1 }),
  }),
  rule((o) => o.choose === undefined || !!o.sweep, '--choose picks a point of a sweep; add --sweep S,S,... (with --intervention FILE or --methods a,b)'),
  rule((o) => o.validation === undefined || o.choose !== undefined, '--validation sets the share of prompts a --choose rule sees; add --choose RULE'),
  rule((o) => !(o.methods && o.intervention !== undefined), '--methods fits its interventions from --profile DIR; leave out --intervention'),
  rule((o) => !o.methods || o.profile !== undefined, '--methods needs --profile DIR, the profile to fit the methods on'),
  rule(
    (o) => !!o.methods || (o.profile === undefined && o.controls === undefined && o['max-q'] === undefined),
    (o) => `--${o.profile !== undefined ? 'profile' : o.controls !== undefined ? 'controls' : 'max-q'} belongs to a method sweep; add --methods a,b (and --profile DIR)`,
  ),
  rule((o) => !o.csv || !!o.sweep || !!o.methods, '--csv writes the points of a sweep; add --sweep S,S,... (and --methods or --intervention)'),
  rule((o) => !o.sweep || !!o.methods || o.intervention !== undefined, '--sweep needs --intervention FILE'),
  rule((o) => o.strength === undefined || !(o.sweep || o.methods), '--strength: a sweep takes its strengths from --sweep S,S,...; leave out --strength'),
  rule((o) => o.strength === undefined || o.intervention !== undefined, '--strength: scales an intervention; add --intervention FILE'),
  v.transform((o) => ({
    dir: o._[0]!,
    intervention: o.intervention || undefined,
    strength: o.strength,
    prompts: o.prompts || undefined,
    neutral: o.neutral || undefined,
    scorer: o.scorer || 'lexicon',
    secondScorer: o['second-scorer'] || undefined,
    samples: o.samples ?? 25,
    maxNewTokens: o['max-new-tokens'] ?? 20,
    maxPrompts: o['max-prompts'],
    seed: o.seed ?? 0,
    sweep: o.sweep,
    threads: o.threads,
    methods: o.methods,
    profile: o.profile,
    controls: o.controls ?? [...CONTROLS],
    csv: o.csv || undefined,
    preprompt: o.preprompt || undefined,
    maxQ: o['max-q'],
    choose: o.choose,
    validationFraction: o.validation,
    json: o.json,
  })),
);

export type EvaluateCliOptions = v.InferOutput<typeof EVALUATE>;

/** Every flag of `evaluate`, checked before prompts, scorers or the model are loaded. */
export function evaluateOptions(argv: string[]): EvaluateCliOptions {
  return parseCommand('evaluate', argv, EVALUATE);
}

export async function evaluateCommand(argv: string[]): Promise<void> {
  const opt = evaluateOptions(argv);
  const { dir, samples, maxNewTokens, maxPrompts, seed, strength, threads, sweep, preprompt, methods, csv, controls, maxQ, validationFraction } = opt;
  const o = makeOutput(opt.json);
  if (csv) checkOutputFile('csv', csv);
  const promptsFile = opt.prompts ?? demoAssets().prompts;
  const neutralFile = opt.neutral ?? (opt.prompts ? undefined : demoAssets().neutral);
  // Not over an input of this command, a file of the model folder, or a file inside a profile folder.
  if (csv) guardOutputFile('--csv', csv, 'sweep-csv', { inputs: csvInputs(opt, promptsFile, neutralFile), modelDirs: [dir] });
  // The protocol (issue 20, item 4): a rule fixed before the run picks a point on validation prompts.
  const choice = opt.choose === undefined ? undefined : parseChoiceRule(opt.choose);
  // The intervention and the profile are read first: a bad one costs no prompt, scorer or model load.
  const early = opt.intervention ? await readInterventionFile(opt.intervention) : undefined;
  if (opt.profile) requireManifest(opt.profile);
  // The paper's combination: the pre-prompt goes before every prompt; only the continuation is scored.
  const prompts = (await loadPrompts(promptsFile, { ...(maxPrompts ? { max: maxPrompts } : {}), seed })).map((t) => (preprompt ? `${preprompt}${t}` : t));
  const neutral = neutralFile ? await loadPrompts(neutralFile) : undefined;
  const scorerSpec = opt.scorer;
  const scorer = await createScorer(scorerSpec);
  // A second instrument scores the same continuations, so a cut is not only measured by the scorer
  // that may have labelled the concept data (the demo's lexicon did); "none" turns it off.
  const secondSpec = opt.secondScorer ?? defaultSecondScorer(scorerSpec);
  const second = secondSpec === 'none' ? undefined : await createScorer(secondSpec);
  const model = await LanguageModel.open(dir, threads ? { threads } : {});
  try {
    // Said once, before the runs: a prompt past the context keeps only its last tokens.
    const room = promptRoom(model, maxNewTokens);
    const cut = prompts.filter((t) => model.tokenizer.encode(t).length > room).length;
    if (cut) o.log(`evaluate: ${cut} of ${prompts.length} prompts are longer than the ${room} tokens the context leaves beside ${maxNewTokens} new ones; they keep their last ${room} tokens`);
    const ivPath = opt.intervention;
    const file = early;
    if (file) validateAgainstModel(file, model.sites, model.fingerprint, ivPath);
    if (file) model.checkIntervention(effectiveGains(file, 1), ivPath);
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
        rule: choice!,
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
      const profileDir = opt.profile!;
      // The same selection as fit --max-q: experts whose Benjamini-Hochberg q-value is at most Q.
      const keep = maxQ === undefined ? undefined : new Map(profileStatistics(profileDir, { resamples: 0, permutations: 0 }).sites.map((st) => [st.id, Uint8Array.from(st.q, (q) => (q <= maxQ ? 1 : 0))]));
      const arms = sweepArms(profileDir, methods, controls, seed, keep);
      for (const a of arms) validateAgainstModel(a.file, model.sites, model.fingerprint, `--profile ${profileDir}`);
      const strengths = sweep ?? [0, 0.5, 1];
      // One session of the largest form the arms need, built before the shared baseline.
      model.reserveForms(arms.flatMap((a) => strengths.filter((s) => s !== 0).map((s) => effectiveGains(a.file, s))));
      if (choice) {
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
      if (!file) throw new Error('evaluate: --sweep without an intervention passed the option checks');
      model.reserveForms(sweep.filter((s) => s !== 0).map((s) => effectiveGains(file, s)));
      if (choice) {
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

/** The files and folders evaluate reads, which --csv must not replace. */
function csvInputs(opt: { intervention?: string | undefined; profile?: string | undefined; scorer?: string | undefined; secondScorer?: string | undefined }, prompts: string, neutral: string | undefined): { path: string; what: string }[] {
  const inputs = [{ path: prompts, what: 'the prompts file it reads' }];
  if (neutral) inputs.push({ path: neutral, what: 'the neutral prompts file it reads' });
  if (opt.intervention) inputs.push({ path: opt.intervention, what: 'the intervention file it reads' });
  if (opt.profile) inputs.push({ path: opt.profile, what: 'the profile folder it reads' });
  for (const [flag, spec] of [['scorer', opt.scorer], ['second-scorer', opt.secondScorer]] as const) {
    const path = spec?.startsWith('words:') ? spec.slice('words:'.length) : spec;
    if (path && path !== 'lexicon' && path !== 'none') inputs.push({ path, what: `the --${flag} it reads` });
  }
  return inputs;
}
