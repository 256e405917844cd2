// Does one session serve extraction as fast as a graph pruned after the last site? onnxruntime runs only
// the nodes the fetched outputs need; this times, on the same feeds, (a) the engine's one rewritten
// session fetching only pooled responses and (b) a session built from the graph pruned to those outputs
// (what the engine used before), interleaved, best of N each. Prints the ratio a/b (<= 1: no slower).
// Usage: node --import tsx scripts/bench-memory/fetch-pruning.ts MODEL_DIR [--batch 4] [--seq 64] [--reps 5]
import { COLLECT_INPUT, maxOutput, meanOutput } from '../../src/engine/io-names';
import { ort } from '../../src/engine/ort-session';
import { LanguageModel } from '../../src/engine/model';
import { GraphSessions } from '../../src/engine/session-cache';
import { factorFeeds, stepFeeds } from '../../src/engine/feeds';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (n: string, d: number) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);
  const model = await LanguageModel.open(args[0]!, { threads: opt('threads', 0) || undefined });
  const graph = { loaded: model.mainGraph, io: (model as unknown as { first: { io: never } }).first.io, sites: model.sites };
  const pruned = await new GraphSessions(graph, {}).probe(model.sites);
  const one = await model.session('extract');
  const batch = opt('batch', 4);
  const seq = opt('seq', 64);
  const ids = Array.from({ length: batch }, (_, b) => Array.from({ length: seq }, (_, i) => (i * 7 + b * 13) % Math.max(2, model.facts.vocabSize)));
  const mask = ids.map((r) => r.map(() => 1));
  const feeds = { ...stepFeeds(graph.io, { ids, mask }, (b) => model.emptyPast(b), { model: model.facts.vocabSize, tokenizer: model.tokenizer.vocabSize }), ...factorFeeds(model.sites, new Map(), 'none'), [COLLECT_INPUT]: new ort.Tensor('bool', Uint8Array.of(1), [1]) };
  const fetch = model.sites.flatMap((s) => [maxOutput(s.id), meanOutput(s.id)]);
  const prunedFeeds = Object.fromEntries(Object.entries(feeds).filter(([k]) => pruned.inputNames.includes(k)));
  const time = async (f: () => Promise<unknown>) => {
    const t = performance.now();
    await f();
    return performance.now() - t;
  };
  await one.run(feeds, fetch);
  await pruned.run(prunedFeeds);
  let a = Infinity;
  let b = Infinity;
  for (let r = 0; r < opt('reps', 5); r++) {
    a = Math.min(a, await time(() => one.run(feeds, fetch)));
    b = Math.min(b, await time(() => pruned.run(prunedFeeds)));
  }
  process.stdout.write(JSON.stringify({ model: args[0], batch, seq, oneSessionPooledOnlyMs: Math.round(a), prunedSessionMs: Math.round(b), ratio: Number((a / b).toFixed(3)) }) + '\n');
  await pruned.release();
  await model.dispose();
}

void main();
