// Quantized models as people run them on laptops: weight-only QDQ int8 (DequantizeLinear per output
// channel feeding a Gemm) and int4 MatMulNBits (followed by a float bias Add) on gpt2-tiny's weights, and
// llama-tiny-q4 (MatMulNBits with zero points). Sites, activations, logits, gains and generation are
// checked against PyTorch on the dequantized weights by engine-golden.test.ts (the golden files of these
// folders); here: the folded export puts the gains into the quantization scales and float biases (no
// integer weight is touched) and equals the PyTorch reference; a profile's AUROCs equal the ones a hand
// computation gives from the PyTorch pooled activations; export --format hf refuses the quantized model.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportFoldedOnnx } from '../../src/aura/export/onnx-export';
import { exportHfCheckpoint } from '../../src/aura/export/hf/index';
import { onnxModelFacts } from '../../src/aura/export/hf/onnx-facts';
import { aurocPath } from '../../src/aura/profile/store';
import { profileCommand } from '../../src/cli/profile';
import { LanguageModel } from '../../src/engine/model';
import { decodeModel, encodeModel, makeTensor } from '../../src/engine/onnx/proto';
import { FIXTURES, MODELS, golden, maxAbsDiff, toGains } from '../helpers/fixtures';
import { runJsonInProcess } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import type { InterventionFile } from '../../src/aura/intervention-file';

/**
 * ONNX Runtime runs a QDQ int8 matmul with int8 activations (fused into MatMulNBits, accuracy level 4),
 * about 1-2% off the dequantized PyTorch model: measured 0.014 on pooled values and 0.047 on logits of
 * |l| < 2.5 for gpt2-tiny-int8-qdq. MatMulNBits files keep float activations: float32 rounding only.
 */
const INT8_ACT = { pooled: 0.05, logits: 0.1 };
const CASES = [
  { name: 'gpt2-tiny-int8-qdq', file: 'onnx/model_int8.onnx', integer: 'DequantizeLinear', tol: INT8_ACT.logits },
  { name: 'gpt2-tiny-q4', file: 'onnx/model_q4.onnx', integer: 'MatMulNBits', tol: 1e-4 },
  { name: 'llama-tiny-q4', file: 'onnx/model_q4.onnx', integer: 'MatMulNBits', tol: 1e-4 },
  // The c_fc bias fused into FastGelu(x, bias): the gain goes into the scales, g*b + c into the fused bias.
  { name: 'gpt2-tiny-fused-q4', file: 'model.onnx', integer: 'MatMulNBits', tol: 1e-4 },
];

/** Initializers stored as integers (the quantized weights and zero points), by name. */
function integerInitializers(path: string): Map<string, string> {
  const m = decodeModel(readFileSync(path));
  const ints = m.graph!.initializer.filter((t) => t.dataType !== 1 && t.dataType !== 10 && t.dataType !== 7);
  return new Map(ints.map((t) => [t.name, Buffer.from(t.rawData).toString('hex')]));
}

for (const c of CASES) {
  describe(`quantized fixture ${c.name}: folded ONNX export`, () => {
    const g = golden(c.name);
    let model: LanguageModel;
    before(async () => {
      model = await LanguageModel.open(join(MODELS, c.name), { threads: 1 });
    });
    after(async () => model?.dispose());

    it('folds gains and a bias into the scales and float biases, equal to PyTorch, integers unchanged', async () => {
      const copy = join(scratchDir('quantized-fold'), c.name);
      cpSync(model.files.dir, copy, { recursive: true });
      const r = await exportFoldedOnnx(model, toGains(g, true), join(copy, c.file));
      assert.deepEqual(r.asNodes, [], 'no site needs constant Mul/Add nodes');
      assert.deepEqual([...r.intoWeights].sort(), g.sites.map((s) => s.id).sort());
      const folded = decodeModel(readFileSync(join(copy, c.file)));
      assert.ok(!folded.graph!.node.some((n) => n.name.startsWith('aura/fold/gain')), 'no gain node');
      assert.ok(folded.graph!.node.some((n) => n.opType === c.integer), `still ${c.integer}`);
      // Every integer tensor of the folded file is one of the source's, byte for byte (a per-tensor
      // zero point widened per channel would be new; these fixtures have none).
      const src = integerInitializers(join(MODELS, c.name, c.file));
      for (const [name, hex] of integerInitializers(join(copy, c.file))) assert.equal(hex, src.get(name), `${name} changed`);
      const baked = await LanguageModel.open(copy, { threads: 1 });
      try {
        const args = { ids: g.batch.input_ids, mask: g.batch.attention_mask, asExported: true, logits: 'last' as const };
        const got = (await baked.logits(args)).logits!;
        // PyTorch on the dequantized weights with the hooks' gain and bias.
        assert.ok(maxAbsDiff(got, g.logits_last_gain_bias.flat()) <= c.tol, `folded logits differ by ${maxAbsDiff(got, g.logits_last_gain_bias.flat())}`);
        const plain = (await model.logits({ ...args })).logits!;
        assert.ok(maxAbsDiff(got, plain) > 5 * c.tol, `the fold changes the logits by ${maxAbsDiff(got, plain)}, well past the tolerance`);
      } finally {
        await baked.dispose();
      }
    });
  });
}

describe('a quantized linear whose scale cannot take the gain, with its bias fused into the next op', () => {
  it('is refused by the folded export in one line naming the node and the fused op, writing nothing', async () => {
    // gpt2-tiny-fused after ORT's dynamic int8 quantizer (test/fixtures/quantized, fixturegen/quantized_gpt2.py).
    const model = await LanguageModel.open(join(FIXTURES, 'quantized', 'gpt2-tiny-fused-int8'), { threads: 1 });
    try {
      const g = golden('gpt2-tiny');
      const out = join(scratchDir('quantized-refusal'), 'model.onnx');
      const err = await exportFoldedOnnx(model, toGains(g, false), out).then(
        () => undefined,
        (e: Error) => e,
      );
      assert.ok(err, 'expected a refusal');
      assert.equal(
        err.message,
        "export --format onnx: transformer.h.0.mlp.c_fc (node 'FullyConnect_MatMul_1_quant', bias fused into FastGelu 'FastGelu_AddBias_0') is a MatMulInteger whose weight or scale cannot take the gain, with a fused bias; not supported, export json or safetensors instead",
      );
      assert.ok(!existsSync(out), 'nothing written');
    } finally {
      await model.dispose();
    }
  });
});

describe('MatMulNBits with its bias as input 5 (as onnxruntime-genai writes a biased projection)', () => {
  it('matches PyTorch, and the folded export puts g*b + c into that input', async () => {
    // gpt2-tiny-q4 with each bias Add after a MatMulNBits moved into the node's bias input: the same math.
    const dir = join(scratchDir('quantized-nbits-bias'), 'gpt2-q4-bias-input');
    cpSync(join(MODELS, 'gpt2-tiny-q4'), dir, { recursive: true });
    const file = join(dir, 'onnx', 'model_q4.onnx');
    const m = decodeModel(readFileSync(file));
    const nodes = m.graph!.node;
    for (const n of nodes.filter((x) => x.opType === 'MatMulNBits')) {
      const add = nodes.find((x) => x.opType === 'Add' && x.input[0] === n.output[0])!;
      n.input.push('', '', add.input[1]!);
      n.output[0] = add.output[0]!;
      nodes.splice(nodes.indexOf(add), 1);
    }
    writeFileSync(file, encodeModel(m));
    const g = golden('gpt2-tiny-q4');
    const model = await LanguageModel.open(dir, { threads: 1 });
    const copy = join(scratchDir('quantized-nbits-bias-out'), 'folded');
    cpSync(dir, copy, { recursive: true });
    try {
      assert.deepEqual(model.sites.map((s) => s.id), g.sites.map((s) => s.id));
      const args = { ids: g.batch.input_ids, mask: g.batch.attention_mask, logits: 'last' as const };
      const plain = (await model.logits({ ...args, asExported: true })).logits!;
      assert.ok(maxAbsDiff(plain, g.logits_last.flat()) <= 1e-4, `logits differ from PyTorch by ${maxAbsDiff(plain, g.logits_last.flat())}`);
      const r = await exportFoldedOnnx(model, toGains(g, true), join(copy, 'onnx', 'model_q4.onnx'));
      assert.deepEqual(r.asNodes, []);
      const folded = decodeModel(readFileSync(join(copy, 'onnx', 'model_q4.onnx')));
      assert.ok(!folded.graph!.node.some((n) => n.opType === 'Add' && n.name.startsWith('aura/')), 'no Add node added');
      const baked = await LanguageModel.open(copy, { threads: 1 });
      try {
        const got = (await baked.logits({ ...args, asExported: true })).logits!;
        assert.ok(maxAbsDiff(got, g.logits_last_gain_bias.flat()) <= 1e-4, `folded logits differ by ${maxAbsDiff(got, g.logits_last_gain_bias.flat())}`);
      } finally {
        await baked.dispose();
      }
    } finally {
      await model.dispose();
    }
  });
});

describe('a QDQ model with one scale and zero point per weight tensor', () => {
  it('folds by widening them to one per output channel, equal to the live intervention', async () => {
    // gpt2-tiny-int8-qdq with each per-channel scale replaced by its largest value and zero point 3:
    // other weights, but a valid per-tensor QDQ model.
    const dir = join(scratchDir('quantized-pertensor'), 'gpt2-qdq-pertensor');
    cpSync(join(MODELS, 'gpt2-tiny-int8-qdq'), dir, { recursive: true });
    const file = join(dir, 'onnx', 'model_int8.onnx');
    const m = decodeModel(readFileSync(file));
    const inits = m.graph!.initializer;
    for (const n of m.graph!.node.filter((x) => x.opType === 'DequantizeLinear')) {
      const at = (name: string) => inits.findIndex((t) => t.name === name);
      const s = inits[at(n.input[1]!)]!;
      const max = Math.max(...new Float32Array(new Uint8Array(s.rawData).buffer));
      inits[at(n.input[1]!)] = makeTensor(s.name, 1, [], new Uint8Array(Float32Array.of(max).buffer));
      inits[at(n.input[2]!)] = makeTensor(n.input[2]!, 3, [], Uint8Array.of(3));
    }
    writeFileSync(file, encodeModel(m));
    const model = await LanguageModel.open(dir, { threads: 1 });
    const copy = join(scratchDir('quantized-pertensor-out'), 'folded');
    cpSync(dir, copy, { recursive: true });
    try {
      const g = golden('gpt2-tiny-int8-qdq');
      const iv = toGains(g, true);
      const r = await exportFoldedOnnx(model, iv, join(copy, 'onnx', 'model_int8.onnx'));
      assert.deepEqual(r.asNodes, []);
      const folded = decodeModel(readFileSync(join(copy, 'onnx', 'model_int8.onnx')));
      const zp = folded.graph!.initializer.find((t) => t.name.startsWith('transformer.h.0.mlp.c_fc.weight_zero_point.aura_folded'))!;
      assert.deepEqual([...zp.rawData], new Array(64).fill(3));
      const baked = await LanguageModel.open(copy, { threads: 1 });
      try {
        const args = { ids: g.batch.input_ids, mask: g.batch.attention_mask, logits: 'all' as const };
        const live = (await model.logits({ ...args, intervention: iv })).logits!;
        const got = (await baked.logits({ ...args, asExported: true })).logits!;
        // Both run with int8 activations, quantized from inputs that differ by float32 rounding: a value
        // on a rounding edge moves by one step. Allowed: 3% of the largest logit (measured 0.077 of 4.19).
        const scale = live.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const tol = 0.03 * scale;
        assert.ok(maxAbsDiff(live, got) <= tol, `folded differs from live by ${maxAbsDiff(live, got)} (largest logit ${scale})`);
        const plain = (await model.logits({ ...args })).logits!;
        assert.ok(maxAbsDiff(live, plain) > 5 * tol, `the gains change the logits by ${maxAbsDiff(live, plain)}, well past the tolerance`);
      } finally {
        await baked.dispose();
      }
    } finally {
      await model.dispose();
    }
  });
});

describe('quantized fixtures: profile and export --format hf', () => {
  it('profile (CLI) gives the AUROCs a hand computation gives from the PyTorch pooled activations', async () => {
    for (const name of ['gpt2-tiny-int8-qdq', 'gpt2-tiny-q4', 'gpt2-tiny-fused-q4']) {
      const g = golden(name);
      const dir = scratchDir(`quantized-profile-${name}`);
      const texts = ['The cat sat', 'The old man went home', 'When the sun rose over the hills'];
      const labels = [1, 0, 1];
      const data = join(dir, 'data.jsonl');
      writeFileSync(data, texts.map((text, i) => JSON.stringify({ text, label: labels[i] })).join('\n') + '\n');
      const out = join(dir, 'profile');
      await runJsonInProcess(profileCommand, [join(MODELS, name), '--data', data, '--out', out, '--bootstrap', '0', '--permutations', '0', '--threads', '1']);
      for (const s of g.sites) {
        const got = new Float64Array(new Uint8Array(readFileSync(aurocPath(out, s.id, 'max'))).buffer);
        const pooled = g.pooled[s.id]!.max as number[][];
        // With int8 activations (QDQ) a pair closer than the activation error has no certain order.
        const margin = name.includes('qdq') ? INT8_ACT.pooled : 0;
        assert.equal(got.length, s.neurons);
        let checked = 0;
        for (let n = 0; n < s.neurons; n++) {
          if ([0, 2].some((p) => Math.abs(pooled[p]![n]! - pooled[1]![n]!) <= margin)) continue;
          // Mann-Whitney: the share of (positive, negative) pairs the positive wins, ties half.
          let wins = 0;
          for (const p of [0, 2]) wins += pooled[p]![n]! > pooled[1]![n]! ? 1 : pooled[p]![n]! === pooled[1]![n]! ? 0.5 : 0;
          assert.equal(got[n], wins / 2, `${name} ${s.id} neuron ${n}`);
          checked++;
        }
        assert.ok(checked >= s.neurons / 4, `${name} ${s.id}: only ${checked} neurons checked`);
      }
    }
  });

  it('export --format hf refuses a quantized ONNX model in one line naming the node', async () => {
    const cases = [
      { name: 'gpt2-tiny-q4', says: "the quantized MatMulNBits node '/transformer/h.0/mlp/c_fc/MatMul_Q4'" },
      { name: 'gpt2-tiny-int8-qdq', says: "the quantized DequantizeLinear node 'transformer.h.0.mlp.c_fc.weight_DequantizeLinear'" },
    ];
    for (const c of cases) {
      const model = await LanguageModel.open(join(MODELS, c.name), { threads: 1 });
      try {
        const g = golden(c.name);
        const sites: InterventionFile['sites'] = {};
        for (const s of g.sites) sites[s.id] = { neurons: s.neurons, gain: Float32Array.from(g.intervention.gain[s.id]!) };
        const iv: InterventionFile = {
          format: 'aura-lens.intervention',
          version: 1,
          model: { name: c.name, fingerprint: model.fingerprint },
          method: 'aura',
          params: { strength: 1, pooling: 'max', k: null, alpha: null },
          data: { positives: 2, negatives: 1, source: 'test' },
          sites,
        };
        const out = join(scratchDir('quantized-hf'), 'out');
        const checkpoint = join(FIXTURES, 'hf', 'gpt2-bf16', 'checkpoint');
        const err = await exportHfCheckpoint({ intervention: iv, model: onnxModelFacts(model), checkpoint, out }).then(
          () => undefined,
          (e: Error) => e,
        );
        assert.ok(err, 'expected a refusal');
        assert.ok(err.message.startsWith(`export --format hf: transformer.h.0.mlp.c_fc is computed by ${c.says}`), err.message);
        assert.ok(!err.message.includes('\n'));
        assert.ok(!existsSync(out), 'nothing written');
      } finally {
        await model.dispose();
      }
    }
  });
});
