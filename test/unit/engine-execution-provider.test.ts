// `--ep cuda` / aura.executionProvider without onnxruntime-node's CUDA libraries is a one-line error
// about the install (which files, which flag), not one about the user's model file.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkExecutionProvider, providerLoadError } from '../../src/engine/execution-provider';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const TEXTS = ['The cat sat', 'you are a damn fool', 'The old man went home', 'what a stupid idea'];

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
