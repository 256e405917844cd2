// The pre-registered method comparison (method_choice.md): AurA, Linear-AcT and Mean-AcT at strength 1,
// fitted by the same code as `evaluate --methods` (sweepArms, no controls) on one demo profile, with the
// demo's prompts, seed 0, 10 samples x 20 tokens, perplexity on neutral.jsonl, and both scorers.
// `evaluate --methods` reports only the first scorer per point, so this script exists to keep cuss's
// number too; the generation is seeded, so its lexicon and perplexity equal the CLI's for the same arm.
// Prints one JSON object on stdout and each row on stderr as it finishes.
//   nice -n 5 node --import tsx scripts/demo-model/method_choice.ts PROFILE_DIR [METHOD,...] [--baseline]
import { demoAssets } from '../../src/aura/demo-assets';
import { effectiveGains } from '../../src/aura/intervention-file';
import { sweepArms } from '../../src/aura/sweep';
import { LanguageModel } from '../../src/engine/model';
import { demoEvaluation } from './demo-evaluation';

async function main(): Promise<void> {
  const profile = process.argv[2];
  if (!profile) throw new Error('usage: method_choice.ts PROFILE_DIR [METHOD,...] [--baseline]');
  const methods = (process.argv[3] && !process.argv[3].startsWith('--') ? process.argv[3] : 'aura,linear-act,mean-act').split(',');
  const withBaseline = process.argv.includes('--baseline');
  const assets = demoAssets();
  const model = await LanguageModel.open(assets.model, {});
  const log = (m: string) => process.stderr.write(`${m}\n`);
  try {
    const measure = await demoEvaluation(model, assets);
    const rows = [];
    for (const arm of sweepArms(profile, methods, [], 0)) {
      const r = await measure(effectiveGains(arm.file, 1));
      const row = { method: arm.method, strength: 1, experts: arm.experts, ...r };
      log(JSON.stringify(row));
      rows.push(row);
    }
    const baseline = withBaseline ? await measure() : undefined;
    if (baseline) log(`baseline ${JSON.stringify(baseline)}`);
    process.stdout.write(`${JSON.stringify({ baseline, rows }, null, 2)}\n`);
  } finally {
    await model.dispose();
  }
}

void main();
