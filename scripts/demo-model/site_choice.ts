// Measures which MLP sites the demo should profile and dampen, on both scorers, with the demo's own
// prompts, seeds and settings (never chosen per variant): one profile of every site, then AurA fitted on
// each site family and evaluated against one shared baseline. Prints one JSON object on stdout.
//   nice -n 10 node --import tsx scripts/demo-model/site_choice.ts [WORK_DIR]   (about 10 min on 2 cores)
import { join } from 'node:path';
import { loadConceptData } from '../../src/aura/datasets';
import { demoAssets } from '../../src/aura/demo-assets';
import { effectiveGains, interventionFromFit } from '../../src/aura/intervention-file';
import { fitIntervention } from '../../src/aura/methods';
import { profileConcept } from '../../src/aura/profile';
import { readAurocs } from '../../src/aura/profile/score';
import { LanguageModel } from '../../src/engine/model';
import { demoEvaluation } from './demo-evaluation';

const VARIANTS: Record<string, (kind: string) => boolean> = {
  'c_fc+c_proj (ml-aura GPT-2 config)': (k) => k === 'mlp.in' || k === 'mlp.out',
  'c_fc only (hidden neurons)': (k) => k === 'mlp.in',
  'c_proj only (residual writes)': (k) => k === 'mlp.out',
};

async function main(): Promise<void> {
  const work = process.argv[2] ?? '/tmp/aura-site-choice';
  const assets = demoAssets();
  const model = await LanguageModel.open(assets.model, {});
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const concept = await loadConceptData({ kind: 'file', path: assets.concept }, { seed: 0 });
    await profileConcept(model, concept, join(work, 'profile'));
    const { sites } = readAurocs(join(work, 'profile'));
    const kinds = new Map(model.sites.map((s) => [s.id, s.kind as string]));
    const measure = await demoEvaluation(model, assets);
    const base = await measure();
    log(`baseline ${JSON.stringify(base)}`);
    const rows = [];
    for (const [name, keep] of Object.entries(VARIANTS)) {
      const chosen = sites.filter((s) => keep(kinds.get(s.siteId) ?? ''));
      const fit = fitIntervention('aura', chosen);
      const file = interventionFromFit(fit, { model: { name: model.name, fingerprint: model.fingerprint }, pooling: 'max', data: { positives: concept.positives, negatives: concept.negatives, source: 'concept' } });
      const r = await measure(effectiveGains(file));
      const row = {
        variant: name,
        experts: fit.experts,
        neurons: fit.neurons,
        ...r,
        lexiconCut: base.lexicon / r.lexicon,
        cussCut: base.cuss / r.cuss,
        perplexityRise: r.perplexity / base.perplexity - 1,
      };
      log(JSON.stringify(row));
      rows.push(row);
    }
    process.stdout.write(`${JSON.stringify({ baseline: base, variants: rows }, null, 2)}\n`);
  } finally {
    await model.dispose();
  }
}

void main();
