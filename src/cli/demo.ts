// The whole AurA loop on the embedded default, with no arguments: profile the concept data, fit AurA,
// then the evaluation protocol (issue 20, item 4): the prompts and neutral texts split (seeded) into a
// validation and a test part, the strength chosen on validation by a rule fixed here (DEMO_RULE), and
// the chosen point reported on test beside the model itself, with bootstrap intervals.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConceptData, loadPrompts } from '../aura/datasets';
import { demoAssets } from '../aura/demo-assets';
import { evaluate } from '../aura/evaluate';
import { effectiveGains, interventionFromFit, writeInterventionFile } from '../aura/intervention-file';
import { fitIntervention } from '../aura/methods';
import { tagStrongestExperts } from '../aura/neuron-writes-tags';
import { toxicTokenIds } from '../aura/neuron-writes-tokens';
import { profileConcept } from '../aura/profile';
import { readAurocs } from '../aura/profile/score';
import { createScorer } from '../aura/scoring/create';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { command, number, parseCommand, positionals, text } from './flag-schema';
import { makeOutput } from './output';
import { guardOutputFile, guardOutputFolder } from '../aura/output-guard';
import { parseChoiceRule, splitItems } from '../aura/choose';
import { formatInterval } from '../aura/evaluation-intervals';
import { EVALUATION_FORMAT, EVALUATION_VERSION } from './evaluate';
import { pointRows, validateThenTest } from './evaluate-choose';
import type { Interval } from '../aura/evaluation-intervals';
import type { ProtocolPoint, ProtocolResult } from './evaluate-choose';

const DEMO = v.pipe(
  command({
    _: positionals([]),
    out: text('out'),
    samples: number('samples', { min: 1, max: 100, integer: true }),
    'max-new-tokens': number('max-new-tokens', { min: 1, max: 256, integer: true }),
    'max-prompts': number('max-prompts', { min: 1, integer: true }),
    seed: number('seed', { integer: true }),
    threads: number('threads', { min: 1, max: 64, integer: true }),
  }),
  v.transform((o) => ({
    out: resolve(o.out || defaultDemoDir()),
    samples: o.samples ?? 10,
    maxNewTokens: o['max-new-tokens'] ?? 20,
    maxPrompts: o['max-prompts'],
    seed: o.seed ?? 0,
    threads: o.threads,
    json: o.json,
  })),
);

export type DemoOptions = v.InferOutput<typeof DEMO>;

/** Every flag of `demo`, checked before the model opens. */
export function demoOptions(argv: string[]): DemoOptions {
  return parseCommand('demo', argv, DEMO);
}

export async function demoCommand(argv: string[]): Promise<void> {
  const { out, samples, maxNewTokens, maxPrompts, seed, threads, json } = demoOptions(argv);
  const o = makeOutput(json);
  const started = performance.now();
  const assets = demoAssets();
  guardOutputFolder('--out', out, { modelDirs: [assets.model] });
  guardOutputFile('--out', join(out, 'intervention.json'), 'intervention', { modelDirs: [assets.model] });
  const log = (m: string) => o.log(`demo: ${m}`);

  log(`writing the profile and the intervention file to ${out}`);
  log(`loading the embedded model from ${assets.model}`);
  const model = await LanguageModel.open(assets.model, threads ? { threads } : {});
  try {
    const concept = await loadConceptData({ kind: 'file', path: assets.concept }, { seed });
    log(`profiling ${model.sites.length} sites on ${concept.positives} toxic and ${concept.negatives} non-toxic sentences`);
    const prof = await profileConcept(model, concept, join(out, 'profile'), {
      // The demo's own subfolder: a profile left by an older embedded model is redone, not refused.
      replaceDifferent: true,
      onProgress: (e) => (e.batch % 25 === 0 || e.batch === e.batches ? log(`  batch ${e.batch}/${e.batches}`) : undefined),
    });
    const { sites } = readAurocs(prof.dir);
    const fit = fitIntervention('aura', sites);
    const file = interventionFromFit(fit, {
      model: { name: model.name, fingerprint: model.fingerprint },
      pooling: 'max',
      data: { positives: concept.positives, negatives: concept.negatives, source: 'media/demo/concept.jsonl' },
      aurocs: new Map(sites.map((s) => [s.siteId, s.auroc])),
    });
    const ivPath = join(out, 'intervention.json');
    await writeInterventionFile(ivPath, file);
    log(`AurA: ${fit.experts} experts of ${fit.neurons} neurons; intervention written to ${ivPath}`);
    // What the strongest experts write: do they produce toxic tokens (generation) or only fire on them?
    const tags = tagStrongestExperts(model, sites, TAGGED_EXPERTS, toxicTokenIds(model.tokenizer, concept.examples.map((e) => e.text)));
    log(`of the ${tags.tagged} strongest hidden-layer experts, ${tags.generation} promote toxic tokens (generation), ${tags.detection} do not (detection)`);

    const prompts = await loadPrompts(assets.prompts, { ...(maxPrompts ? { max: maxPrompts } : {}), seed });
    const neutral = await loadPrompts(assets.neutral);
    // The lexicon labelled the concept data; cuss did not, so it checks the cut with another instrument.
    const scorer = await createScorer('lexicon');
    const second = await createScorer('cuss');
    const opts = { samples, maxNewTokens, seed, onProgress: (stage: string, d: number, t: number) => (d % 25 === 0 || d === t ? log(`  ${stage} ${d}/${t}`) : undefined) };
    const ps = splitItems(prompts, DEMO_VALIDATION, seed, 'prompts');
    const ns = splitItems(neutral, DEMO_VALIDATION, seed + 1, 'neutral texts');
    log(`protocol: ${ps.validation.length} validation and ${ps.test.length} test prompts (seed ${seed}), x ${samples} continuations x ${maxNewTokens} tokens; rule ${DEMO_RULE}`);
    const protocol = await validateThenTest({
      arms: [{ method: 'aura', control: null, file }],
      strengths: DEMO_STRENGTHS,
      rule: parseChoiceRule(DEMO_RULE),
      validation: { prompts: ps.validation, neutral: ns.validation },
      test: { prompts: ps.test, neutral: ns.test },
      seed,
      validationFraction: DEMO_VALIDATION,
      evaluate: (part, arm, s, label) => {
        log(`evaluating ${label} (same seeds)`);
        return evaluate(model, { prompts: part.prompts, ...(part.neutral ? { neutral: part.neutral } : {}), scorer, alsoScoreWith: [second], ...(arm && s !== 0 ? { intervention: effectiveGains(arm.file, s) } : {}) }, opts);
      },
    });
    // The file carries the strength the rule chose, so applying it reproduces the reported point.
    const chosenStrength = protocol.chosen && protocol.chosen.method !== 'none' ? protocol.chosen.strength : null;
    if (chosenStrength !== null && chosenStrength !== file.params.strength) await writeInterventionFile(ivPath, { ...file, params: { ...file.params, strength: chosenStrength } });
    const seconds = (performance.now() - started) / 1000;
    const baseline = protocol.test.baseline;
    // The model itself stands in when the rule chose no intervention (the table then says so).
    const intervened = protocol.test.chosen ?? baseline;
    const brief = (r: ProtocolPoint) => ({ toxicity: r.toxicity, perplexity: r.perplexity, intervals: r.intervals, ...(r.difference ? { difference: r.difference } : {}) });
    o.result(
      {
        format: EVALUATION_FORMAT,
        version: EVALUATION_VERSION,
        // The test part: what the demo reports.
        baseline: brief(baseline),
        intervened: brief(intervened),
        chosenStrength,
        protocol,
        experts: fit.experts,
        neurons: fit.neurons,
        expertRoles: { tagged: tags.tagged, generation: tags.generation, detection: tags.detection },
        bestAuroc: Math.max(...prof.summaries.map((s) => s.bestAuroc)),
        seconds,
        intervention: ivPath,
        profile: prof.dir,
        scorer: scorer.name,
        secondScorer: { name: second.name, baseline: secondOf(baseline), intervened: secondOf(intervened) },
        samplesPerPrompt: samples,
        samples,
        maxNewTokens,
      },
      table(protocol, fit.experts, fit.neurons, seconds, ivPath) +
        `\nof the ${tags.tagged} strongest hidden-layer experts, ${tags.generation} write toxic tokens (generation) and ${tags.detection} only detect`,
    );
  } finally {
    await model.dispose();
  }
}

/** The strongest experts whose writes the demo tags (about 4 s on two cores). */
const TAGGED_EXPERTS = 100;

/** The rule, fixed before any run: the strongest cut that keeps perplexity within +5% of the model's (the demo's target). */
export const DEMO_RULE = 'max-cut:ppl<=+5%';
/** Strengths tried on validation (0, the model itself, is always measured). */
const DEMO_STRENGTHS = [0.5, 1];
/** Share of prompts and neutral texts in the validation part. */
const DEMO_VALIDATION = 0.5;

function secondOf(r: ProtocolPoint): NonNullable<ProtocolPoint['second']> {
  if (!r.second) throw new Error('demo: the second scorer produced no result');
  return r.second;
}

/**
 * Where the demo writes by default: the per-user cache folder (the profile is about 200 MB of
 * responses and can be recomputed), never the current folder, so a clone stays clean.
 */
export function defaultDemoDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'aura-lens', 'demo');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'aura-lens', 'demo');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'aura-lens', 'demo');
}

function table(p: ProtocolResult, experts: number, neurons: number, seconds: number, path: string): string {
  const b = p.test.baseline;
  const i = p.test.chosen ?? b;
  const name = p.test.chosen ? `AurA at ${p.test.chosen.strength}` : 'AurA (none chosen)';
  const k = b.toxicity.samplesPerPrompt;
  const fig = (v: number, iv: Interval | null | undefined, d: number) => `${v.toFixed(d)} ${formatInterval(iv, d)}`;
  const row = (label: string, r: ProtocolPoint) => {
    const c = secondOf(r);
    return `| ${label.padEnd(12)} | ${fig(r.toxicity.toxicityProbability, r.intervals.toxicityProbability, 3).padStart(21)} | ${fig(r.toxicity.expectedMaxToxicity, r.intervals.expectedMaxToxicity, 3).padStart(21)} | ${fig(c.toxicity.toxicityProbability, c.intervals.toxicityProbability, 3).padStart(21)} | ${fig(r.perplexity ?? NaN, r.intervals.perplexity, 2).padStart(24)} |`;
  };
  const cut = (before: number, after: number) => (after > 0 ? `${(before / after).toFixed(2)}x` : 'to zero');
  const d = i.difference;
  const cd = i.second?.difference;
  const pct = (iv: Interval | null | undefined) => (iv ? formatInterval({ low: iv.low * 100, high: iv.high * 100 }, 1) : 'n/a');
  const change = b.perplexity && i.perplexity ? `${(((i.perplexity - b.perplexity) / b.perplexity) * 100).toFixed(1)}%` : 'n/a';
  const s = p.split;
  return [
    '',
    `validation part (${s.validation.prompts} prompts, ${s.validation.neutral} neutral texts), lexicon; rule fixed before the run: ${p.rule}`,
    ...pointRows(p.validation.points),
    p.chosen ? `chosen on validation: ${p.chosen.method === 'none' ? 'no intervention (none met the rule better than the model itself)' : `AurA at strength ${p.chosen.strength}`}` : 'chosen on validation: nothing met the rule',
    '',
    `test part (${s.test.prompts} prompts x ${k} continuations, ${s.test.neutral} neutral texts): the reported result`,
    `| model        | lexicon tox. prob. *  | lexicon exp. max *    | cuss tox. prob.       | perplexity               |`,
    '|--------------|-----------------------|-----------------------|-----------------------|--------------------------|',
    row('original', b),
    row(name, i),
    '',
    '* the lexicon also labelled the concept data the experts were chosen on; cuss did not',
    `toxicity probability (share of prompts with a toxic continuation among k = ${k}) reduced ${cut(b.toxicity.toxicityProbability, i.toxicity.toxicityProbability)} (lexicon), ${cut(secondOf(b).toxicity.toxicityProbability, secondOf(i).toxicity.toxicityProbability)} (cuss); perplexity ${change}`,
    ...(d ? [`paired 95% intervals of the change: lexicon ${formatInterval(d.toxicityProbability, 3)}, cuss ${formatInterval(cd?.toxicityProbability, 3)}, perplexity ${pct(d.perplexityChange)} %`] : []),
    'brackets: 95% percentile bootstrap over prompts (each keeping its k continuations) and neutral texts',
    ...p.validation.warnings.map((w) => `warning (validation): ${w}`),
    ...p.test.warnings.map((w) => `warning (test): ${w}`),
    `experts found: ${experts} of ${neurons} neurons (AUROC > 0.5), dampened by 1 - 2*(AUROC - 0.5), scaled by the strength`,
    `time taken ${seconds.toFixed(0)} s (depends on the machine)`,
    `intervention file${p.test.chosen ? ` (strength ${p.test.chosen.strength}, as chosen)` : ''}: ${path}`,
  ].join('\n');
}
