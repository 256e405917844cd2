// export --format peft-ia3. The adapter's layout is checked against what PEFT's source expects (key names,
// shapes, config fields: see src/aura/export/peft-ia3.ts); its effect against PyTorch: the fixtures in
// test/fixtures/peft were made by applying the adapter this exporter wrote with PEFT's IA3 forward
// (test/fixtures/fixturegen/peft_ia3.py) and exporting the adapted model to ONNX. Here the export is re-run
// (same bytes) and the adapted model's logits are compared with aura-lens's live intervention.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportPeftIa3 } from '../../src/aura/export/peft-ia3';
import type { SourceModel } from '../../src/aura/export/peft-ia3';
import { buildProvenance, PROVENANCE_KEY } from '../../src/aura/export/provenance';
import { AuraUserError } from '../../src/aura/errors';
import { effectiveGains, parseIntervention, readInterventionFile } from '../../src/aura/intervention-file';
import type { InterventionFile } from '../../src/aura/intervention-file';
import { decodeSafetensors, encodeSafetensors } from '../../src/aura/safetensors';
import { LanguageModel } from '../../src/engine/model';
import { ort } from '../../src/engine/ort-session';
import { runCli } from '../helpers/cli';
import { FIXTURES, maxAbsDiff } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const userError = (re: RegExp) => (e: Error) => e instanceof AuraUserError && re.test(e.message) && !e.message.includes('\n');
const REPO = join(FIXTURES, '..', '..');

/** A GPT-2-shaped checkpoint folder: config.json and a model.safetensors of Conv1D [in, out] weights. */
function gpt2Checkpoint(dir: string, o: { layers?: number; inner?: number; prefix?: string } = {}): string {
  mkdirSync(dir, { recursive: true });
  const layers = o.layers ?? 2;
  const inner = o.inner ?? 8;
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_layer: layers, n_embd: 4, n_inner: inner, vocab_size: 10 }));
  const t = [];
  for (let i = 0; i < layers; i++) {
    t.push({ name: `${o.prefix ?? ''}h.${i}.mlp.c_fc.weight`, shape: [4, inner], data: new Float32Array(4 * inner) });
    t.push({ name: `${o.prefix ?? ''}h.${i}.mlp.c_proj.weight`, shape: [inner, 4], data: new Float32Array(4 * inner) });
  }
  writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(t));
  return dir;
}

function gpt2Source(dir: string): SourceModel {
  return {
    facts: { modelType: 'gpt2', layers: 2, hidden: 4, vocabSize: 10 },
    sites: [0, 1].flatMap((i) => [
      { id: `transformer.h.${i}.mlp.c_fc`, kind: 'mlp.in', neurons: 8 },
      { id: `transformer.h.${i}.mlp.c_proj`, kind: 'mlp.out', neurons: 4 },
    ]),
    files: { dir },
  };
}

function iv(sites: Record<string, { neurons: number; gain: number[]; bias?: number[]; lo?: number[]; hi?: number[] }>, strength = 1): InterventionFile {
  return parseIntervention({ format: 'aura-lens.intervention', version: 2, method: 'aura', params: { strength }, sites });
}

const prov = (f: InterventionFile) => buildProvenance(f, { fileBytes: 'test', version: '0.0.0' });

describe('export --format peft-ia3: the adapter PEFT loads', () => {
  it('writes adapter_config.json, adapter_model.safetensors and README.md as PEFT names and shapes them', async () => {
    const root = scratchDir('ia3');
    const ck = gpt2Checkpoint(join(root, 'ck'));
    const f = iv({ 'transformer.h.0.mlp.c_fc': { neurons: 8, gain: [1, 0.5, 0, 1, 1, 0.25, 1, 1] }, 'transformer.h.1.mlp.c_proj': { neurons: 4, gain: [0.5, 1, 1, 1] } }, 0.5);
    const out = join(root, 'adapter');
    const r = await exportPeftIa3(gpt2Source(join(root, 'onnx')), f, { checkpoint: ck, out, provenance: prov(f), baseModel: 'openai-community/gpt2' });
    assert.deepEqual(readdirSync(out).sort(), ['README.md', 'adapter_config.json', 'adapter_model.safetensors']);
    const cfg = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    assert.equal(cfg.peft_type, 'IA3');
    assert.equal(cfg.task_type, 'CAUSAL_LM');
    assert.equal(cfg.base_model_name_or_path, 'openai-community/gpt2');
    assert.deepEqual(cfg.target_modules, ['transformer.h.0.mlp.c_fc', 'transformer.h.1.mlp.c_proj']);
    assert.deepEqual(cfg.feedforward_modules, []);
    assert.equal(cfg.fan_in_fan_out, true);
    assert.deepEqual(Object.keys(cfg), [...Object.keys(cfg)].sort(), 'sorted keys, as save_pretrained writes them');
    const st = decodeSafetensors(readFileSync(join(out, 'adapter_model.safetensors')));
    assert.deepEqual([...st.tensors.keys()], ['base_model.model.transformer.h.0.mlp.c_fc.ia3_l', 'base_model.model.transformer.h.1.mlp.c_proj.ia3_l']);
    const a = st.tensors.get('base_model.model.transformer.h.0.mlp.c_fc.ia3_l')!;
    assert.deepEqual(a.shape, [8, 1]);
    // At strength 0.5 by hand: 1 - 0.5 * (1 - g).
    assert.deepEqual(Array.from(a.data), [1, 0.75, 0.5, 1, 1, 0.625, 1, 1]);
    assert.deepEqual(Array.from(st.tensors.get('base_model.model.transformer.h.1.mlp.c_proj.ia3_l')!.data), [0.75, 1, 1, 1]);
    assert.equal(st.metadata.format, 'pt');
    assert.equal(JSON.parse(st.metadata[PROVENANCE_KEY]!).intervention.sha256, prov(f).intervention.sha256);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /PEFT IA3 adapter for `openai-community\/gpt2`/);
    assert.equal(r.fanInFanOut, true);
    // Exporting again over the adapter replaces it and leaves no temporary folder behind.
    await exportPeftIa3(gpt2Source(join(root, 'onnx')), f, { checkpoint: ck, out, provenance: prov(f), strength: 1 });
    assert.deepEqual(Array.from(decodeSafetensors(readFileSync(join(out, 'adapter_model.safetensors'))).tensors.get('base_model.model.transformer.h.0.mlp.c_fc.ia3_l')!.data), [1, 0.5, 0, 1, 1, 0.25, 1, 1]);
    assert.deepEqual(readdirSync(root).sort(), ['adapter', 'ck']);
  });

  it('reads a GPT-2 checkpoint saved with or without the transformer. prefix; nn.Linear families get fan_in_fan_out false', async () => {
    const root = scratchDir('ia3');
    const ck = gpt2Checkpoint(join(root, 'ck'), { prefix: 'transformer.' });
    const f = iv({ 'transformer.h.0.mlp.c_fc': { neurons: 8, gain: [1, 1, 1, 1, 1, 1, 1, 0] } });
    await exportPeftIa3(gpt2Source(root), f, { checkpoint: ck, out: join(root, 'a'), provenance: prov(f) });
    const lck = join(root, 'llama');
    mkdirSync(lck);
    writeFileSync(join(lck, 'config.json'), JSON.stringify({ model_type: 'llama', num_hidden_layers: 1, hidden_size: 4, intermediate_size: 6, vocab_size: 10 }));
    writeFileSync(join(lck, 'model.safetensors'), encodeSafetensors([{ name: 'model.layers.0.mlp.down_proj.weight', shape: [4, 6], data: new Float32Array(24) }]));
    const llama: SourceModel = {
      facts: { modelType: 'llama', layers: 1, hidden: 4, vocabSize: 10 },
      sites: [{ id: 'model.layers.0.mlp.up_proj', kind: 'mlp.up', neurons: 6 }, { id: 'model.layers.0.mlp.down_proj', kind: 'mlp.out', neurons: 4 }],
      files: { dir: root },
    };
    const lf = iv({ 'model.layers.0.mlp.down_proj': { neurons: 4, gain: [0.5, 1, 1, 1] } });
    const r = await exportPeftIa3(llama, lf, { checkpoint: lck, out: join(root, 'b'), provenance: prov(lf) });
    assert.equal(r.fanInFanOut, false);
    assert.equal(JSON.parse(readFileSync(join(root, 'b', 'adapter_config.json'), 'utf8')).fan_in_fan_out, false);
  });

  it('reads the tensor shapes of a sharded checkpoint from the shards its index names', async () => {
    const root = scratchDir('ia3');
    const ck = join(root, 'ck');
    mkdirSync(ck);
    writeFileSync(join(ck, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_layer: 2, n_embd: 4, n_inner: 8, vocab_size: 10 }));
    writeFileSync(join(ck, 'model-00001-of-00002.safetensors'), encodeSafetensors([{ name: 'h.0.mlp.c_fc.weight', shape: [4, 8], data: new Float32Array(32) }]));
    writeFileSync(join(ck, 'model-00002-of-00002.safetensors'), encodeSafetensors([{ name: 'h.1.mlp.c_proj.weight', shape: [8, 4], data: new Float32Array(32) }]));
    writeFileSync(join(ck, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: { 'h.0.mlp.c_fc.weight': 'model-00001-of-00002.safetensors', 'h.1.mlp.c_proj.weight': 'model-00002-of-00002.safetensors' } }));
    const f = iv({ 'transformer.h.0.mlp.c_fc': { neurons: 8, gain: Array(8).fill(0.5) }, 'transformer.h.1.mlp.c_proj': { neurons: 4, gain: [0, 1, 1, 1] } });
    const r = await exportPeftIa3(gpt2Source(root), f, { checkpoint: ck, out: join(root, 'a'), provenance: prov(f) });
    assert.deepEqual(r.targetModules, ['transformer.h.0.mlp.c_fc', 'transformer.h.1.mlp.c_proj']);
    writeFileSync(join(ck, 'model.safetensors.index.json'), '{"weight_map": ');
    await assert.rejects(exportPeftIa3(gpt2Source(root), f, { checkpoint: ck, out: join(root, 'b'), provenance: prov(f) }), userError(/model\.safetensors\.index\.json: not valid JSON/));
  });

  it('refuses what IA3 cannot carry, with the reason', async () => {
    const root = scratchDir('ia3');
    const ck = gpt2Checkpoint(join(root, 'ck'));
    const src = gpt2Source(join(root, 'onnx'));
    const run = (f: InterventionFile) => exportPeftIa3(src, f, { checkpoint: ck, out: join(root, 'out'), provenance: prov(f) });
    const ones = Array(8).fill(1);
    await assert.rejects(run(iv({ 'transformer.h.0.mlp.c_fc': { neurons: 8, gain: ones, bias: Array(8).fill(0.1) } })), userError(/adds a bias .*affine map.*IA3 can only scale/));
    await assert.rejects(run(iv({ 'transformer.h.0.mlp.c_fc': { neurons: 8, gain: ones, lo: Array(8).fill(-1), hi: Array(8).fill(1) } })), userError(/acts only inside a range/));
    const custom: SourceModel = { ...src, sites: [...src.sites, { id: '/h.0/mlp/act/Mul', kind: 'custom', neurons: 8 }] };
    await assert.rejects(exportPeftIa3(custom, iv({ '/h.0/mlp/act/Mul': { neurons: 8, gain: ones } }), { checkpoint: ck, out: join(root, 'out'), provenance: prov(iv({ a: { neurons: 1, gain: [1] } })) }), userError(/is a custom tensor, not the output of an MLP projection/));
    assert.equal(existsSync(join(root, 'out')), false);
  });

  it('checks the checkpoint is the ONNX model and names the field that differs', async () => {
    const root = scratchDir('ia3');
    const src = gpt2Source(join(root, 'onnx'));
    const f = iv({ 'transformer.h.0.mlp.c_fc': { neurons: 8, gain: Array(8).fill(0.5) } });
    const run = (ck: string) => exportPeftIa3(src, f, { checkpoint: ck, out: join(root, 'out'), provenance: prov(f) });
    await assert.rejects(run(gpt2Checkpoint(join(root, 'l3'), { layers: 3 })), userError(/l3: layer count is 3 in config\.json but 2 in the ONNX model/));
    const wrongInner = gpt2Checkpoint(join(root, 'inner'), { inner: 6 });
    await assert.rejects(run(wrongInner), userError(/inner: MLP size is 6 in config\.json but 8 in the ONNX model/));
    const noTensor = gpt2Checkpoint(join(root, 'nt'));
    writeFileSync(join(noTensor, 'model.safetensors'), encodeSafetensors([{ name: 'h.0.mlp.c_proj.weight', shape: [8, 4], data: new Float32Array(32) }]));
    await assert.rejects(run(noTensor), userError(/has no tensor transformer\.h\.0\.mlp\.c_fc\.weight/));
    const wrongShape = gpt2Checkpoint(join(root, 'ws'));
    // [out, in] where GPT-2's Conv1D keeps [in, out]: 4 output features, not 8.
    writeFileSync(join(wrongShape, 'model.safetensors'), encodeSafetensors([{ name: 'h.0.mlp.c_fc.weight', shape: [8, 4], data: new Float32Array(32) }]));
    await assert.rejects(run(wrongShape), userError(/h\.0\.mlp\.c_fc\.weight has 4 output features \(shape \[8,4\], Conv1D \[in, out\]\) but the site has 8 neurons/));
    await assert.rejects(run(join(root, 'missing')), userError(/--checkpoint .*missing: not a folder/));
    const noWeights = join(root, 'nw');
    mkdirSync(noWeights);
    writeFileSync(join(noWeights, 'config.json'), '{}');
    await assert.rejects(run(noWeights), userError(/has neither model\.safetensors nor model\.safetensors\.index\.json/));
  });

  it('refuses an --out that is the checkpoint, the model folder or a folder above them, or holds other files', async () => {
    const root = scratchDir('ia3');
    const ck = gpt2Checkpoint(join(root, 'ck'));
    const modelDir = join(root, 'models', 'onnx');
    mkdirSync(modelDir, { recursive: true });
    const f = iv({ 'transformer.h.0.mlp.c_fc': { neurons: 8, gain: Array(8).fill(0.5) } });
    const run = (out: string) => exportPeftIa3(gpt2Source(modelDir), f, { checkpoint: ck, out, provenance: prov(f) });
    await assert.rejects(run(ck), userError(/--out .*ck: is the --checkpoint folder/));
    await assert.rejects(run(modelDir), userError(/is the --model folder/));
    await assert.rejects(run(join(root, 'models')), userError(/is a folder above the --model folder/));
    writeFileSync(join(root, 'notes.txt'), 'x');
    await assert.rejects(run(join(root, 'notes.txt')), userError(/notes\.txt: is a file; expected a folder/));
    mkdirSync(join(root, 'busy'));
    writeFileSync(join(root, 'busy', 'keep.txt'), 'mine');
    await assert.rejects(run(join(root, 'busy')), userError(/busy: is a folder that holds other files/));
    assert.equal(readFileSync(join(root, 'busy', 'keep.txt'), 'utf8'), 'mine');
  });
});

interface Expected {
  onnxModel: string;
  checkpoint: string;
  baseModel: string;
  intervention: string;
  adapterConfigSha256: string;
  adapterTensorDataSha256: string;
  adapterTensors: Record<string, number[]>;
  fanInFanOut: boolean;
  ids: number[][];
  /** PyTorch's logits of the adapted model, last position of row 0, first 8 (rounded to 1e-6). */
  torchLogitsFirstRow: number[];
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('export --format peft-ia3 against PEFT applied in PyTorch (test/fixtures/peft)', () => {
  for (const name of ['gpt2', 'llama']) {
    it(`${name}: the same adapter bytes, and the adapted model's logits equal the live intervention within 1e-4`, async () => {
      const dir = join(FIXTURES, 'peft', name);
      const e = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
      const model = await LanguageModel.open(join(REPO, e.onnxModel), { threads: 1 });
      try {
        const f = await readInterventionFile(join(REPO, e.intervention));
        const out = join(scratchDir('ia3'), 'adapter');
        await exportPeftIa3(model, f, { checkpoint: join(REPO, e.checkpoint), out, baseModel: e.baseModel, provenance: buildProvenance(f, { fingerprint: model.fingerprint }) });
        assert.equal(sha256(readFileSync(join(out, 'adapter_config.json'))), e.adapterConfigSha256, 'adapter_config.json differs from the one PEFT was applied with');
        const bytes = readFileSync(join(out, 'adapter_model.safetensors'));
        const headerLen = Number(bytes.readBigUInt64LE(0));
        assert.equal(sha256(bytes.subarray(8 + headerLen)), e.adapterTensorDataSha256, 'tensor data differs from the adapter PEFT was applied with');
        const st = decodeSafetensors(bytes);
        assert.deepEqual(Object.fromEntries([...st.tensors].map(([k, t]) => [k, t.shape]).sort()), e.adapterTensors);

        const session = await ort.InferenceSession.create(join(dir, 'adapted', 'model.onnx'), { logSeverityLevel: 4 });
        try {
          const rows = e.ids.length;
          const len = e.ids[0]!.length;
          const i64 = (a: number[]) => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), [rows, len]);
          const feeds = {
            input_ids: i64(e.ids.flat()),
            attention_mask: i64(Array(rows * len).fill(1)),
            position_ids: i64(e.ids.flatMap((r) => r.map((_, j) => j))),
          };
          const adapted = (await session.run(feeds, ['logits'])).logits!.data as Float32Array;
          const mask = e.ids.map((r) => r.map(() => 1));
          const live = await model.logits({ ids: e.ids, mask, intervention: effectiveGains(f), logits: 'all' });
          const plain = await model.logits({ ids: e.ids, mask, asExported: true, logits: 'all' });
          assert.equal(adapted.length, live.logits!.length);
          // The ONNX file is the PyTorch model PEFT adapted: its logits against the ones torch computed.
          const vocab = adapted.length / (rows * len);
          assert.ok(maxAbsDiff(adapted.subarray((len - 1) * vocab, (len - 1) * vocab + 8), e.torchLogitsFirstRow) <= 1e-5, 'the adapted ONNX model is not the torch model');
          const d = maxAbsDiff(live.logits!, adapted);
          assert.ok(d <= 1e-4, `PEFT-adapted logits differ from the live intervention by ${d}`);
          assert.ok(maxAbsDiff(plain.logits!, adapted) > 1e-3, 'the adapter changes the logits');
          console.log(`# ${name}: max |adapted - live| = ${d.toExponential(2)}, change from the plain model ${maxAbsDiff(plain.logits!, adapted).toExponential(2)}`);
        } finally {
          await session.release();
        }
      } finally {
        await model.dispose();
      }
    });
  }
});

describe('aura-lens export --format peft-ia3 (the built CLI)', () => {
  const dir = join(FIXTURES, 'peft', 'gpt2');
  const e = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const base = ['export', join(REPO, e.intervention), '--model', join(REPO, e.onnxModel), '--format', 'peft-ia3'];

  it('writes the adapter with its provenance and model card; exit 1 with one line on bad arguments', () => {
    const root = scratchDir('ia3-cli');
    const evaluation = join(root, 'eval.json');
    writeFileSync(evaluation, JSON.stringify({ toxicity: { score: 0.25, prob: 0.1 }, baseline: { toxicity: { score: 0.5, prob: 0.3 } } }));
    const out = join(root, 'adapter');
    const r = runCli([...base, '--checkpoint', join(REPO, e.checkpoint), '--base-model', e.baseModel, '--evaluation', evaluation, '--out', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.json, { out, format: 'peft-ia3', bytes: r.json!.bytes, targetModules: 4, fanInFanOut: true });
    assert.equal(sha256(readFileSync(join(out, 'adapter_config.json'))), e.adapterConfigSha256);
    const prov = JSON.parse(decodeSafetensors(readFileSync(join(out, 'adapter_model.safetensors'))).metadata[PROVENANCE_KEY]!);
    // The provenance hashes the intervention file as it is on disk.
    assert.equal(prov.intervention.sha256, sha256(readFileSync(join(REPO, e.intervention))));
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /\| with the intervention \| 25\.0% \| 0\.100 \|/);

    const fail = (args: string[], re: RegExp) => {
      const x = runCli(args);
      assert.equal(x.status, 1, x.stderr);
      assert.match(x.stderr.trim(), re);
      assert.equal(x.stderr.trim().split('\n').length, 1, x.stderr);
    };
    fail([...base, '--out', join(root, 'x')], /--checkpoint is required/);
    fail([...base, '--checkpoint', join(REPO, 'test/fixtures/peft/llama/checkpoint'), '--out', join(root, 'x')], /model_type is "llama" in config\.json but "gpt2" in the ONNX model/);
    fail([...base, '--checkpoint', join(REPO, e.checkpoint), '--out', join(REPO, e.checkpoint)], /is the --checkpoint folder/);
    fail(['export', join(REPO, e.intervention), '--model', join(REPO, e.onnxModel), '--format', 'json', '--evaluation', evaluation, '--out', join(root, 'x.json')], /--evaluation: only --format hf and peft-ia3 use it/);
  });
});
