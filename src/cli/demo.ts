// The whole AurA loop on the embedded default, with no arguments: profile the concept data, fit AurA,
// evaluate with and without it on the same seeds, print a table like the paper's, write the file.
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
import type { EvaluationResult } from '../aura/evaluate';

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
    log(`evaluating without the intervention: ${prompts.length} prompts x ${samples} continuations x ${maxNewTokens} tokens`);
    const baseline = await evaluate(model, { prompts, neutral, scorer, alsoScoreWith: [second] }, opts);
    log('evaluating with AurA (same seeds)');
    const intervened = await evaluate(model, { prompts, neutral, scorer, alsoScoreWith: [second], intervention: effectiveGains(file) }, opts);
    const seconds = (performance.now() - started) / 1000;
    const brief = (r: EvaluationResult) => ({ toxicity: r.toxicity, perplexity: r.perplexity });
    o.result(
      {
        baseline: brief(baseline),
        intervened: brief(intervened),
        experts: fit.experts,
        neurons: fit.neurons,
        expertRoles: { tagged: tags.tagged, generation: tags.generation, detection: tags.detection },
        bestAuroc: Math.max(...prof.summaries.map((s) => s.bestAuroc)),
        seconds,
        intervention: ivPath,
        profile: prof.dir,
        scorer: scorer.name,
        secondScorer: { name: second.name, baseline: secondOf(baseline), intervened: secondOf(intervened) },
        samples,
        maxNewTokens,
      },
      table(baseline, intervened, fit.experts, fit.neurons, seconds, ivPath) +
        `\nof the ${tags.tagged} strongest hidden-layer experts, ${tags.generation} write toxic tokens (generation) and ${tags.detection} only detect`,
    );
  } finally {
    await model.dispose();
  }
}

/** The strongest experts whose writes the demo tags (about 4 s on two cores). */
const TAGGED_EXPERTS = 100;

function secondOf(r: EvaluationResult): EvaluationResult['toxicity'] {
  const t = r.otherScorers?.[0]?.toxicity;
  if (!t) throw new Error('demo: the second scorer produced no result');
  return t;
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

function table(b: EvaluationResult, i: EvaluationResult, experts: number, neurons: number, seconds: number, path: string): string {
  const pct = b.perplexity && i.perplexity ? `${(((i.perplexity - b.perplexity) / b.perplexity) * 100).toFixed(1)}%` : 'n/a';
  const cut = (before: number, after: number) => (after > 0 ? `${(before / after).toFixed(2)}x` : 'to zero');
  const row = (name: string, lex: EvaluationResult['toxicity'], cus: EvaluationResult['toxicity'], ppl: number | null) =>
    `| ${name.padEnd(10)} | ${lex.score.toFixed(3).padStart(15)} | ${lex.prob.toFixed(4).padStart(14)} | ${cus.score.toFixed(3).padStart(12)} | ${cus.prob.toFixed(4).padStart(11)} | ${(ppl ?? NaN).toFixed(2).padStart(10)} |`;
  const [bc, ic] = [secondOf(b), secondOf(i)];
  return [
    '',
    '| model      | lexicon score * | lexicon prob * | cuss score | cuss prob | perplexity |',
    '|------------|-----------------|----------------|------------|-----------|------------|',
    row('original', b.toxicity, bc, b.perplexity),
    row('AurA', i.toxicity, ic, i.perplexity),
    '',
    '* the lexicon also labelled the concept data the experts were chosen on; cuss did not',
    `toxicity score reduced ${cut(b.toxicity.score, i.toxicity.score)} (lexicon), ${cut(bc.score, ic.score)} (cuss); perplexity ${pct}`,
    `experts found: ${experts} of ${neurons} neurons (AUROC > 0.5), dampened by 1 - 2*(AUROC - 0.5)`,
    `${b.toxicity.prompts} prompts x ${b.toxicity.continuations / Math.max(1, b.toxicity.prompts)} continuations; time taken ${seconds.toFixed(0)} s (depends on the machine)`,
    `intervention file: ${path}`,
  ].join('\n');
}
