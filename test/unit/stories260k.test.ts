// Karpathy's stories260K (a pretrained Llama-2-architecture model, llama2.c, MIT) converted by
// test/fixtures/fixturegen/stories260k.py. Reference values come from outside our engine: the story is
// the one llama2.c's test_all.py expects from `run stories260K.bin -z tok512.bin -t 0.0 -n 200`, token ids
// are a port of run.c's encode(), and logits / greedy tokens are PyTorch's (checked there against run.c).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generate } from '../../src/engine/generation/generate';
import { LanguageModel } from '../../src/engine/model';
import { FIXTURES, MODELS } from '../helpers/fixtures';

interface StoriesGolden {
  source: { repo: string; commit: string };
  config: { dim: number; hidden_dim: number; n_layers: number; vocab_size: number; seq_len: number };
  story: { steps: number; prompt_ids: number[]; ids: number[]; text: string };
  prompts: { text: string; ids: number[]; logits: number[][]; greedy: number[]; greedy_runc: number[]; last_margin: number }[];
  tokenizer: { text: string; ids: number[] }[];
}

const g = JSON.parse(readFileSync(join(FIXTURES, 'golden', 'stories260k-llama2c.json'), 'utf8')) as StoriesGolden;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('stories260K (pretrained, llama2.c)', () => {
  let model: LanguageModel;
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'stories260k'), { threads: 1 });
  });
  after(async () => model?.dispose());

  it('has the checkpoint header\'s shape: 5 layers x (gate, up of 172 neurons; down of 64 outputs)', () => {
    assert.equal(model.facts.layers, g.config.n_layers);
    assert.equal(model.sites.length, 3 * g.config.n_layers);
    for (const s of model.sites) assert.equal(s.neurons, s.kind === 'mlp.out' ? g.config.dim : g.config.hidden_dim, s.id);
  });

  it('stops where llama2.c stops: BOS (1) is an EOS id', () => {
    assert.ok(model.facts.eosTokenIds.includes(1), `eos ids ${model.facts.eosTokenIds}`);
  });

  it('encodes text exactly as llama2.c\'s encode() does', () => {
    assert.ok(g.tokenizer.length >= 200);
    const bad = g.tokenizer.filter((c) => JSON.stringify(model.tokenizer.encode(c.text)) !== JSON.stringify(c.ids));
    assert.deepEqual(bad.map((c) => c.text), []);
  });

  it('gives every prompt position the logits PyTorch gives', async () => {
    for (const p of g.prompts) {
      const r = await model.logits({ ids: [p.ids], mask: [p.ids.map(() => 1)], logits: 'all' });
      const d = maxAbsDiff(r.logits!, p.logits.flat());
      assert.ok(d <= 2e-4, `${p.text}: logits differ from PyTorch by ${d}`);
    }
  });

  it('generates PyTorch\'s (and run.c\'s) greedy tokens, with and without the KV cache', async () => {
    for (const p of g.prompts) {
      assert.deepEqual(p.greedy, p.greedy_runc.slice(0, p.greedy.length));
      for (const useCache of [true, false]) {
        const r = await generate(model, [p.ids], { maxNewTokens: p.greedy.length, stopAtEos: false, useCache });
        assert.deepEqual(r.ids[0], p.greedy, `${p.text} (cache ${useCache})`);
      }
    }
  });

  it('reproduces llama2.c test_all.py\'s story for stories260K', async () => {
    const r = await generate(model, [g.story.prompt_ids], { maxNewTokens: g.story.steps });
    assert.deepEqual(r.ids[0], g.story.ids);
    assert.equal(r.texts[0], g.story.text);
    assert.ok(g.story.text.startsWith('Once upon a time, there was a little girl named Lily.'));
  });

  it('ends a story at the BOS it emits between stories', async () => {
    // greedy from BOS runs 200 tokens without a BOS; a longer run reaches the story's end
    const r = await generate(model, [g.story.prompt_ids], { maxNewTokens: 400 });
    const ids = r.ids[0]!;
    assert.equal(r.finish[0], 'eos');
    assert.equal(ids[ids.length - 1], 1);
    assert.ok(!ids.slice(0, -1).includes(1));
    assert.deepEqual(ids.slice(0, g.story.ids.length), g.story.ids);
  });
});
