// export --format hf: the fold re-run here must give the bytes PyTorch verified at fixture time
// (test/fixtures/fixturegen/hf_checkpoints.py loaded them into the torch modules with strict keys and
// compared with the hooked original), and the folded model's ONNX export must give the logits of the
// original ONNX model running the live intervention.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { exportHfCheckpoint } from '../../src/aura/export/hf/index';
import { onnxModelFacts } from '../../src/aura/export/hf/onnx-facts';
import { effectiveGains, readInterventionFile } from '../../src/aura/intervention-file';
import { LanguageModel } from '../../src/engine/model';
import { FIXTURES, MODELS, maxAbsDiff } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import type { HfDtype } from '../../src/aura/export/hf/index';

const HF = join(FIXTURES, 'hf');
interface Expected {
  dtype: string;
  sha256: Record<string, string>;
  keep_sha256?: Record<string, string>;
}
const EXPECTED = JSON.parse(readFileSync(join(HF, 'expected.json'), 'utf8')) as Record<string, Record<string, Expected>>;
const ARCHS: Record<string, { model: string; vocab: number }> = {
  'gpt2-bf16': { model: join(HF, 'gpt2-bf16', 'model'), vocab: 300 },
  'llama-gqa': { model: join(MODELS, 'llama-tiny'), vocab: 352 },
  'gpt-neox': { model: join(HF, 'gpt-neox', 'model'), vocab: 300 },
  opt: { model: join(HF, 'opt', 'model'), vocab: 300 },
};

function sha256Folder(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) out[f] = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
  return out;
}

const ids = [[3, 4, 5, 6, 7, 8], [0, 0, 9, 10, 11, 12]];
const mask = [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]];

/** Logits of the folded ONNX export (no past), positions as the fixture script fed them. */
async function foldedLogits(path: string): Promise<{ data: Float32Array; vocab: number }> {
  const s = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  const i64 = (rows: number[][]) => new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0]!.length]);
  const pos = mask.map((r) => {
    let c = -1;
    return r.map((m) => (m ? ++c : 1));
  });
  const out = await s.run({ input_ids: i64(ids), attention_mask: i64(mask), position_ids: i64(pos) });
  const t = out.logits!;
  await s.release();
  return { data: t.data as Float32Array, vocab: t.dims[2]! };
}

/** Only the positions the mask keeps: padded positions' logits are not defined by either side. */
function kept(all: Float32Array, vocab: number): Float32Array {
  const parts: number[] = [];
  mask.forEach((r, b) => r.forEach((m, s) => {
    if (m) parts.push(...all.subarray((b * r.length + s) * vocab, (b * r.length + s + 1) * vocab));
  }));
  return Float32Array.from(parts);
}

describe('export --format hf: the folded checkpoint PyTorch verified', () => {
  for (const [arch, methods] of Object.entries(EXPECTED)) {
    for (const [method, exp] of Object.entries(methods)) {
      it(`${arch} ${method}: same bytes as the PyTorch-verified fold; folded ONNX logits = live intervention within 1e-4`, async () => {
        const model = await LanguageModel.open(ARCHS[arch]!.model, { threads: 1 });
        try {
          const ivPath = join(HF, arch, `${method}.json`);
          const iv = await readInterventionFile(ivPath);
          const out = join(scratchDir('hf'), 'folded');
          const progress: number[] = [];
          const r = await exportHfCheckpoint({
            intervention: iv, model: onnxModelFacts(model), modelDir: model.files.dir, checkpoint: join(HF, arch, 'checkpoint'), out,
            dtype: (exp.dtype === 'keep' ? 'keep' : exp.dtype) as HfDtype, onProgress: (d, t) => progress.push(d / t),
          });
          assert.deepEqual(sha256Folder(out), exp.sha256);
          assert.equal(progress[progress.length - 1], 1);
          assert.ok(r.folded.length > 0);
          if (exp.keep_sha256) {
            const keep = join(scratchDir('hf'), 'keep');
            await exportHfCheckpoint({ intervention: iv, model: onnxModelFacts(model), checkpoint: join(HF, arch, 'checkpoint'), out: keep });
            assert.deepEqual(sha256Folder(keep), exp.keep_sha256, 'BF16 fold as torch rounds it');
          }
          const live = await model.logits({ ids, mask, intervention: effectiveGains(iv), logits: 'all' });
          const plain = await model.logits({ ids, mask, asExported: true, logits: 'all' });
          const folded = await foldedLogits(join(HF, arch, `folded-${method}.onnx`));
          const d = maxAbsDiff(kept(live.logits!, folded.vocab), kept(folded.data, folded.vocab));
          console.log(`  ${arch} ${method}: folded vs live max |d| = ${d.toExponential(2)}`);
          assert.ok(d <= 1e-4, `folded logits differ from the live intervention by ${d}`);
          assert.ok(maxAbsDiff(kept(plain.logits!, folded.vocab), kept(folded.data, folded.vocab)) > 1e-3, 'the intervention changes the logits');
        } finally {
          await model.dispose();
        }
      });
    }
  }
});
