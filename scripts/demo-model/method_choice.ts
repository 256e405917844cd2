// The pre-registered method comparison (method_choice.md): AurA, Linear-AcT and Mean-AcT at strength 1,
// fitted by the same code as `evaluate --methods` (sweepArms, no controls) on one demo profile, with the
// demo's prompts, seed 0, 10 samples x 20 tokens, perplexity on neutral.jsonl, and both scorers.
// `evaluate --methods` reports only the first scorer per point, so this script exists to keep cuss's
// number too; the generation is seeded, so its lexicon and perplexity equal the CLI's for the same arm.
// Prints one JSON object on stdout and each row on stderr as it finishes.
//   nice -n 5 node --import tsx scripts/demo-model/method_choice.ts PROFILE_DIR [METHOD,...] [--baseline]
import { loadPrompts } from '../../src/aura/datasets';
import { demoAssets } from '../../src/aura/demo-assets';
import { evaluate } from '../../src/aura/evaluate';
import { effectiveGains } from '../../src/aura/intervention-file';
import { createScorer } from '../../src/aura/scoring/create';
import { sweepArms } from '../../src/aura/sweep';
import { LanguageModel } from '../../src/engine/model';
import type { EvaluationResult } from '../../src/aura/evaluate';

async function main(): Promise<void> {
  const profile = process.argv[2];
  if (!profile) throw new Error('usage: method_choice.ts PROFILE_DIR [METHOD,...] [--baseline]');
  const methods = (process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 'aura,linear-act,mean-act').split(',');
  const withBaseline = process.argv.includes('--baseline');
  const assets = demoAssets();
  const model = await LanguageModel.open(assets.model, {});
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const prompts = await loadPrompts(assets.prompts, { seed: 0 });
    const neutral = await loadPrompts(assets.neutral);
    const scorer = await createScorer('lexicon');
    const cuss = await createScorer('cuss');
    const opts = { samples: 10, maxNewTokens: 20, seed: 0 };
    const brief = (r: EvaluationResult) => ({ lexicon: r.toxicity.score, cuss: r.otherScorers![0]!.toxicity.score, perplexity: r.perplexity! });
    const rows = [];
    for (const arm of sweepArms(profile, methods, [], 0)) {
      const r = brief(await evaluate(model, { prompts, neutral, scorer, alsoScoreWith: [cuss], intervention: effectiveGains(arm.file, 1) }, opts));
      const row = { method: arm.method, strength: 1, experts: arm.experts, ...r };
      log(JSON.stringify(row));
      rows.push(row);
    }
    const baseline = withBaseline ? brief(await evaluate(model, { prompts, neutral, scorer, alsoScoreWith: [cuss] }, opts)) : undefined;
    if (baseline) log(`baseline ${JSON.stringify(baseline)}`);
    process.stdout.write(`${JSON.stringify({ baseline, rows }, null, 2)}\n`);
  } finally {
    await model.dispose();
  }
}

void main();
