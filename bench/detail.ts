// The neuron detail's model work on the demo model: per-token values of one site for the 24 examples a
// detail reads (the longest texts of the demo concept set, up to 128 tokens each), cold (first call,
// session built) and warm (best of N). Not part of npm test; prints JSON.
//   node --import tsx bench/detail.ts [--reps 3] [--texts 24] [--threads N]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LanguageModel } from '../src/engine/model';
import { batchedTokenValues } from '../src/host/model-host/token-values';
import { ROOT, arg } from './common';

async function main(): Promise<void> {
  const reps = arg('reps', 3);
  const n = arg('texts', 24);
  const threads = arg('threads', 0);
  const texts = readFileSync(join(ROOT, 'media', 'demo', 'concept.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text)
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .slice(0, n);
  const t0 = performance.now();
  const model = await LanguageModel.open(join(ROOT, 'media', 'demo', 'model'), threads ? { threads } : {});
  const openS = (performance.now() - t0) / 1000;
  const site = model.sites[Math.floor(model.sites.length / 2)]!.id;
  let t = performance.now();
  const first = await batchedTokenValues(model, texts, [site]);
  const coldS = (performance.now() - t) / 1000;
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    t = performance.now();
    await batchedTokenValues(model, texts, [site]);
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  const tokens = first.reduce((s, a) => s + a.tokens.length, 0);
  console.log(JSON.stringify({ texts: texts.length, tokens, site, openS, coldS, warmBestS: best, reps }));
  await model.dispose();
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
