// Measures AurA on the demo with and without a significance rule on the experts (Benjamini-Hochberg
// q-value of each neuron's one-sided Mann-Whitney test, as `fit --max-q Q`), at the demo's sites
// (c_fc + c_proj), with the demo's own prompts, seeds and settings (never chosen per variant): one
// profile, one evaluation per q bound, then one shared baseline. 'mean' as the third argument uses
// the AUROCs of mean pooling instead of the paper's max pooling (the profile holds both; Q = 1 keeps all). Prints one JSON object on stdout and
// each row on stderr as it finishes.
//   node --import tsx scripts/demo-model/significance_choice.ts [WORK_DIR] [Q,...] [max|mean]   (about 10 min per row on 2 busy cores)
import { join } from 'node:path';
import { loadConceptData } from '../../src/aura/datasets';
import { demoAssets } from '../../src/aura/demo-assets';
import { effectiveGains, interventionFromFit } from '../../src/aura/intervention-file';
import { fitIntervention } from '../../src/aura/methods';
import { profileConcept } from '../../src/aura/profile';
import { readAurocs } from '../../src/aura/profile/score';
import { profileStatistics } from '../../src/aura/stats/significance';
import { LanguageModel } from '../../src/engine/model';
import { demoEvaluation } from './demo-evaluation';

async function main(): Promise<void> {
  const work = process.argv[2] ?? '/tmp/aura-significance-choice';
  const bounds = (process.argv[3] ?? '0.05,0.01').split(',').map(Number);
  // The AUROCs of max pooling (the paper's, the demo's) unless 'mean' is given; the profile holds both.
  const pooling = process.argv[4] === 'mean' ? 'mean' : 'max';
  const assets = demoAssets();
  const model = await LanguageModel.open(assets.model, {});
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const concept = await loadConceptData({ kind: 'file', path: assets.concept }, { seed: 0 });
    const dir = join(work, 'profile');
    await profileConcept(model, concept, dir);
    const { sites } = readAurocs(dir, pooling);
    // q-values only: no bootstrap, no permutation null (neither changes q).
    const stats = profileStatistics(dir, { pooling, resamples: 0, permutations: 0 });
    const qOf = new Map(stats.sites.map((s) => [s.id, s.q]));
    const measure = await demoEvaluation(model, assets);
    // The variants first, the shared baseline last: each row is logged as soon as it is measured.
    const raw = [];
    for (const maxQ of bounds) {
      const chosen = sites.map((s) => ({ siteId: s.siteId, auroc: s.auroc.map((a, i) => (qOf.get(s.siteId)![i]! <= maxQ ? a : 0)) }));
      const fit = fitIntervention('aura', chosen);
      log(`${pooling} pooling, q <= ${maxQ}: ${fit.experts} experts of ${fit.neurons} neurons`);
      const file = interventionFromFit(fit, { model: { name: model.name, fingerprint: model.fingerprint }, pooling, data: { positives: concept.positives, negatives: concept.negatives, source: 'concept' } });
      const r = await measure(effectiveGains(file));
      log(JSON.stringify({ pooling, maxQ, experts: fit.experts, ...r }));
      raw.push({ pooling, maxQ, experts: fit.experts, neurons: fit.neurons, ...r });
    }
    const base = await measure();
    log(`baseline ${JSON.stringify(base)}`);
    const rows = raw.map((r) => ({ ...r, lexiconCut: base.lexicon / r.lexicon, cussCut: base.cuss / r.cuss, perplexityRise: r.perplexity / base.perplexity - 1 }));
    process.stdout.write(`${JSON.stringify({ baseline: base, variants: rows }, null, 2)}\n`);
  } finally {
    await model.dispose();
  }
}

void main();
