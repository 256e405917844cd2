// What declaring every site's per-token output ([batch, seq, neurons], for the neuron detail) costs the
// forward passes that do not fetch it. A declared graph output can keep onnxruntime from fusing or
// reusing a buffer; this builds the rewritten session twice, with and without the per-token outputs, and
// times a profiling forward (every site's pooled max and mean) and a generation-style forward (logits
// and cache) on both, interleaved, warm, best of N. Both must give the same values. Not part of npm test.
//   node --import tsx bench/token-outputs.ts [--model DIR] [--threads N] [--reps 5]
import { join } from 'node:path';
import { demoAssets } from '../src/aura/demo-assets';
import { factorFeeds, stepFeeds } from '../src/engine/feeds';
import { readIoSpec } from '../src/engine/io-spec';
import { COLLECT_INPUT, TOKEN_ROWS_INPUT, maxOutput, meanOutput } from '../src/engine/io-names';
import { LanguageModel } from '../src/engine/model';
import { encodeModel } from '../src/engine/onnx/proto';
import { createSession, ort } from '../src/engine/ort-session';
import { seededRng } from '../src/engine/generation/random';
import { rewritable } from '../src/engine/session-cache';
import { rewrite } from '../src/engine/surgery';
import { arg, bestOfPair, check, fmt, maxDiff, threadsArg } from './common';

async function main(): Promise<void> {
  const dir = arg('model', demoAssets(join(__dirname, '..', 'src')).model);
  const threads = threadsArg();
  const reps = arg('reps', 5);
  const model = await LanguageModel.open(dir, { threads });
  const g = model.mainGraph;
  const io = readIoSpec(g.model.graph!, model.files.main, model.files.genaiConfig);
  const sites = rewritable(model.sites);
  const session = (tokens: boolean) =>
    createSession(encodeModel(rewrite(g.model, io, { intervene: sites, form: 'gain', pool: sites, keepModelOutputs: true, ...(tokens ? { tokens: sites } : {}) })), g.file, g.dataDir, g.externalFiles, { threads }, true);
  const without = await session(false);
  const withTokens = await session(true);
  const rng = seededRng(3);
  const batch = 16;
  const seq = 128;
  const ids = Array.from({ length: batch }, () => Array.from({ length: seq }, () => Math.floor(rng() * model.facts.vocabSize)));
  const mask = ids.map((r) => r.map(() => 1));
  const feeds = { ...stepFeeds(io, { ids, mask }, (b) => model.emptyPast(b), { model: model.facts.vocabSize, tokenizer: model.tokenizer.vocabSize }), ...factorFeeds(sites, new Map(), 'gain'), [COLLECT_INPUT]: new ort.Tensor('bool', Uint8Array.of(1), [1]) };
  const pooled = sites.flatMap((s) => [maxOutput(s.id), meanOutput(s.id)]);
  const lm = [io.logits, ...io.past.map((p) => p.output)];
  // The session with per-token outputs gates them off (0 rows) unless a run fetches them, as the engine does.
  const gateOff = { [TOKEN_ROWS_INPUT]: new ort.Tensor('int64', BigInt64Array.of(0n), [1]) };
  const gateOpen = { [TOKEN_ROWS_INPUT]: new ort.Tensor('int64', BigInt64Array.of(BigInt(Number.MAX_SAFE_INTEGER)), [1]) };
  const run = (s: typeof without, fetches: string[], gate = gateOff) => async () => {
    const out = await s.run(s === without ? feeds : { ...feeds, ...gate }, fetches);
    return fetches.map((f) => out[f]!.data as Float32Array);
  };
  console.log(`per-token outputs declared or not: ${dir}, ${threads} threads, batch ${batch} x ${seq}, best of ${reps} warm runs`);
  const [p0, p1] = await bestOfPair(reps, run(without, pooled), run(withTokens, pooled));
  const [l0, l1] = await bestOfPair(reps, run(without, lm), run(withTokens, lm));
  // What the gate saves: the same profiling forward with the gate open (outputs declared, not fetched).
  // Inside If branches (merged decoders) every branch output is produced, fetched or not.
  const [, pOpen] = await bestOfPair(reps, run(withTokens, pooled), run(withTokens, pooled, gateOpen));
  let d = 0;
  p0.value.forEach((a, i) => (d = Math.max(d, maxDiff(a, p1.value[i]!))));
  l0.value.forEach((a, i) => (d = Math.max(d, maxDiff(a, l1.value[i]!))));
  const figures = {
    profileForward: { withoutSeconds: p0.seconds, withSeconds: p1.seconds, ratio: p1.seconds / p0.seconds },
    lmForward: { withoutSeconds: l0.seconds, withSeconds: l1.seconds, ratio: l1.seconds / l0.seconds },
    profileForwardGateOpen: { seconds: pOpen.seconds, ratioToWithout: pOpen.seconds / p0.seconds },
    maxAbsDiff: d,
  };
  console.log(`  profile forward (pooled outputs): without ${fmt(p0.seconds, 3)} s, with ${fmt(p1.seconds, 3)} s: ratio ${fmt(figures.profileForward.ratio, 3)}`);
  console.log(`  profile forward with the row gate open (outputs made, not fetched): ${fmt(pOpen.seconds, 3)} s: ratio ${fmt(figures.profileForwardGateOpen.ratioToWithout, 3)}`);
  console.log(`  lm forward (logits + cache): without ${fmt(l0.seconds, 3)} s, with ${fmt(l1.seconds, 3)} s: ratio ${fmt(figures.lmForward.ratio, 3)}`);
  check('the same outputs with and without the per-token outputs declared', d, 0);
  console.log(JSON.stringify(figures));
  await without.release();
  await withTokens.release();
  await model.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
