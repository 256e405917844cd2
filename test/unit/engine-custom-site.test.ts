// A user can name any float tensor of the graph as a site: its width is measured, and it pools and
// takes gains like a discovered site.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { LanguageModel } from '../../src/engine/model';
import { MODELS, golden, maxAbsDiff } from '../helpers/fixtures';

const GELU_OUT = '/transformer/h.0/mlp/act/Mul_3_output_0';

it('takes any float tensor as a custom site (here the GELU output of layer 0)', async () => {
  const g = golden('gpt2-tiny');
  const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { customSites: [GELU_OUT], threads: 1 });
  try {
    const site = model.site(`custom:${GELU_OUT}`);
    assert.equal(site.kind, 'custom');
    assert.equal(site.neurons, 64);
    const args = { ids: g.batch.input_ids, mask: g.batch.attention_mask };
    const r = await model.extract({ ...args, pool: [site.id] });
    // gelu_new(x) >= -0.17 everywhere, so no pooled GELU output can be below that.
    assert.ok(r.pooled!.get(site.id)!.max.every((v) => v >= -0.171));
    // gelu(0) = 0: silencing the GELU output equals silencing c_fc, an independent site.
    const viaCustom = await model.logits({ ...args, intervention: new Map([[site.id, { gain: new Float32Array(64) }]]), logits: 'last' });
    const viaCfc = await model.logits({ ...args, intervention: new Map([['transformer.h.0.mlp.c_fc', { gain: new Float32Array(64) }]]), logits: 'last' });
    const plain = await model.logits({ ...args, logits: 'last' });
    assert.ok(maxAbsDiff(viaCustom.logits!, viaCfc.logits!) <= 1e-5);
    assert.ok(maxAbsDiff(viaCustom.logits!, plain.logits!) > 1e-3);
  } finally {
    await model.dispose();
  }
});

it('names the tensor when a custom site does not exist or is already a site', async () => {
  await assert.rejects(LanguageModel.open(join(MODELS, 'gpt2-tiny'), { customSites: ['no/such/tensor'] }), /no tensor named "no\/such\/tensor"/);
  await assert.rejects(
    LanguageModel.open(join(MODELS, 'gpt2-tiny'), { customSites: ['/transformer/h.0/mlp/c_fc/Reshape_1_output_0'] }),
    /is the output of transformer\.h\.0\.mlp\.c_fc/,
  );
});
