// Every export is read back (or loaded by onnxruntime) before it replaces anything (issue 8 item 2), and a
// folded export of an external-data model replaces an earlier one without leaving its old data behind.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { atomicWriteFile } from '../../src/aura/atomic-write';
import { exportFoldedOnnx } from '../../src/aura/export/onnx-export';
import { LanguageModel } from '../../src/engine/model';
import { ort } from '../../src/engine/ort-session';
import { decodeModel, encodeModel } from '../../src/engine/onnx/proto';
import type { Intervention } from '../../src/engine/model';
import { MODELS, maxAbsDiff } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

describe('verified before replacing', () => {
  it('a write whose read-back fails leaves the old file and no temporary file', async () => {
    const d = scratchDir('verify');
    const target = join(d, 'gains.safetensors');
    writeFileSync(target, 'the good old file');
    await assert.rejects(
      atomicWriteFile(target, 'new bytes', async () => {
        throw new Error('does not read back');
      }),
    );
    assert.equal(readFileSync(target, 'utf8'), 'the good old file');
    assert.deepEqual(readdirSync(d), ['gains.safetensors']);
  });

  it('a second folded export over the first swaps graph and data; the old data file is removed', async () => {
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny-external'), { threads: 1 });
    const out = join(scratchDir('refold'), 'folded.onnx');
    const ivOf = (g: number): Intervention => new Map(model.sites.map((s) => [s.id, { gain: new Float32Array(s.neurons).fill(g) }]));
    const first = await exportFoldedOnnx(model, ivOf(0.5), out);
    const second = await exportFoldedOnnx(model, ivOf(0.25), out);
    assert.notEqual(first.dataFile, second.dataFile);
    assert.deepEqual(readdirSync(join(out, '..')).sort(), ['folded.onnx', second.dataFile!.split('/').pop()!].sort());
    await assertFoldedMatchesLive(out, model, ivOf(0.25));
    await model.dispose();
  });

  it('external data without "length" entries (torch.onnx.export past 2 GB writes none) folds with every weight', async () => {
    // Before: a missing length read as 0 bytes, and the folded weight came out empty (onnxruntime refused it).
    const dir = join(scratchDir('nolength'), 'model');
    cpSync(join(MODELS, 'gpt2-tiny-pertensor'), dir, { recursive: true });
    const graph = decodeModel(readFileSync(join(dir, 'model.onnx')));
    let stripped = 0;
    for (const t of graph.graph!.initializer) {
      const before = t.externalData.length;
      t.externalData = t.externalData.filter((e) => e.key !== 'length');
      stripped += before - t.externalData.length;
    }
    assert.ok(stripped > 0, 'the fixture names lengths, so stripping them changes it');
    writeFileSync(join(dir, 'model.onnx'), encodeModel(graph));
    const model = await LanguageModel.open(dir, { threads: 1 });
    const iv: Intervention = new Map(model.sites.map((s) => [s.id, { gain: new Float32Array(s.neurons).fill(0.5) }]));
    const out = join(scratchDir('nolength-out'), 'folded.onnx');
    await exportFoldedOnnx(model, iv, out);
    await assertFoldedMatchesLive(out, model, iv);
    await model.dispose();
  });
});

/** The export folder holds only the model (no tokenizer): run it in onnxruntime directly, against the live intervention. */
async function assertFoldedMatchesLive(out: string, model: LanguageModel, iv: Intervention): Promise<void> {
  const session = await ort.InferenceSession.create(out);
  const ids = [[3, 4, 5, 6]];
  const mask = [[1, 1, 1, 1]];
  const live = await model.logits({ ids, mask, intervention: iv, logits: 'all' });
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), [1, 4]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), [1, 4]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from([0, 1, 2, 3], BigInt), [1, 4]),
  };
  for (const [k, v] of Object.entries(model.emptyPast(1))) feeds[k] = v;
  const r = await session.run(feeds);
  assert.ok(maxAbsDiff(live.logits!, r.logits!.data as Float32Array) < 1e-4);
  await session.release();
}
