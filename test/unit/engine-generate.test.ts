// Generation mechanics beyond the golden tokens: streaming snapshots, cancellation, EOS stops and the
// sampling processors' defining properties.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../src/engine/generation/generate';
import { topK, topP } from '../../src/engine/generation/logits-processors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS, golden } from '../helpers/fixtures';

describe('generation', () => {
  let model: LanguageModel;
  const g = golden('llama-tiny');
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'llama-tiny'), { threads: 1 });
  });
  after(async () => model?.dispose());

  it('streams full-text snapshots that end with the result', async () => {
    const seen: string[] = [];
    const r = await generate(model, [g.greedy.prompt_ids], { maxNewTokens: 6, stopAtEos: false, onToken: (e) => seen.push(e.text) });
    assert.equal(seen.length, 6);
    assert.equal(seen[seen.length - 1], r.texts[0]);
    assert.deepEqual(r.ids[0], g.greedy.plain.slice(0, 6));
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    let n = 0;
    await assert.rejects(
      generate(model, [g.greedy.prompt_ids], { maxNewTokens: 20, stopAtEos: false, signal: ac.signal, onToken: () => ++n === 2 && ac.abort() }),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(n, 2);
  });

  it('stops a row at EOS and reports why', async () => {
    const eos = model.facts.eosTokenIds;
    model.facts.eosTokenIds = [g.greedy.plain[2]!];
    try {
      const r = await generate(model, [g.greedy.prompt_ids], { maxNewTokens: 8 });
      assert.deepEqual(r.ids[0], g.greedy.plain.slice(0, 3));
      assert.equal(r.finish[0], 'eos');
    } finally {
      model.facts.eosTokenIds = eos;
    }
  });

  it('samples only the most likely token with top-k 1, so it equals greedy', async () => {
    const r = await generate(model, [g.greedy.prompt_ids], { maxNewTokens: 8, stopAtEos: false, temperature: 1.5, topK: 1, seed: 3 });
    assert.deepEqual(r.ids[0], g.greedy.plain);
  });

  it('top-k and top-p keep the tokens they should', () => {
    const logits = Float32Array.from([1, 4, 2, 3]);
    topK(2)(logits, []);
    assert.deepEqual(Array.from(logits), [-Infinity, 4, -Infinity, 3]);
    // softmax([0, ln 6, ln 3, ln 1]) = [1, 6, 3, 1] / 11: top-p 0.8 keeps 6/11 + 3/11 = 0.82.
    const l2 = Float32Array.from([0, Math.log(6), Math.log(3), 0]);
    topP(0.8)(l2, []);
    assert.deepEqual(Array.from(l2).map((v) => v === -Infinity), [true, false, false, true]);
  });

  it('draws the same tokens from the same seed, and others from another', async () => {
    const o = { maxNewTokens: 10, stopAtEos: false, temperature: 1.2, seed: 42 };
    const a = await generate(model, [g.greedy.prompt_ids], o);
    const b = await generate(model, [g.greedy.prompt_ids], o);
    const c = await generate(model, [g.greedy.prompt_ids], { ...o, seed: 43 });
    assert.deepEqual(a.ids, b.ids);
    assert.notDeepEqual(a.ids, c.ids);
  });
});
