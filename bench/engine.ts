// Engine benchmark: ratios against a baseline measured in the same process on the same model, since
// absolute times on shared 2-core machines mean little.
//   pooled extraction (in-graph max+mean pooling of every site) vs a plain forward of the exported graph
//   generation with intervention inputs (gains fed for every site) vs the unmodified graph
// Usage: node --import tsx bench/engine.ts [MODEL_DIR]   (default: the embedded demo model, else a fixture)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../src/engine/generation/generate';
import { LanguageModel } from '../src/engine/model';
import { seededRng } from '../src/engine/generation/random';

const ROOT = join(__dirname, '..');
const candidates = [process.argv[2], join(ROOT, 'media', 'demo', 'model'), join(ROOT, 'test', 'fixtures', 'models', 'gpt2-tiny')];
const dir = candidates.find((c): c is string => !!c && existsSync(c))!;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const model = await LanguageModel.open(dir, { threads: 1 });
  const rng = seededRng(1);
  const vocab = model.facts.vocabSize;
  const batch = 8;
  const seq = 64;
  const batches = Array.from({ length: 4 }, () => Array.from({ length: batch }, () => Array.from({ length: seq }, () => Math.floor(rng() * vocab))));
  const mask = batches[0]!.map((r) => r.map(() => 1));
  const sites = model.sites.map((s) => s.id);
  const plainPass = async () => {
    for (const ids of batches) await model.forward({ ids, mask, kind: 'plain', logits: 'all' });
  };
  const extractPass = async () => {
    for (const ids of batches) await model.forward({ ids, mask, kind: 'extract', pool: sites });
  };
  await plainPass();
  await extractPass();
  const plainT: number[] = [];
  const extractT: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    plainT.push(await time(plainPass));
    extractT.push(await time(extractPass));
  }
  const tokens = batches.length * batch * seq;
  const plainTps = tokens / (median(plainT) / 1000);
  const extractTps = tokens / (median(extractT) / 1000);

  const gains = new Map(model.sites.map((s) => [s.id, { gain: Float32Array.from({ length: s.neurons }, () => 0.5 + rng() * 0.5) }]));
  const prompts = ['The old house on the hill', 'She said that the'];
  const gen = (kind: 'plain' | 'lm') => generate(model, prompts, { maxNewTokens: 48, stopAtEos: false, kind, ...(kind === 'lm' ? { intervention: gains } : {}) });
  await gen('plain');
  await gen('lm');
  const plainGen: number[] = [];
  const lmGen: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    plainGen.push((await gen('plain')).tokensPerSecond);
    lmGen.push((await gen('lm')).tokensPerSecond);
  }
  const report = {
    model: dir,
    sites: sites.length,
    neurons: model.sites.reduce((a, s) => a + s.neurons, 0),
    forwardTokensPerSecond: Math.round(plainTps),
    pooledExtractionTokensPerSecond: Math.round(extractTps),
    extractionOverForward: +(extractTps / plainTps).toFixed(3),
    generationTokensPerSecondPlain: +median(plainGen).toFixed(1),
    generationTokensPerSecondIntervened: +median(lmGen).toFixed(1),
    interventionOverPlainGeneration: +(median(lmGen) / median(plainGen)).toFixed(3),
  };
  console.log(JSON.stringify(report, null, 2));
  console.log(`pooled extraction / plain forward throughput: ${report.extractionOverForward} (goal >= 0.85)`);
  console.log(`generation with intervention inputs / without: ${report.interventionOverPlainGeneration} (goal >= 0.95)`);
  await model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});
