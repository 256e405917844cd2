// Per-token activations (one batched forward returning each site's [batch, seq, neurons] values) must agree
// with the pooled responses profiling uses (max and mean over the tokens). Their PyTorch references are in
// engine-token-values.test.ts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tokenActivations } from '../../src/aura/activations';
import { LanguageModel } from '../../src/engine/model';
import { maxAbsDiff } from '../helpers/fixtures';
import { TINY } from '../helpers/workbench';

let model: LanguageModel;
before(async () => {
  model = await LanguageModel.open(TINY);
});
after(() => model.dispose());

const TEXT = 'the quick brown fox';

test('per-token values pool to the same max and mean as one extract pass', async () => {
  const sites = model.sites.map((s) => s.id);
  const acts = await tokenActivations(model, TEXT, sites);
  const T = acts.ids.length;
  const pooled = await model.extract({ ids: [acts.ids], mask: [acts.ids.map(() => 1)], pool: sites });
  for (const s of model.sites) {
    const v = acts.values.get(s.id)!;
    const max = new Float32Array(s.neurons).fill(-Infinity);
    const mean = new Float32Array(s.neurons);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < s.neurons; j++) {
        max[j] = Math.max(max[j]!, v[t * s.neurons + j]!);
        mean[j]! += v[t * s.neurons + j]! / T;
      }
    }
    assert.ok(maxAbsDiff(max, pooled.pooled!.get(s.id)!.max) < 1e-4, `${s.id} max`);
    assert.ok(maxAbsDiff(mean, pooled.pooled!.get(s.id)!.mean) < 1e-4, `${s.id} mean`);
  }
});

test('the spans cover the text', async () => {
  const a = await tokenActivations(model, TEXT, [model.sites[0]!.id]);
  assert.equal(a.tokens.length, a.ids.length);
  assert.equal(a.tokens.map((t) => t.text).join(''), TEXT);
  a.tokens.forEach((t, i) => assert.equal(t.start, i === 0 ? 0 : a.tokens[i - 1]!.end));
});

test('an intervention changes the values of later sites, and a cancelled read stops', async () => {
  const site = model.sites[0]!;
  const later = model.sites[model.sites.length - 1]!.id;
  const zero = new Map([[site.id, { gain: new Float32Array(site.neurons) }]]);
  const plain = await tokenActivations(model, TEXT, [later]);
  const damped = await tokenActivations(model, TEXT, [later], { intervention: zero });
  assert.ok(maxAbsDiff(plain.values.get(later)!, damped.values.get(later)!) > 1e-3);
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(tokenActivations(model, TEXT, [later], { signal: controller.signal }), { name: 'AbortError' });
});
