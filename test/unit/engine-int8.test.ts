// Dynamic int8 (DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul, as ORT's IntegerOps quantizer and
// transformers.js `_quantized` files write it): the same sites as the float model, read after the
// dequantizing Mul. Its values are compared with the float PyTorch model at quantization tolerance,
// since int8 activations and weights move them; everything the engine adds is checked exactly.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportFoldedOnnx } from '../../src/aura/export/onnx-export';
import { generate } from '../../src/engine/generation/generate';
import { LanguageModel } from '../../src/engine/model';
import { MODELS, golden, maxAbsDiff, toGains } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

/** Measured: int8 moves pooled responses by up to 0.039 and last-position logits (|l| < 2.7) by 0.054 here. */
const POOLED_TOL = 0.1;
const LOGITS_TOL = 0.15;

describe('fixture llama-tiny-int8 (MatMulInteger)', () => {
  const g = golden('llama-tiny');
  let model: LanguageModel;
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'llama-tiny-int8'), { threads: 1 });
  });
  after(async () => model?.dispose());
  const args = () => ({ ids: g.batch.input_ids, mask: g.batch.attention_mask });

  it('finds the float model sites after the dequantizing Mul', () => {
    assert.deepEqual(model.sites.map((s) => ({ id: s.id, layer: s.layer, kind: s.kind, neurons: s.neurons })), g.sites);
  });

  it('pools responses close to the float model, and leaves logits exactly unchanged with gains 1', async () => {
    const r = await model.extract({ ...args(), pool: g.sites.map((s) => s.id) });
    for (const s of g.sites) {
      const d = maxAbsDiff(r.pooled!.get(s.id)!.max, g.pooled[s.id]!.max.flat());
      assert.ok(d <= POOLED_TOL, `${s.id} max pooled differs from float by ${d}`);
    }
    const plain = await model.logits({ ...args(), asExported: true, logits: 'last' });
    const lm = await model.logits({ ...args(), logits: 'last' });
    assert.ok(maxAbsDiff(plain.logits!, lm.logits!) <= 1e-6);
    assert.ok(maxAbsDiff(lm.logits!, g.logits_last.flat()) <= LOGITS_TOL);
  });

  it('applies gains like the float model does, and the KV cache equals recomputation', async () => {
    const gained = await model.logits({ ...args(), intervention: toGains(g, false), logits: 'last' });
    assert.ok(maxAbsDiff(gained.logits!, g.logits_last_gain.flat()) <= LOGITS_TOL);
    const plain = await model.logits({ ...args(), logits: 'last' });
    assert.ok(maxAbsDiff(gained.logits!, plain.logits!) > 1e-2, 'the gains change the logits');
    const o = { maxNewTokens: 6, stopAtEos: false };
    assert.deepEqual((await generate(model, [g.greedy.prompt_ids], o)).ids, (await generate(model, [g.greedy.prompt_ids], { ...o, useCache: false })).ids);
  });

  it('exports a folded model (constant Mul/Add after quantized linears) equal to the live intervention', async () => {
    const copy = join(scratchDir('int8'), 'llama-tiny-int8');
    cpSync(model.files.dir, copy, { recursive: true });
    const iv = toGains(g, true);
    const r = await exportFoldedOnnx(model, iv, join(copy, 'onnx', 'model_quantized.onnx'));
    assert.equal(r.intoWeights.length, 0);
    assert.equal(r.asNodes.length, g.sites.length);
    const folded = await LanguageModel.open(copy, { threads: 1 });
    try {
      const live = await model.logits({ ...args(), intervention: iv, logits: 'all' });
      const baked = await folded.logits({ ...args(), asExported: true, logits: 'all' });
      assert.ok(maxAbsDiff(live.logits!, baked.logits!) <= 1e-4);
    } finally {
      await folded.dispose();
    }
  });
});
