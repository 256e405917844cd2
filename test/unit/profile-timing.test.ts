// `profile --json` says where the time went (so a slow run can be diagnosed), and `--ep cuda` without
// onnxruntime-node's CUDA libraries is a one-line error about the install, not about the model file.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkExecutionProvider, providerLoadError } from '../../src/engine/execution-provider';
import { LanguageModel } from '../../src/engine/model';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const TEXTS = ['The cat sat', 'you are a damn fool', 'The old man went home', 'what a stupid idea', 'When the sun rose over the hills', 'shut up'];

describe('profile timing breakdown', () => {
  it('reports seconds per stage, real and padded tokens, and tokens per second', async () => {
    const dir = scratchDir('timing');
    const data = join(dir, 'data.jsonl');
    writeFileSync(data, TEXTS.map((text, i) => JSON.stringify({ text, label: i % 2 ? 'toxic' : 'non-toxic' })).join('\n') + '\n');
    const r = runCli(['profile', join(MODELS, 'gpt2-tiny'), '--data', data, '--out', join(dir, 'out'), '--batch-size', '4', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = r.json as { seconds: number; timing: Record<string, number>; tokens: number; paddedTokens: number; tokensPerSecond: number };
    const stages = ['tokenizeS', 'batchingS', 'forwardS', 'poolingS', 'writingS', 'readingS', 'aurocS', 'statsS'];
    assert.deepEqual(Object.keys(j.timing).sort(), [...stages].sort());
    for (const k of stages) assert.ok(Number.isFinite(j.timing[k]) && j.timing[k]! >= 0, `${k} = ${j.timing[k]}`);
    const sum = stages.reduce((a, k) => a + j.timing[k]!, 0);
    // Stages are disjoint slices of the run (each rounded to 1 ms).
    assert.ok(sum <= j.seconds + 0.01, `stages sum to ${sum} s, more than the whole run (${j.seconds} s)`);
    assert.ok(j.timing.forwardS! > 0);

    // Token counts from the tokenizer's lengths, batched as the profile does (sorted by length, left-padded).
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'));
    const lens = TEXTS.map((t) => Math.min(model.tokenizer.encode(t).length, model.facts.maxPositions ?? 128, 128)).sort((a, b) => a - b);
    await model.dispose();
    assert.equal(j.tokens, lens.reduce((a, b) => a + b, 0));
    let padded = 0;
    for (let i = 0; i < lens.length; i += 4) padded += lens.slice(i, i + 4).length * Math.max(...lens.slice(i, i + 4));
    assert.equal(j.paddedTokens, padded);
    assert.ok(Math.abs(j.tokensPerSecond - j.tokens / j.timing.forwardS!) <= Math.max(2, 0.05 * j.tokensPerSecond), `${j.tokensPerSecond} vs ${j.tokens / j.timing.forwardS!}`);
  });
});

describe('execution provider availability', () => {
  it('names the missing CUDA libraries and the install flag', () => {
    const empty = scratchDir('ep');
    if (process.platform === 'linux' && process.arch === 'x64') {
      assert.throws(
        () => checkExecutionProvider('cuda', empty),
        (e: Error) => e.name === 'UserError' && /libonnxruntime_providers_cuda\.so/.test(e.message) && /ONNXRUNTIME_NODE_INSTALL=cuda12/.test(e.message) && !e.message.includes('\n'),
      );
      const full = join(empty, 'full');
      mkdirSync(full);
      for (const f of ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']) writeFileSync(join(full, f), '');
      assert.doesNotThrow(() => checkExecutionProvider('cuda', full));
    } else {
      assert.throws(() => checkExecutionProvider('cuda', empty), (e: Error) => e.name === 'UserError' && /Linux x64/.test(e.message));
    }
    assert.doesNotThrow(() => checkExecutionProvider('cpu', empty));
  });

  it('turns onnxruntime\'s "Failed to load shared library" into an error about the provider', () => {
    const ort = new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\nmore');
    const e = providerLoadError('cuda', ort);
    assert.ok(e && e.name === 'UserError' && /"cuda"/.test(e.message) && /Failed to load shared library/.test(e.message) && !e.message.includes('\n'));
    assert.equal(providerLoadError('cpu', ort), undefined);
    assert.equal(providerLoadError('cuda', new Error('Protobuf parsing failed')), undefined);
  });

  it('profile --ep cuda exits 1 with one line about the provider when CUDA cannot run, and --ep checks its value', () => {
    const dir = scratchDir('ep-cli');
    const data = join(dir, 'data.jsonl');
    writeFileSync(data, TEXTS.map((text, i) => JSON.stringify({ text, label: i % 2 ? 'toxic' : 'non-toxic' })).join('\n') + '\n');
    const r = runCli(['profile', join(MODELS, 'gpt2-tiny'), '--data', data, '--out', join(dir, 'out'), '--ep', 'cuda']);
    // Exit 0 only where CUDA really runs; anywhere else the error must name the provider, not the model.
    if (r.status !== 0) {
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, /"cuda"/);
      assert.doesNotMatch(lines[0]!, /could not load the model/);
    }
    const bad = runCli(['generate', join(MODELS, 'gpt2-tiny'), '--prompt', 'hi', '--ep', 'tpu']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--ep: expected one of cpu, cuda/);
  });
});
