// The neuron detail's per-token values come from one batched forward pass for all its examples: the
// same values as each text read alone (no padding; both checked against PyTorch in
// engine-token-values.test.ts), for texts of different lengths, with and without an intervention.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tokenActivations } from '../../src/aura/activations';
import { LanguageModel } from '../../src/engine/model';
import { batchedTokenValues } from '../../src/host/model-host/token-values';
import { maxAbsDiff } from '../helpers/fixtures';
import { TINY } from '../helpers/workbench';

let model: LanguageModel;
before(async () => {
  model = await LanguageModel.open(TINY);
});
after(() => model.dispose());

const TEXTS = ['the quick brown fox jumps over the lazy dog', 'hi', '', 'a much longer text than the others, with words'];

for (const damped of [false, true]) {
  test(`several texts in one batch give each text's own values${damped ? ' under an intervention' : ''}`, async () => {
    const sites = model.sites.map((s) => s.id);
    const first = model.sites[0]!;
    const intervention = damped ? new Map([[first.id, { gain: new Float32Array(first.neurons).fill(0.25) }]]) : undefined;
    const batched = await batchedTokenValues(model, TEXTS, sites, { maxTokens: 24, ...(intervention ? { intervention } : {}) });
    assert.equal(batched.length, TEXTS.length);
    for (const [i, text] of TEXTS.entries()) {
      const one = await tokenActivations(model, text, sites, { maxTokens: 24, ...(intervention ? { intervention } : {}) });
      assert.deepEqual(batched[i]!.tokens, one.tokens, `tokens of text ${i}`);
      for (const s of sites) {
        const a = batched[i]!.values.get(s)!;
        assert.equal(a.length, one.values.get(s)!.length);
        assert.ok(maxAbsDiff(a, one.values.get(s)!) < 1e-4, `text ${i} ${s}: ${maxAbsDiff(a, one.values.get(s)!)}`);
      }
    }
  });
}

test('a cancelled batch stops', async () => {
  const c = new AbortController();
  c.abort();
  await assert.rejects(batchedTokenValues(model, TEXTS, [model.sites[0]!.id], { signal: c.signal }), { name: 'AbortError' });
});
