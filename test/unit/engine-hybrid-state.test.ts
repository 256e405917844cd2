// Issue 10 item 17: a decoder with carried state inputs beyond the KV cache (past_conv.{i} /
// past_recurrent.{i}, as transformers.js names hybrid LFM2 / Qwen3-Next exports) must generate and profile.
// The fixture and its PyTorch values come from test/fixtures/fixturegen/hybrid_state.py.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { textsActivations } from '../../src/aura/activations';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { readMatrix, responsesPath } from '../../src/aura/profile/store';
import { UserError } from '../../src/engine/errors';
import { generate } from '../../src/engine/generation/generate';
import { LanguageModel } from '../../src/engine/model';
import { DataType, decodeModel, encodeModel, makeValueInfo } from '../../src/engine/onnx/proto';
import { FIXTURES, MODELS, maxAbsDiff } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

interface HybridGolden {
  texts: string[];
  prompts: number[][];
  pooled: Record<string, { max: number[][]; mean: number[][] }>;
  generate: { prompt: number[]; ids: number[]; min_margin: number }[];
  step_logits_prompt0: number[];
}

const g = JSON.parse(readFileSync(join(FIXTURES, 'golden', 'hybrid-state.json'), 'utf8')) as HybridGolden;
const DIR = join(MODELS, 'llama-hybrid');

describe('issue 10 item 17: a decoder with conv/recurrent state inputs', () => {
  let model: LanguageModel;
  before(async () => {
    model = await LanguageModel.open(DIR, { threads: 1 });
  });
  after(async () => model?.dispose());

  it('tokenizes the golden texts to the golden prompts', () => {
    assert.deepEqual(g.texts.map((t) => model.tokenizer.encode(t)), g.prompts);
  });

  it('carries the states step to step: one cached step equals the full recompute', async () => {
    assert.ok(model.hasPast);
    const p0 = g.prompts[0]!;
    const first = await model.step({ ids: [p0.slice(0, -1)], mask: [p0.slice(0, -1).map(() => 1)], logits: 'last' });
    assert.ok(first.present?.['past_conv.0'] && first.present['past_recurrent.1'], 'the states come back as presents');
    assert.deepEqual(first.present['past_conv.0'].dims, [1, 16, 3]);
    const step = await model.step({ ids: [p0.slice(-1)], mask: [p0.map(() => 1)], past: first.present, logits: 'last' });
    assert.ok(maxAbsDiff(step.logits!, g.step_logits_prompt0) < 1e-4, `differs by ${maxAbsDiff(step.logits!, g.step_logits_prompt0)}`);
  });

  for (const useCache of [true, false]) {
    it(`generates the PyTorch greedy tokens for a left-padded batch (cache ${useCache ? 'on' : 'off'})`, async () => {
      const r = await generate(model, g.prompts, { maxNewTokens: 8, stopAtEos: false, useCache });
      assert.deepEqual(r.ids, g.generate.map((x) => x.ids));
    });
  }

  it('per-token activations of every text in one batch pool to the PyTorch forward hooks', async () => {
    const sites = model.sites.map((s) => s.id);
    const acts = await textsActivations(model, g.texts, sites);
    acts.forEach((a, i) => {
      assert.deepEqual(a.ids, g.prompts[i]);
      const T = a.ids.length;
      for (const s of model.sites) {
        const v = a.values.get(s.id)!;
        const max = new Float32Array(s.neurons).fill(-Infinity);
        const mean = new Float32Array(s.neurons);
        for (let t = 0; t < T; t++) {
          for (let j = 0; j < s.neurons; j++) {
            max[j] = Math.max(max[j]!, v[t * s.neurons + j]!);
            mean[j]! += v[t * s.neurons + j]! / T;
          }
        }
        assert.ok(maxAbsDiff(max, g.pooled[s.id]!.max[i]!) <= 1e-5, `${s.id} max, text ${i}: ${maxAbsDiff(max, g.pooled[s.id]!.max[i]!)}`);
        assert.ok(maxAbsDiff(mean, g.pooled[s.id]!.mean[i]!) <= 1e-5, `${s.id} mean, text ${i}: ${maxAbsDiff(mean, g.pooled[s.id]!.mean[i]!)}`);
      }
    });
  });

  it('profiles: pooled responses equal the PyTorch forward hooks', async () => {
    const data = await loadConceptData({ kind: 'memory', examples: g.texts.map((text, i) => ({ text, label: (i % 2) as 0 | 1 })) });
    const dir = scratchDir('hybrid-profile');
    await profileConcept(model, data, dir, { batchSize: 2 });
    const order = JSON.parse(readFileSync(join(dir, 'order.json'), 'utf8')) as { exampleIndex: number[] };
    const sites = Object.keys(g.pooled);
    assert.deepEqual(model.sites.map((s) => s.id), sites);
    for (const s of model.sites) {
      for (const pooling of ['max', 'mean'] as const) {
        const m = readMatrix(responsesPath(dir, s.id, pooling), g.texts.length, s.neurons);
        order.exampleIndex.forEach((example, row) => {
          const got = m.subarray(row * s.neurons, (row + 1) * s.neurons);
          const want = g.pooled[s.id]![pooling][example]!;
          assert.ok(maxAbsDiff(got, want) <= 1e-5, `${s.id} ${pooling} example ${example} differs by ${maxAbsDiff(got, want)}`);
        });
      }
    }
  });
});

describe('issue 10 items 16/17: inputs that still cannot be fed are named in one line', () => {
  const oneLine = (re: RegExp) => (e: unknown) => e instanceof UserError && !e.message.includes('\n') && re.test(e.message);
  function variant(edit: (m: ReturnType<typeof decodeModel>) => void): string {
    const d = scratchDir('hybrid-variant');
    cpSync(DIR, d, { recursive: true });
    const file = join(d, 'onnx', 'model.onnx');
    const m = decodeModel(readFileSync(file));
    edit(m);
    writeFileSync(file, encodeModel(m));
    return d;
  }

  it('a static-cache write_indices input beside the states', async () => {
    const d = variant((m) => m.graph!.input.push(makeValueInfo('write_indices', DataType.INT64, ['batch'])));
    await assert.rejects(LanguageModel.open(d), oneLine(/model\.onnx: the graph has inputs aura-lens does not know how to feed: write_indices \(/));
  });

  it('a state input with no matching present output', async () => {
    const d = variant((m) => {
      const out = m.graph!.output;
      out.splice(out.findIndex((o) => o.name === 'present_conv.0'), 1);
    });
    await assert.rejects(LanguageModel.open(d), oneLine(/does not know how to feed: past_conv\.0 \(/));
  });

  it('a state input whose size after the batch axis is symbolic', async () => {
    const d = variant((m) => {
      const i = m.graph!.input.findIndex((x) => x.name === 'past_recurrent.1');
      m.graph!.input[i] = makeValueInfo('past_recurrent.1', DataType.FLOAT, ['batch_size', 2, 'state_size']);
    });
    await assert.rejects(LanguageModel.open(d), oneLine(/model\.onnx: state input 'past_recurrent\.1' needs fixed sizes after the batch axis/));
  });
});
