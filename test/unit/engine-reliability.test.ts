// Issue 10's engine items, each a regression test that failed before its fix: the export never overwrites
// the model it reads (3), mean pooling ignores an infinity at a padded position (8), site ids are checked
// against the config's layer count (9), truncated external data (12), the context length without a config
// (13), a WordLevel tokenizer's unknown words (14), token ids outside the embedding (15), graph inputs the
// engine cannot feed (16), Hugging Face hub cache snapshots (18).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportFoldedOnnx } from '../../src/aura/export/onnx-export';
import { UserError } from '../../src/engine/errors';
import { generate } from '../../src/engine/generation/generate';
import { LanguageModel } from '../../src/engine/model';
import { DataType, decodeModel, encodeModel, makeNode, makeTensor, makeValueInfo } from '../../src/engine/onnx/proto';
import { loadTokenizer } from '../../src/engine/tokenizer';
import { FIXTURES, MODELS, golden, maxAbsDiff } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

function copyOf(name: string): string {
  const d = join(scratchDir('rel'), name);
  cpSync(join(MODELS, name), d, { recursive: true });
  return d;
}

const isUser = (re: RegExp) => (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n');

describe('issue 10 item 3: export never overwrites the model being read', () => {
  for (const name of ['gpt2-tiny', 'gpt2-tiny-external']) {
    it(`${name}: --out onto the source graph or its data file is refused and the model is unchanged`, async () => {
      const d = copyOf(name);
      const before = readFileSync(join(d, 'model.onnx'));
      const model = await LanguageModel.open(d, { threads: 1 });
      const iv = new Map([[model.sites[0]!.id, { gain: new Float32Array(model.sites[0]!.neurons).fill(0.5) }]]);
      await assert.rejects(exportFoldedOnnx(model, iv, join(d, 'model.onnx')), isUser(/--out .*model\.onnx: is a file of the model being exported/));
      // The same file through a symlinked folder is the same file.
      symlinkSync(d, `${d}-link`);
      await assert.rejects(exportFoldedOnnx(model, iv, join(`${d}-link`, 'model.onnx')), isUser(/is a file of the model being exported/));
      await model.dispose();
      assert.deepEqual(readFileSync(join(d, 'model.onnx')), before);
    });
  }
});

/**
 * A graph made for the test: ids -> Gather from a [vocab, 2] table -> `h` (a custom site) -> MatMul -> logits.
 * The table row of token 1 (the padding) is +Inf, as an fp16 overflow at a padded position would be.
 */
function infAtPadModel(): string {
  const d = scratchDir('infpad');
  const vocab = 300;
  const table = new Float32Array(vocab * 2);
  for (let i = 0; i < vocab; i++) table.set([i / 100, 1 + i / 1000], i * 2);
  table.set([Infinity, Infinity], 2);
  const head = new Float32Array(2 * vocab).fill(0.01);
  const m = decodeModel(readFileSync(join(MODELS, 'gpt2-tiny', 'model.onnx')));
  const g = m.graph!;
  g.node = [makeNode('Gather', ['table', 'input_ids'], ['h'], 'embed'), makeNode('MatMul', ['h', 'head'], ['logits'], 'head')];
  g.initializer = [makeTensor('table', DataType.FLOAT, [vocab, 2], new Uint8Array(table.buffer)), makeTensor('head', DataType.FLOAT, [2, vocab], new Uint8Array(head.buffer))];
  g.input = [makeValueInfo('input_ids', DataType.INT64, ['batch', 'seq']), makeValueInfo('attention_mask', DataType.INT64, ['batch', 'seq'])];
  g.output = [makeValueInfo('logits', DataType.FLOAT, ['batch', 'seq', vocab])];
  g.valueInfo = [];
  writeFileSync(join(d, 'model.onnx'), encodeModel(m));
  cpSync(join(MODELS, 'gpt2-tiny', 'tokenizer.json'), join(d, 'tokenizer.json'));
  return d;
}

describe('issue 10 item 8: pooling selects real positions, so an infinity at a padded one is ignored', () => {
  it('mean and max over the real tokens only, finite', async () => {
    const model = await LanguageModel.open(infAtPadModel(), { threads: 1, customSites: ['h'] });
    const r = await model.extract({ ids: [[1, 1, 5, 7], [4, 6, 8, 10]], mask: [[0, 0, 1, 1], [1, 1, 1, 1]], pool: ['custom:h'] });
    const p = r.pooled!.get('custom:h')!;
    // By hand: row i of the table is [i/100, 1 + i/1000].
    const expectMean = [(0.05 + 0.07) / 2, 1 + (0.005 + 0.007) / 2, (0.04 + 0.06 + 0.08 + 0.1) / 4, 1 + (0.004 + 0.006 + 0.008 + 0.01) / 4];
    const expectMax = [0.07, 1.007, 0.1, 1.01];
    assert.ok(maxAbsDiff(p.mean, expectMean) < 1e-6, `mean ${[...p.mean]}`);
    assert.ok(maxAbsDiff(p.max, expectMax) < 1e-6, `max ${[...p.max]}`);
    await model.dispose();
  });
});

describe('issue 10 item 9: site ids agree with the config', () => {
  it('a config with more layers than the graph has MLPs is refused, naming both counts', async () => {
    const d = copyOf('gpt2-tiny');
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, n_layer: 3 }));
    await assert.rejects(LanguageModel.open(d), isUser(/found MLP blocks in 2 layers but .*config\.json says the model has 3 layers/));
  });

  it('a mixture-of-experts model type is refused instead of named with Llama module paths', async () => {
    const d = copyOf('llama-tiny');
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, model_type: 'mixtral' }));
    await assert.rejects(LanguageModel.open(d), isUser(/mixtral.*mixture-of-experts/));
  });
});

describe('issue 10 item 12: truncated external data is the user file at fault', () => {
  for (const [name, file] of [['gpt2-tiny-external', 'model.onnx_data'], ['gpt2-tiny-pertensor', 'transformer.h.1.mlp.c_fc.weight']] as const) {
    it(`${name}: a truncated ${file} is named`, async () => {
      const d = copyOf(name);
      truncateSync(join(d, file), Math.floor(statSync(join(d, file)).size / 2));
      await assert.rejects(LanguageModel.open(d), isUser(new RegExp(`external data file "${file.replace(/\./g, '\\.')}" is truncated`)));
    });
  }
});

describe('issue 10 item 13: without config.json the context length comes from the position table', () => {
  it('generation stops at the table size instead of reading past it', async () => {
    const d = copyOf('gpt2-tiny');
    rmSync(join(d, 'config.json'));
    const model = await LanguageModel.open(d, { threads: 1 });
    // make_fixtures.py gives gpt2-tiny n_positions 32: its wpe table has 32 rows.
    assert.equal(model.facts.maxPositions, 32);
    const r = await generate(model, ['The cat sat'], { maxNewTokens: 60, stopAtEos: false });
    assert.ok(r.ids[0]!.length > 0 && r.promptIds[0]!.length + r.ids[0]!.length <= 32, `${r.promptIds[0]!.length} + ${r.ids[0]!.length} tokens`);
    await model.dispose();
  });
});

describe('issue 10 item 14: a WordLevel tokenizer maps unknown words to its unknown token', () => {
  it('ids equal the reference lookup of make_wordlevel.py', () => {
    const dir = join(FIXTURES, 'tokenizers', 'wordlevel');
    const tok = loadTokenizer(join(dir, 'tokenizer.json'));
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { text: string; ids: number[] }[];
    for (const e of expected) assert.deepEqual(tok.encode(e.text), e.ids, e.text);
  });

  it('without an unknown token, the word is named in a user error', () => {
    const d = scratchDir('wl');
    const json = JSON.parse(readFileSync(join(FIXTURES, 'tokenizers', 'wordlevel', 'tokenizer.json'), 'utf8'));
    delete json.model.unk_token;
    writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(json));
    const tok = loadTokenizer(join(d, 'tokenizer.json'));
    assert.throws(() => tok.encode('the zebra'), isUser(/no id for "zebra" and no unknown token/));
  });
});

describe('issue 10 item 15: token ids outside the embedding', () => {
  /** gpt2-tiny (300 tokens) with a tokenizer that has 3 more added tokens, one of them the pad. */
  function biggerTokenizer(): string {
    const d = copyOf('gpt2-tiny');
    const tj = JSON.parse(readFileSync(join(d, 'tokenizer.json'), 'utf8'));
    for (const [i, content] of ['<extra_a>', '<extra_b>', '<pad>'].entries()) {
      tj.added_tokens.push({ id: 300 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    }
    writeFileSync(join(d, 'tokenizer.json'), JSON.stringify(tj));
    const tc = JSON.parse(readFileSync(join(d, 'tokenizer_config.json'), 'utf8'));
    writeFileSync(join(d, 'tokenizer_config.json'), JSON.stringify({ ...tc, pad_token: '<pad>' }));
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    delete cfg.pad_token_id;
    writeFileSync(join(d, 'config.json'), JSON.stringify(cfg));
    return d;
  }

  it('a pad id past the vocabulary is replaced by one inside it; padded batches match the golden values', async () => {
    const model = await LanguageModel.open(biggerTokenizer(), { threads: 1 });
    assert.ok(model.facts.padTokenId! < 300, `pad ${model.facts.padTokenId}`);
    const g = golden('gpt2-tiny');
    const ids = g.batch.input_ids.map((row, i) => row.map((id, j) => (g.batch.attention_mask[i]![j] ? id : model.facts.padTokenId!)));
    const r = await model.logits({ ids, mask: g.batch.attention_mask, logits: 'last' });
    assert.ok(maxAbsDiff(r.logits!, g.logits_last.flat()) < 1e-4);
    await model.dispose();
  });

  it('a prompt id past the vocabulary is a user error naming both sizes', async () => {
    const model = await LanguageModel.open(biggerTokenizer(), { threads: 1 });
    await assert.rejects(generate(model, ['The <extra_b> cat'], { maxNewTokens: 2 }), isUser(/token id 301 is outside the model's vocabulary of 300 tokens \(the tokenizer has 303/));
    await model.dispose();
  });
});

describe('issue 10 item 16: graph inputs the engine cannot feed are named up front', () => {
  it('a static-cache write_indices input', async () => {
    const d = copyOf('gpt2-tiny');
    const m = decodeModel(readFileSync(join(d, 'model.onnx')));
    m.graph!.input.push(makeValueInfo('write_indices', DataType.INT64, ['batch']));
    writeFileSync(join(d, 'model.onnx'), encodeModel(m));
    await assert.rejects(LanguageModel.open(d), isUser(/model\.onnx: the graph has inputs aura-lens does not know how to feed: write_indices/));
  });
});

describe('issue 10 item 18: a Hugging Face hub cache snapshot with external data', () => {
  for (const name of ['gpt2-tiny-external', 'gpt2-tiny-pertensor']) {
    it(`${name}: files are symlinks into ../../blobs; the model opens and matches the golden values`, async () => {
      const repo = join(scratchDir('hub'), 'models--org--tiny');
      const snap = join(repo, 'snapshots', '0123abcd');
      mkdirSync(join(repo, 'blobs'), { recursive: true });
      mkdirSync(snap, { recursive: true });
      for (const [i, f] of readdirSync(join(MODELS, name)).entries()) {
        const blob = `blob${i.toString().padStart(4, '0')}`;
        cpSync(join(MODELS, name, f), join(repo, 'blobs', blob));
        symlinkSync(join('..', '..', 'blobs', blob), join(snap, f));
      }
      const model = await LanguageModel.open(snap, { threads: 1 });
      const g = golden('gpt2-tiny');
      const r = await model.logits({ ids: g.batch.input_ids, mask: g.batch.attention_mask, logits: 'last' });
      assert.ok(maxAbsDiff(r.logits!, g.logits_last.flat()) < 1e-4);
      await model.dispose();
      // Nothing was left in the snapshot or the blobs.
      assert.ok(readdirSync(join(repo, 'blobs')).every((f) => f.startsWith('blob')));
    });
  }

  it('a symlink leading out of the repository cache is still refused', async () => {
    const d = copyOf('gpt2-tiny-external');
    const outside = join(scratchDir('outside'), 'data');
    renameSync(join(d, 'model.onnx_data'), outside);
    symlinkSync(outside, join(d, 'model.onnx_data'));
    await assert.rejects(LanguageModel.open(d), isUser(/leaves the model folder/));
  });
});

describe('a killed process leaves no temporary graph behind for good', () => {
  it('opening a model removes temporary graphs of processes that are gone and keeps those of live ones', async () => {
    const d = copyOf('gpt2-tiny-external');
    // A pid that certainly ended: a child that has exited.
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = `.aura-lens-${dead}-0badc0de.onnx`;
    const live = `.aura-lens-${process.pid}-0123abcd.onnx`;
    writeFileSync(join(d, stale), 'left by a killed process');
    writeFileSync(join(d, live), 'another load in progress');
    const m = await LanguageModel.open(d, { threads: 1 });
    try {
      await m.logits({ ids: [[1, 2, 3]], mask: [[1, 1, 1]], logits: 'last' });
    } finally {
      await m.dispose();
    }
    const left = readdirSync(d).filter((n) => n.startsWith('.aura-lens-'));
    assert.deepEqual(left, [live]);
  });
});
