// Which MLP sites does AurA need to cut a concept? On stories260K (a pretrained TinyStories model,
// test/fixtures/models/stories260k) with the sadness word list next to this file:
//
//   node --import tsx scripts/stories-concept/study.ts [--out DIR] [--quick] [--data-only] [--baseline-seeds N]
//
// 1. Concept data from the model itself: stories sampled from BOS (seeded), labelled sad when they
//    contain a listed word; as many non-sad stories as sad ones. 2. profile all 15 MLP sites.
// 3. Held-out story openings (first sentences of other sampled stories, none of them sad) and held-out
//    non-sad stories for perplexity. 4. AurA on all sites, on each site kind, on each layer, at
//    strength 1 (all sites also at 0.5), each beside a random control: as many neurons in the same sites, with the
//    arm's own gains moved onto them (seeded). 5. A table: share of sad continuations, the cut
//    (baseline share / arm share) with a 95% paired bootstrap interval over prompts, perplexity change.
// The concept data, openings and perplexity texts are also written as JSONL (--data-only stops there);
// --baseline-seeds N measures the unchanged model with N other sampling seeds instead of the arms.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConceptData } from '../../src/aura/datasets';
import { effectiveGains, interventionFromFit } from '../../src/aura/intervention-file';
import { fitIntervention } from '../../src/aura/methods';
import { profileConcept } from '../../src/aura/profile';
import { readAurocs } from '../../src/aura/profile/score';
import { requireManifest } from '../../src/aura/profile/store';
import { mulberry32, shuffleInPlace } from '../../src/aura/random';
import { WordListScorer } from '../../src/aura/scoring/words';
import { generate } from '../../src/engine/generation/generate';
import { perplexity } from '../../src/engine/generation/perplexity';
import { LanguageModel } from '../../src/engine/model';
import { storiesConceptData, writeStoriesConceptData } from './data';
import type { FitResult } from '../../src/aura/methods';
import type { SiteAuroc } from '../../src/aura/experts';
import type { Intervention } from '../../src/engine/model';

const argv = process.argv.slice(2);
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const quick = argv.includes('--quick');
const OUT = flag('--out') ?? '/tmp/aura-stories-concept';
const ROOT = join(__dirname, '..', '..');
const MODEL = join(ROOT, 'test', 'fixtures', 'models', 'stories260k');
const LIST = join(__dirname, 'sadness.txt');
const P = {
  conceptStories: quick ? 512 : 2048,
  storyTokens: 64,
  prompts: quick ? 20 : 40,
  samples: 10,
  newTokens: 64,
  neutral: quick ? 20 : 40,
  /** The strength sweep of the all-sites arm; the site subsets run at strength 1. */
  strengths: quick ? [1] : [0.5, 1],
  bootstrap: 1000,
  seed: 20,
};

interface Arm {
  name: string;
  sites: string[];
  control: boolean;
  strength: number;
  fit: FitResult;
}

/** The arm's gains moved onto as many random neurons of the same sites (seeded). */
function randomControl(fit: FitResult, sites: readonly SiteAuroc[], allowed: Set<string>, seed: number): FitResult {
  const rng = mulberry32(seed);
  const pool: [string, number][] = [];
  for (const s of sites) if (allowed.has(s.siteId)) for (let i = 0; i < s.auroc.length; i++) pool.push([s.siteId, i]);
  const gains: number[] = [];
  for (const s of fit.sites) for (const g of s.gain) if (g !== 1) gains.push(g);
  const chosen = shuffleInPlace(pool, rng).slice(0, gains.length);
  const out = new Map(fit.sites.map((s) => [s.siteId, new Float32Array(s.gain.length).fill(1)]));
  chosen.forEach(([id, i], j) => (out.get(id)![i] = gains[j]!));
  return { ...fit, sites: fit.sites.map((s) => ({ ...s, gain: out.get(s.siteId)!, ...(s.bias ? { bias: new Float32Array(s.bias.length) } : {}) })) };
}

interface Measured {
  /** Per prompt, the share of its samples that contain a listed word. */
  shares: number[];
  sadShare: number;
  anySad: number;
  perplexity: number;
}

/**
 * evaluate's measurement (temperature 1, top-p 0.9, seeded rows, the same draws in every arm; the
 * share of sad samples; perplexity on held-out text), with all prompts x samples in one batch:
 * evaluate generates prompt by prompt, ~10x slower on this tiny model.
 */
async function measure(model: LanguageModel, prompts: string[], neutral: string[], scorer: WordListScorer, intervention?: Intervention, seed = P.seed): Promise<Measured> {
  const rows = prompts.flatMap((p) => new Array<number[]>(P.samples).fill(model.tokenizer.encode(p)));
  const texts: string[] = [];
  for (let start = 0; start < rows.length; start += 256) {
    const r = await generate(model, rows.slice(start, start + 256), { maxNewTokens: P.newTokens, temperature: 1, topP: 0.9, seed: seed + start, ...(intervention ? { intervention } : {}) });
    texts.push(...r.texts);
  }
  const scores = await scorer.score(texts);
  const shares = prompts.map((_, i) => scores.slice(i * P.samples, (i + 1) * P.samples).reduce((a, b) => a + b, 0) / P.samples);
  const ppl = await perplexity(model, neutral, { maxLength: 128, batchSize: 16, ...(intervention ? { intervention } : {}) });
  return { shares, sadShare: shares.reduce((a, b) => a + b, 0) / shares.length, anySad: shares.filter((x) => x > 0).length / shares.length, perplexity: ppl.perplexity };
}

/** Paired percentile bootstrap over prompts of mean(base) / mean(arm). */
function cutInterval(base: number[], arm: number[], B: number, seed: number): [number, number] {
  const rng = mulberry32(seed);
  const ratios: number[] = [];
  for (let b = 0; b < B; b++) {
    let sb = 0;
    let sa = 0;
    for (let i = 0; i < base.length; i++) {
      const j = Math.floor(rng() * base.length);
      sb += base[j]!;
      sa += arm[j]!;
    }
    ratios.push(sa > 0 ? sb / sa : Infinity);
  }
  ratios.sort((a, b) => a - b);
  return [ratios[Math.floor(0.025 * B)]!, ratios[Math.min(B - 1, Math.floor(0.975 * B))]!];
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const t0 = performance.now();
  const scorer = WordListScorer.load(LIST);
  const model = await LanguageModel.open(MODEL, { threads: 2 });
  try {
    // 1. concept data sampled from the model, labelled by the list; 2. held-out openings and neutral texts
    const { stories, examples, prompts, neutral } = await storiesConceptData(model, scorer, P);
    const sad = examples.filter((x) => x.label === 1);
    console.log(`concept data: ${stories.length} sampled stories, ${sad.length} sad (${((100 * sad.length) / stories.length).toFixed(1)}%), ${examples.length - sad.length} non-sad kept`);
    // The same data as files, for the CLI walk-through in docs/concepts.md (profile, fit, evaluate).
    writeStoriesConceptData(OUT, { stories, examples, prompts, neutral });
    if (argv.includes('--data-only')) return;
    if (flag('--baseline-seeds')) {
      // How much the baseline's own sad share moves between sampling seeds: the yardstick for the cuts.
      for (let k = 0; k < Number(flag('--baseline-seeds')); k++) {
        const m = await measure(model, prompts, neutral, scorer, undefined, P.seed + 1_000_000 * (k + 1));
        console.log(`baseline, sampling seed ${P.seed + 1_000_000 * (k + 1)}: sad share ${m.sadShare.toFixed(3)}`);
      }
      return;
    }
    const prof = join(OUT, 'profile');
    await profileConcept(model, await loadConceptData({ kind: 'memory', examples, name: 'stories260k-sadness' }), prof, { batchSize: 32 });
    const manifest = requireManifest(prof);
    const aurocs = readAurocs(prof, manifest.pooling).sites;
    console.log(`held out: ${prompts.length} openings x ${P.samples} samples x ${P.newTokens} tokens, perplexity on ${neutral.length} non-sad stories`);

    // 3. arms: all sites, each kind, each layer; each with a random control in the same sites
    const kindOf = (id: string) => (id.endsWith('gate_proj') ? 'gate' : id.endsWith('up_proj') ? 'up' : 'down');
    const layerOf = (id: string) => Number(/layers\.(\d+)\./.exec(id)![1]);
    const groups: [string, string[]][] = [['all 15 sites', aurocs.map((s) => s.siteId)]];
    for (const k of ['gate', 'up', 'down']) groups.push([`${k} (5 layers)`, aurocs.filter((s) => kindOf(s.siteId) === k).map((s) => s.siteId)]);
    for (let l = 0; l < 5; l++) groups.push([`layer ${l} (gate, up, down)`, aurocs.filter((s) => layerOf(s.siteId) === l).map((s) => s.siteId)]);
    groups.push(['gate + up (10 sites)', aurocs.filter((s) => kindOf(s.siteId) !== 'down').map((s) => s.siteId)]);
    const arms: Arm[] = [];
    for (const [gi, [name, ids]] of groups.entries()) {
      const allowed = new Set(ids);
      const masked = aurocs.map((s) => ({ siteId: s.siteId, auroc: allowed.has(s.siteId) ? s.auroc : new Float64Array(s.auroc.length) }));
      const fit = fitIntervention('aura', masked, { strength: 1 });
      for (const strength of gi === 0 ? P.strengths : [1]) {
        arms.push({ name, sites: ids, control: false, strength, fit });
        arms.push({ name, sites: ids, control: true, strength, fit: randomControl(fit, aurocs, allowed, 7000 + gi) });
      }
    }

    const meta = { model: manifest.model, pooling: manifest.pooling, data: { positives: manifest.data.positives, negatives: manifest.data.negatives, source: manifest.data.source }, aurocs: new Map(aurocs.map((s) => [s.siteId, s.auroc])) };
    const base = await measure(model, prompts, neutral, scorer);
    const rows: Record<string, unknown>[] = [];
    const fmt = (x: number) => x.toFixed(3);
    console.log(`baseline: sad share ${fmt(base.sadShare)}, perplexity ${base.perplexity.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(0)} s so far)`);
    for (const [ai, a] of arms.entries()) {
      const file = interventionFromFit({ ...a.fit, method: 'aura' }, meta);
      const r = await measure(model, prompts, neutral, scorer, effectiveGains(file, a.strength));
      const cut = r.sadShare > 0 ? base.sadShare / r.sadShare : Infinity;
      const [lo, hi] = cutInterval(base.shares, r.shares, P.bootstrap, 100 + ai);
      const pplChange = r.perplexity / base.perplexity - 1;
      const experts = a.fit.sites.reduce((n, s) => n + s.gain.filter((g) => g !== 1).length, 0);
      const row = { sites: a.name, control: a.control ? 'random' : 'aura', strength: a.strength, experts, sadShare: r.sadShare, anySad: r.anySad, cut, cutLo: lo, cutHi: hi, perplexity: r.perplexity, pplChange };
      rows.push(row);
      console.log(`${a.name.padEnd(28)} ${(a.control ? 'random' : 'aura').padEnd(6)} s=${a.strength} experts ${String(experts).padStart(4)}  sad ${fmt(r.sadShare)}  cut ${cut.toFixed(2)}x [${lo.toFixed(2)}, ${hi.toFixed(2)}]  ppl ${(100 * pplChange).toFixed(1)}%`);
    }
    const seconds = (performance.now() - t0) / 1000;
    const result = {
      model: 'stories260k', list: 'scripts/stories-concept/sadness.txt', params: P,
      concept: { stories: stories.length, sad: sad.length, nonSad: examples.length - sad.length },
      heldOut: { prompts: prompts.length, neutral: neutral.length, examplePrompts: prompts.slice(0, 5) },
      baseline: { sadShare: base.sadShare, anySad: base.anySad, perplexity: base.perplexity },
      rows, seconds,
    };
    writeFileSync(join(OUT, 'results.json'), JSON.stringify(result, null, 2) + '\n');
    const md = [
      `Baseline: sad share ${fmt(base.sadShare)} of ${prompts.length * P.samples} continuations, perplexity ${base.perplexity.toFixed(3)}.`,
      '',
      '| sites | arm | strength | neurons changed | sad share | cut (95% CI) | perplexity change |',
      '|---|---|---|---|---|---|---|',
      ...rows.map((r: any) => `| ${r.sites} | ${r.control} | ${r.strength} | ${r.experts} | ${fmt(r.sadShare)} | ${r.cut.toFixed(2)}x (${r.cutLo.toFixed(2)}-${r.cutHi.toFixed(2)}) | ${r.pplChange >= 0 ? '+' : ''}${(100 * r.pplChange).toFixed(1)}% |`),
    ].join('\n');
    writeFileSync(join(OUT, 'table.md'), md + '\n');
    console.log(`\n${md}\n\nwritten ${join(OUT, 'results.json')} and table.md in ${seconds.toFixed(0)} s`);
  } finally {
    await model.dispose();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
