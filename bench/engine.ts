// Engine overhead: the same work with and without aura-lens's graph rewrite, in one process, same
// threads, warm, best of N on both sides. A forward pass returning every logit on the graph as exported
// ('plain') against the rewritten graph with a gain and bias input on every site ('lm', fed neutral
// values); and greedy generation of the same number of tokens without and with an intervention of
// gain 1 on every neuron. Both pairs must give the same values (every logit, every token): exit 1 if not.
//   node --import tsx bench/engine.ts [--model DIR] [--threads N] [--reps 5]
import { join } from 'node:path';
import { demoAssets } from '../src/aura/demo-assets';
import { generate } from '../src/engine/generation/generate';
import { seededRng } from '../src/engine/generation/random';
import { LanguageModel } from '../src/engine/model';
import { arg, bestOfPair, check, fmt, maxDiff, record, threadsArg } from './common';

async function main(): Promise<void> {
  const dir = arg('model', demoAssets(join(__dirname, '..', 'src')).model);
  const threads = threadsArg();
  const reps = arg('reps', 5);
  const model = await LanguageModel.open(dir, { threads });
  const rng = seededRng(1);
  const vocab = model.facts.vocabSize;
  const batch = 8;
  const seq = 64;
  const batches = Array.from({ length: 4 }, () => Array.from({ length: batch }, () => Array.from({ length: seq }, () => Math.floor(rng() * vocab))));
  const mask = batches[0]!.map((r) => r.map(() => 1));
  const pass = (kind: 'plain' | 'lm') => async () => {
    const out: Float32Array[] = [];
    for (const ids of batches) out.push((await model.forward({ ids, mask, kind, logits: 'all' })).logits!);
    return out;
  };
  console.log(`engine overhead: ${dir}, ${threads} threads, best of ${reps} warm runs`);
  const [plain, lm] = await bestOfPair(reps, pass('plain'), pass('lm'));
  let logitDiff = 0;
  plain.value.forEach((p, i) => (logitDiff = Math.max(logitDiff, maxDiff(p, lm.value[i]!))));

  const ones = new Map(model.sites.map((s) => [s.id, { gain: new Float32Array(s.neurons).fill(1) }]));
  const prompts = ['The old house on the hill', 'She said that the'];
  const maxNewTokens = 48;
  const gen = (kind: 'plain' | 'lm') => () => generate(model, prompts, { maxNewTokens, stopAtEos: false, kind, ...(kind === 'lm' ? { intervention: ones } : {}) });
  const [g0, g1] = await bestOfPair(reps, gen('plain'), gen('lm'));
  const tokens = prompts.length * maxNewTokens;
  const figures = {
    model: dir,
    threads,
    reps,
    forward: { plainSeconds: plain.seconds, rewrittenSeconds: lm.seconds, rewrittenOverPlainTime: lm.seconds / plain.seconds, logitsCompared: plain.value.reduce((n, x) => n + x.length, 0), maxAbsDiff: logitDiff },
    generation: { tokens, plainSeconds: g0.seconds, intervenedSeconds: g1.seconds, intervenedOverPlainTime: g1.seconds / g0.seconds, sameTokens: JSON.stringify(g0.value.ids) === JSON.stringify(g1.value.ids) },
  };
  console.log(`  forward, every logit: as exported ${fmt(plain.seconds, 3)} s, rewritten ${fmt(lm.seconds, 3)} s: overhead ${fmt((figures.forward.rewrittenOverPlainTime - 1) * 100, 1)}%`);
  console.log(`  generation, ${tokens} tokens: plain ${fmt(g0.seconds, 3)} s, with an intervention ${fmt(g1.seconds, 3)} s: overhead ${fmt((figures.generation.intervenedOverPlainTime - 1) * 100, 1)}%`);
  check(`rewritten vs exported graph, all ${figures.forward.logitsCompared} logits`, logitDiff, 1e-4);
  check('generated tokens with a gain-1 intervention vs plain', figures.generation.sameTokens ? 0 : Infinity, 0);
  record('engine', { ...figures, agree: process.exitCode !== 1 });
  await model.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
