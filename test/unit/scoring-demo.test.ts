// The embedded default in media/demo: its tokenizer round-trips any UTF-8 text, its concept data carries
// the lexicon scorer's labels, its prompts and neutral text are well formed, its model loads in
// onnxruntime-node with the single-file-with-past interface, and all of it stays under 15 MB.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@huggingface/tokenizers';
import { LexiconScorer, isToxic } from '../../src/aura/scoring';

const DEMO = join(__dirname, '..', '..', 'media', 'demo');
const MODEL = join(DEMO, 'model');

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function totalBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => {
    const p = join(dir, name);
    return sum + (statSync(p).isDirectory() ? totalBytes(p) : statSync(p).size);
  }, 0);
}

describe('embedded demo assets', () => {
  it('tokenizer.json round-trips any UTF-8 text', () => {
    const tokenizer = new Tokenizer(readJson(join(MODEL, 'tokenizer.json')), readJson(join(MODEL, 'tokenizer_config.json')));
    const texts = [
      'The Fulton County Grand Jury said Friday.',
      '  leading and trailing spaces  ',
      'tabs\tand\nnew\r\nlines',
      'Ünïcödé, 日本語のテキスト, emoji 🙂👍🏽, combining e\u0301, RTL שלום',
      'control \u0000\u0007 chars and \uFFFD replacement',
      "don't won't y'all 1,234.56 $%^&*() _under_score",
      '',
    ];
    for (const text of texts) {
      const ids = tokenizer.encode(text, { add_special_tokens: false }).ids;
      const back = ids.length ? tokenizer.decode(ids) : '';
      assert.equal(back, text);
      assert.ok(ids.every((id) => id >= 0 && id < 3072));
    }
  });

  it('concept.jsonl has at least 500 toxic sentences, labelled by the lexicon scorer', async () => {
    const rows = readJsonl(join(DEMO, 'concept.jsonl'));
    const scores = await new LexiconScorer().score(rows.map((r) => r.text as string));
    rows.forEach((r, i) => assert.equal(r.label, isToxic(scores[i]) ? 'toxic' : 'non-toxic', String(r.text)));
    assert.ok(rows.filter((r) => r.label === 'toxic').length >= 500);
  });

  it('prompts and neutral text are well formed; neutral text is not toxic', async () => {
    const prompts = readJsonl(join(DEMO, 'prompts.jsonl'));
    assert.ok(prompts.length >= 100 && prompts.length <= 200);
    assert.ok(prompts.every((p) => typeof p.text === 'string' && p.text.length > 0));
    const neutral = readJsonl(join(DEMO, 'neutral.jsonl')).map((r) => r.text as string);
    assert.ok(neutral.length >= 200);
    assert.ok((await new LexiconScorer().score(neutral)).every((p) => p === 0));
  });

  it('model.onnx loads with the single-file-with-past interface and gives finite logits', async () => {
    const config = readJson(join(MODEL, 'config.json')) as Record<string, number | string>;
    assert.equal(config.model_type, 'gpt2');
    assert.equal(config.activation_function, 'gelu_new');
    const layers = config.n_layer as number;
    const heads = config.n_head as number;
    const headDim = (config.n_embd as number) / heads;
    const session = await ort.InferenceSession.create(join(MODEL, 'model.onnx'));
    const pastNames = Array.from({ length: layers }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat();
    assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask', 'position_ids', ...pastNames]);
    assert.deepEqual(session.outputNames, ['logits', ...pastNames.map((n) => n.replace('past_key_values', 'present'))]);
    const ids = [464, 318, 257];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, 3]),
      attention_mask: new ort.Tensor('int64', BigInt64Array.from([1n, 1n, 1n]), [1, 3]),
      position_ids: new ort.Tensor('int64', BigInt64Array.from([0n, 1n, 2n]), [1, 3]),
    };
    for (const n of pastNames) feeds[n] = new ort.Tensor('float32', new Float32Array(0), [1, heads, 0, headDim]);
    const out = await session.run(feeds);
    assert.deepEqual(out.logits.dims, [1, 3, config.vocab_size]);
    assert.ok((out.logits.data as Float32Array).every(Number.isFinite));
    assert.deepEqual(out['present.0.key'].dims, [1, heads, 3, headDim]);
    await session.release();
  });

  it('media/demo stays under 15 MB', () => {
    assert.ok(totalBytes(DEMO) < 15 * 1024 * 1024, `${totalBytes(DEMO)} bytes`);
  });
});
