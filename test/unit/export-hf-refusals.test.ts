// export --format hf refuses what it cannot do honestly, with one line naming the cause, and then
// leaves nothing behind: no --out folder, no temporary folder, an existing --out untouched.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it, before, after } from 'node:test';
import { floatToHalf, halfToFloat } from '../../src/aura/export/hf/dtype';
import { exportHfCheckpoint } from '../../src/aura/export/hf/index';
import { onnxModelFacts } from '../../src/aura/export/hf/onnx-facts';
import { readInterventionFile } from '../../src/aura/intervention-file';
import { decodeSafetensors, encodeSafetensors } from '../../src/aura/safetensors';
import { LanguageModel } from '../../src/engine/model';
import { FIXTURES, MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import type { HfExportOptions } from '../../src/aura/export/hf/index';
import type { InterventionFile } from '../../src/aura/intervention-file';

const HF = join(FIXTURES, 'hf');
const GPT2_CKPT = join(HF, 'gpt2-bf16', 'checkpoint');
const LLAMA_CKPT = join(HF, 'llama-gqa', 'checkpoint');

let gpt2: LanguageModel;
let llama: LanguageModel;
let aura: InterventionFile;
let affine: InterventionFile;
let llamaAffine: InterventionFile;

before(async () => {
  gpt2 = await LanguageModel.open(join(HF, 'gpt2-bf16', 'model'), { threads: 1 });
  llama = await LanguageModel.open(join(MODELS, 'llama-tiny'), { threads: 1 });
  aura = await readInterventionFile(join(HF, 'gpt2-bf16', 'aura.json'));
  affine = await readInterventionFile(join(HF, 'gpt2-bf16', 'linear-act.json'));
  llamaAffine = await readInterventionFile(join(HF, 'llama-gqa', 'linear-act.json'));
});
after(async () => {
  await gpt2.dispose();
  await llama.dispose();
});

/** Runs the export expecting a refusal matching `re`; checks one line and that nothing was left. */
async function refused(o: Partial<HfExportOptions> & { out: string }, re: RegExp): Promise<string> {
  const opts: HfExportOptions = { intervention: aura, model: onnxModelFacts(gpt2), modelDir: gpt2.files.dir, checkpoint: GPT2_CKPT, ...o };
  const before = existsSync(dirname(o.out)) ? readdirSync(dirname(o.out)).sort() : [];
  const err = await exportHfCheckpoint(opts).then(() => undefined, (e: Error) => e);
  assert.ok(err, 'expected a refusal');
  assert.equal(err.name, 'UserError', String(err.stack));
  assert.match(err.message, re);
  assert.ok(!err.message.includes('\n'), 'one line');
  if (existsSync(dirname(o.out))) assert.deepEqual(readdirSync(dirname(o.out)).sort(), before, 'nothing left behind');
  return err.message;
}

function copyCheckpoint(src: string, edit?: (config: Record<string, unknown>) => void): string {
  const d = join(scratchDir('hf-ckpt'), 'ckpt');
  cpSync(src, d, { recursive: true });
  if (edit) {
    const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    edit(c);
    writeFileSync(join(d, 'config.json'), JSON.stringify(c));
  }
  return d;
}

describe('export --format hf refuses', () => {
  it('a range-limited map (version 2, lo/hi), saying why it cannot fold', async () => {
    const [id, s] = Object.entries(affine.sites)[0]!;
    const ranged: InterventionFile = { ...affine, version: 2, method: 'linear-act', sites: { [id]: { ...s, lo: new Float32Array(s.neurons).fill(-1), hi: new Float32Array(s.neurons).fill(1) } } };
    await refused({ intervention: ranged, out: join(scratchDir('hf'), 'out') }, /range-limited map.*cannot fold/);
  });

  it('a gain that overflows --dtype float16, naming the site and neuron', async () => {
    const id = 'transformer.h.0.mlp.c_fc';
    const gain = new Float32Array(64).fill(1);
    gain[5] = 1e30;
    const iv: InterventionFile = { ...aura, sites: { [id]: { neurons: 64, gain } } };
    await refused({ intervention: iv, dtype: 'float16', out: join(scratchDir('hf'), 'out') }, /site transformer\.h\.0\.mlp\.c_fc neuron 5: .* overflows float16/);
  });

  for (const [field, edit, re] of [
    ['MLP size', (c: Record<string, unknown>) => void (c.n_inner = 32), /MLP size .* is 32 but the ONNX model's is 64/],
    ['layers', (c: Record<string, unknown>) => void (c.n_layer = 3), /layers .* is 3 but the ONNX model's is 2/],
    ['vocabulary', (c: Record<string, unknown>) => void (c.vocab_size = 301), /vocabulary .* is 301 but the ONNX model's is 300/],
    ['hidden size', (c: Record<string, unknown>) => void (c.n_embd = 32), /hidden size .* is 32 but the ONNX model's is 16/],
    ['model_type', (c: Record<string, unknown>) => void (c.model_type = 'gpt_neox'), /model_type is "gpt_neox" but the ONNX model's is "gpt2"/],
  ] as const) {
    it(`a checkpoint whose ${field} differs from the ONNX model's, naming the field`, async () => {
      await refused({ checkpoint: copyCheckpoint(GPT2_CKPT, edit), out: join(scratchDir('hf'), 'out') }, re);
    });
  }

  it('a checkpoint with the same shapes but other weights (one projection compared with the ONNX initializer)', async () => {
    const d = copyCheckpoint(GPT2_CKPT);
    const st = decodeSafetensors(readFileSync(join(d, 'model.safetensors')));
    const tensors = [...st.tensors].map(([name, t]) => ({ name, shape: t.shape, data: name === 'h.0.mlp.c_fc.weight' ? t.data.map((x) => x * 1.01) : t.data }));
    writeFileSync(join(d, 'model.safetensors'), encodeSafetensors(tensors));
    await refused({ checkpoint: d, out: join(scratchDir('hf'), 'out') }, /h\.0\.mlp\.c_fc\.weight differs from the ONNX model's weight/);
  });

  it('an fp16 ONNX export of an fp32 checkpoint is the same model; the same rounding claimed as fp32 is not', async () => {
    const facts = onnxModelFacts(llama);
    const ref = (await facts.referenceWeight!())!;
    const half = Float32Array.from(ref.values, (x) => halfToFloat(floatToHalf(x)));
    const out = join(scratchDir('hf'), 'out');
    const base = { intervention: llamaAffine, modelDir: llama.files.dir, checkpoint: LLAMA_CKPT };
    await exportHfCheckpoint({ ...base, model: { ...facts, referenceWeight: async () => ({ ...ref, values: half, dtype: 'F16' }) }, out });
    assert.ok(existsSync(join(out, 'config.json')));
    await refused({ ...base, model: { ...facts, referenceWeight: async () => ({ ...ref, values: half, dtype: 'F32' }) }, out: join(scratchDir('hf'), 'out') }, /differs from the ONNX model's weight/);
  });

  it('a checkpoint missing a site\'s tensor', async () => {
    const d = copyCheckpoint(GPT2_CKPT);
    const st = decodeSafetensors(readFileSync(join(d, 'model.safetensors')));
    const tensors = [...st.tensors].filter(([n]) => n !== 'h.1.mlp.c_fc.weight').map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
    writeFileSync(join(d, 'model.safetensors'), encodeSafetensors(tensors));
    await refused({ checkpoint: d, out: join(scratchDir('hf'), 'out') }, /no tensor transformer\.h\.1\.mlp\.c_fc\.weight for site/);
  });

  it('a shard the index names that is missing', async () => {
    const d = copyCheckpoint(LLAMA_CKPT);
    const shard = readdirSync(d).find((f) => f.endsWith('00002.safetensors'))!;
    writeFileSync(join(d, shard), Buffer.alloc(4));
    await refused({ intervention: llamaAffine, model: onnxModelFacts(llama), modelDir: llama.files.dir, checkpoint: d, out: join(scratchDir('hf'), 'out') }, /shorter than its 8-byte header/);
  });

  it('--out equal to, inside, or holding the checkpoint; --out inside the model folder', async () => {
    const d = copyCheckpoint(GPT2_CKPT);
    await refused({ checkpoint: d, out: d }, /is the --checkpoint folder/);
    await refused({ checkpoint: d, out: join(d, 'folded') }, /is inside the --checkpoint folder/);
    await refused({ checkpoint: d, out: dirname(d) }, /holds the --checkpoint folder/);
    const m = join(scratchDir('hf-model'), 'm');
    cpSync(gpt2.files.dir, m, { recursive: true });
    await refused({ modelDir: m, out: join(m, 'hf') }, /is inside the --model folder/);
    const earlier = join(scratchDir('hf'), 'earlier');
    mkdirSync(earlier);
    writeFileSync(join(earlier, 'config.json'), '{}');
    writeFileSync(join(earlier, 'model.safetensors'), '');
    writeFileSync(join(earlier, 'iv.json'), '{}');
    await refused({ interventionPath: join(earlier, 'iv.json'), out: earlier }, /holds the intervention file/);
  });

  it('an affine map on a family whose MLP cannot have a bias (Qwen2), naming the site', async () => {
    const d = copyCheckpoint(LLAMA_CKPT, (c) => void (c.model_type = 'qwen2'));
    const facts = { ...onnxModelFacts(llama), modelType: 'qwen2' };
    await refused({ intervention: llamaAffine, model: facts, modelDir: llama.files.dir, checkpoint: d, out: join(scratchDir('hf'), 'out') }, /model\.layers\.0\.mlp\.gate_proj has no bias .* qwen2 MLP cannot have one/);
  });

  it('an existing --out that is neither empty nor a checkpoint folder (it would be replaced)', async () => {
    const out = join(scratchDir('hf'), 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await refused({ out }, /exists and is not an empty folder or a checkpoint folder/);
    assert.deepEqual(readdirSync(out), ['notes.txt']);
  });

  it('a cancel: the existing --out (an earlier export) stays as it was and no temporary folder is left', async () => {
    const parent = scratchDir('hf');
    const out = join(parent, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'config.json'), '{}');
    writeFileSync(join(out, 'model.safetensors'), 'old');
    const ac = new AbortController();
    const err = await exportHfCheckpoint({
      intervention: aura, model: onnxModelFacts(gpt2), checkpoint: GPT2_CKPT, out, signal: ac.signal, onProgress: () => ac.abort(),
    }).then(() => undefined, (e: Error) => e);
    assert.ok(err);
    assert.deepEqual(readdirSync(parent), ['out']);
    assert.deepEqual(readdirSync(out).sort(), ['config.json', 'model.safetensors']);
    assert.equal(readFileSync(join(out, 'model.safetensors'), 'utf8'), 'old');
  });
});
