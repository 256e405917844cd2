// onnxruntime runs every node of a graph whether or not its outputs are fetched, so the rewritten graph
// puts each site's pooling and per-token outputs in an If on aura.collect (src/engine/surgery.ts). These
// tests read onnxruntime's own profile of one run: with the gate closed (what every decoding step feeds)
// no pooling node runs and the logits are the exported graph's; with it open the pooling nodes run and the
// pooled responses are PyTorch's (goldens from test/fixtures/make_fixtures.py). Plain and merged
// (If-branch) decoders both.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { factorFeeds, stepFeeds } from '../../src/engine/feeds';
import { COLLECT_INPUT, TOKEN_ROWS_INPUT, maxOutput } from '../../src/engine/io-names';
import { readIoSpec } from '../../src/engine/io-spec';
import { LanguageModel } from '../../src/engine/model';
import { encodeModel } from '../../src/engine/onnx/proto';
import { ort, ortOptions } from '../../src/engine/ort-session';
import { rewrite } from '../../src/engine/surgery';
import { MODELS, golden, maxAbsDiff } from '../helpers/fixtures';

interface Ran {
  out: ort.InferenceSession.OnnxValueMapType;
  /** Names of the nodes onnxruntime ran, subgraphs included. */
  nodes: string[];
}

/** One run of `bytes` with onnxruntime's profiler on. */
async function profiled(bytes: Uint8Array, feeds: Record<string, ort.Tensor>, fetches: string[]): Promise<Ran> {
  const dir = mkdtempSync(join(tmpdir(), 'aura-collect-'));
  try {
    const session = await ort.InferenceSession.create(bytes, { ...ortOptions({ threads: 1 }), enableProfiling: true, profileFilePrefix: join(dir, 'run') });
    const out = await session.run(feeds, fetches);
    session.endProfiling();
    await session.release();
    const events = JSON.parse(readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!), 'utf8')) as { cat: string; name: string }[];
    return { out, nodes: events.filter((e) => e.cat === 'Node').map((e) => e.name) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const gate = (open: boolean) => ({
  [COLLECT_INPUT]: new ort.Tensor('bool', Uint8Array.of(open ? 1 : 0), [1]),
  [TOKEN_ROWS_INPUT]: new ort.Tensor('int64', BigInt64Array.of(0n), [1]),
});
const pooling = (nodes: string[]) => nodes.filter((n) => /^aura\/collect\/[^/]+\/\d+\/(pool|tokens|mask)\//.test(n));

for (const name of ['gpt2-tiny', 'gpt2-tiny-merged']) {
  describe(`the pooling gate, ${name}`, () => {
    it('runs no pooling node with the gate closed and gives the exported graph logits; pools as PyTorch does with it open', async () => {
      const g = golden('gpt2-tiny');
      const model = await LanguageModel.open(join(MODELS, name), { threads: 1 });
      try {
        const source = model.mainGraph.model;
        const io = readIoSpec(source.graph!, model.files.main, model.files.genaiConfig);
        const sites = model.sites;
        // The plan the engine's one rewritten session is built with (session-cache.ts), gain form.
        const bytes = encodeModel(rewrite(source, io, { intervene: sites, form: 'gain', pool: sites, keepModelOutputs: true, tokens: sites }));
        const sizes = { model: model.facts.vocabSize, tokenizer: model.tokenizer.vocabSize };
        const feeds = { ...stepFeeds(io, { ids: g.batch.input_ids, mask: g.batch.attention_mask }, (b) => model.emptyPast(b), sizes), ...factorFeeds(sites, new Map(), 'gain') };

        const closed = await profiled(bytes, { ...feeds, ...gate(false) }, [io.logits]);
        assert.deepEqual(pooling(closed.nodes), [], 'no pooling node runs with the gate closed');
        assert.ok(closed.nodes.some((n) => n.startsWith('aura/gain/')), 'the profile lists the nodes that ran');
        const plain = await profiled(encodeModel(source), stepFeeds(io, { ids: g.batch.input_ids, mask: g.batch.attention_mask }, (b) => model.emptyPast(b), sizes), [io.logits]);
        assert.ok(maxAbsDiff(closed.out[io.logits]!.data as Float32Array, plain.out[io.logits]!.data as Float32Array) <= 1e-5);

        const site = sites[0]!.id;
        const open = await profiled(bytes, { ...feeds, ...gate(true) }, [io.logits, maxOutput(site)]);
        const pooled = pooling(open.nodes);
        assert.ok(pooled.filter((n) => /\/pool\/max/.test(n)).length >= sites.length, `every site pools with the gate open (${pooled.length} pooling nodes ran)`);
        assert.ok(maxAbsDiff(open.out[maxOutput(site)]!.data as Float32Array, g.pooled[site]!.max.flat()) <= 1e-5);
      } finally {
        await model.dispose();
      }
    });
  });
}
