// export --format hf on small hand-made checkpoints of each family, against values worked out by hand:
// which tensor a site maps to, which axis its neurons are, the bias b*g + c, biases the fold adds, and
// the float16/bfloat16 rounding (to nearest, ties to even, as PyTorch's .to(dtype)).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { floatToBf16, floatToHalf } from '../../src/aura/export/hf/dtype';
import { exportHfCheckpoint } from '../../src/aura/export/hf/index';
import { decodeSafetensors, encodeSafetensors } from '../../src/aura/safetensors';
import { scratchDir } from '../helpers/scratch';
import type { HfDtype, OnnxModelFacts } from '../../src/aura/export/hf/index';
import type { InterventionFile, InterventionSite } from '../../src/aura/intervention-file';

type Tensors = Record<string, [number[], number[]]>;

function checkpoint(config: Record<string, unknown>, tensors: Tensors): string {
  const d = join(scratchDir('hf-fam'), 'ckpt');
  mkdirSync(d);
  writeFileSync(join(d, 'config.json'), JSON.stringify({ num_hidden_layers: 1, vocab_size: 4, ...config }));
  writeFileSync(join(d, 'tokenizer.json'), '{"model":{}}');
  writeFileSync(join(d, 'model.safetensors'), encodeSafetensors(Object.entries(tensors).map(([name, [shape, v]]) => ({ name, shape, data: Float32Array.from(v) }))));
  return d;
}

function iv(sites: Record<string, { gain: number[]; bias?: number[] }>, method = 'aura'): InterventionFile {
  const s: Record<string, InterventionSite> = {};
  for (const [id, x] of Object.entries(sites)) s[id] = { neurons: x.gain.length, gain: Float32Array.from(x.gain), ...(x.bias ? { bias: Float32Array.from(x.bias) } : {}) };
  return { format: 'aura-lens.intervention', version: 1, model: { name: 't' }, method, params: { strength: 1, pooling: 'max', k: null, alpha: null }, data: { positives: 0, negatives: 0, source: '' }, sites: s };
}

function facts(modelType: string, sites: Record<string, number>): OnnxModelFacts {
  return { modelType, layers: 1, hidden: 2, vocabSize: 4, sites: Object.entries(sites).map(([id, neurons]) => ({ id, neurons })) };
}

async function fold(ckpt: string, f: OnnxModelFacts, file: InterventionFile, dtype: HfDtype = 'keep') {
  const out = join(scratchDir('hf-fam'), 'out');
  const r = await exportHfCheckpoint({ intervention: file, model: f, checkpoint: ckpt, out, dtype });
  const st = decodeSafetensors(readFileSync(join(out, 'model.safetensors')));
  const get = (n: string) => Array.from(st.tensors.get(n)!.data);
  return { r, out, st, get, config: JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as Record<string, unknown> };
}

describe('export --format hf: family tensor maps, by hand', () => {
  it('GPT-2 Conv1D [in, out] with the transformer. prefix: columns and bias scaled, the rest byte for byte', async () => {
    const ck = checkpoint({ model_type: 'gpt2', n_embd: 2, n_inner: 3 }, {
      'transformer.wte.weight': [[4, 2], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]],
      'transformer.h.0.mlp.c_fc.weight': [[2, 3], [1, 2, 3, 4, 5, 6]],
      'transformer.h.0.mlp.c_fc.bias': [[3], [1, 1, 1]],
    });
    const site = 'transformer.h.0.mlp.c_fc';
    const { get, out } = await fold(ck, facts('gpt2', { [site]: 3 }), iv({ [site]: { gain: [2, 0.5, 0], bias: [0.25, 0, -1] } }, 'linear-act'));
    assert.deepEqual(get(`${site}.weight`), [2, 1, 0, 8, 2.5, 0]);
    assert.deepEqual(get(`${site}.bias`), [2.25, 0.5, -1]);
    const src = readFileSync(join(ck, 'model.safetensors'));
    const dst = readFileSync(join(out, 'model.safetensors'));
    const wte = (b: Buffer) => { const n = Number(b.readBigUInt64LE(0)); const h = JSON.parse(b.subarray(8, 8 + n).toString()); const [s, e] = h['transformer.wte.weight'].data_offsets; return b.subarray(8 + n + s, 8 + n + e); };
    assert.ok(wte(src).equals(wte(dst)), 'untouched tensor copied byte for byte');
    assert.equal(readFileSync(join(out, 'tokenizer.json'), 'utf8'), '{"model":{}}');
  });

  it('GPT-NeoX nn.Linear [out, in]: the output rows and the bias', async () => {
    const site = 'gpt_neox.layers.0.mlp.dense_4h_to_h';
    const ck = checkpoint({ model_type: 'gpt_neox', hidden_size: 2, intermediate_size: 3 }, {
      [`${site}.weight`]: [[2, 3], [1, 2, 3, 4, 5, 6]],
      [`${site}.bias`]: [[2], [1, 2]],
    });
    const { get } = await fold(ck, facts('gpt_neox', { [site]: 2 }), iv({ [site]: { gain: [3, 0.5] } }));
    assert.deepEqual(get(`${site}.weight`), [3, 6, 9, 2, 2.5, 3]);
    assert.deepEqual(get(`${site}.bias`), [3, 1]);
  });

  it('--strength s: gain 1 - s*(1 - g) and shift s*c', async () => {
    const site = 'gpt_neox.layers.0.mlp.dense_4h_to_h';
    const ck = checkpoint({ model_type: 'gpt_neox', hidden_size: 2, intermediate_size: 3 }, {
      [`${site}.weight`]: [[2, 3], [1, 2, 3, 4, 5, 6]],
      [`${site}.bias`]: [[2], [1, 2]],
    });
    const out = join(scratchDir('hf-fam'), 'out');
    await exportHfCheckpoint({ intervention: iv({ [site]: { gain: [3, 0], bias: [1, -2] } }, 'linear-act'), strength: 0.5, model: facts('gpt_neox', { [site]: 2 }), checkpoint: ck, out });
    const st = decodeSafetensors(readFileSync(join(out, 'model.safetensors')));
    // gains 2 and 0.5; shifts 0.5 and -1
    assert.deepEqual(Array.from(st.tensors.get(`${site}.weight`)!.data), [2, 4, 6, 2, 2.5, 3]);
    assert.deepEqual(Array.from(st.tensors.get(`${site}.bias`)!.data), [2.5, 0]);
  });

  it('OPT, stored without the model. prefix: fc1 rows', async () => {
    const ck = checkpoint({ model_type: 'opt', hidden_size: 2, ffn_dim: 3 }, {
      'decoder.layers.0.fc1.weight': [[3, 2], [1, 2, 3, 4, 5, 6]],
      'decoder.layers.0.fc1.bias': [[3], [1, 1, 1]],
    });
    const site = 'model.decoder.layers.0.fc1';
    const { get } = await fold(ck, facts('opt', { [site]: 3 }), iv({ [site]: { gain: [1, 0, 2] } }));
    assert.deepEqual(get('decoder.layers.0.fc1.weight'), [1, 2, 0, 0, 10, 12]);
    assert.deepEqual(get('decoder.layers.0.fc1.bias'), [1, 0, 2]);
  });

  it('Phi-3 fused gate_up_proj: an up_proj site scales the second half of the rows', async () => {
    const ck = checkpoint({ model_type: 'phi3', hidden_size: 2, intermediate_size: 2 }, {
      'model.layers.0.mlp.gate_up_proj.weight': [[4, 2], [1, 2, 3, 4, 5, 6, 7, 8]],
    });
    const site = 'model.layers.0.mlp.up_proj';
    const { get } = await fold(ck, facts('phi3', { [site]: 2 }), iv({ [site]: { gain: [0.5, 2] } }));
    assert.deepEqual(get('model.layers.0.mlp.gate_up_proj.weight'), [1, 2, 3, 4, 2.5, 3, 14, 16]);
  });

  it('Llama affine map: mlp_bias: true and zero biases for every projection, the site\'s bias = the shift', async () => {
    const p = 'model.layers.0.mlp.';
    const ck = checkpoint({ model_type: 'llama', hidden_size: 2, intermediate_size: 3, mlp_bias: false }, {
      [`${p}gate_proj.weight`]: [[3, 2], [1, 2, 3, 4, 5, 6]],
      [`${p}up_proj.weight`]: [[3, 2], [1, 1, 1, 1, 1, 1]],
      [`${p}down_proj.weight`]: [[2, 3], [1, 1, 1, 1, 1, 1]],
    });
    const site = `${p}gate_proj`;
    const { get, config, r, st } = await fold(ck, facts('llama', { [site]: 3 }), iv({ [site]: { gain: [1, 2, 0.5], bias: [0.5, 0, -0.5] } }, 'linear-act'));
    assert.equal(config.mlp_bias, true);
    assert.deepEqual(get(`${site}.weight`), [1, 2, 6, 8, 2.5, 3]);
    assert.deepEqual(get(`${site}.bias`), [0.5, 0, -0.5]);
    assert.deepEqual(get(`${p}up_proj.bias`), [0, 0, 0]);
    assert.deepEqual(get(`${p}down_proj.bias`), [0, 0]);
    assert.deepEqual(r.created.sort(), [`${p}down_proj.bias`, `${p}gate_proj.bias`, `${p}up_proj.bias`]);
    assert.deepEqual([...st.tensors.keys()], [`${p}gate_proj.weight`, `${p}gate_proj.bias`, `${p}up_proj.weight`, `${p}up_proj.bias`, `${p}down_proj.weight`, `${p}down_proj.bias`]);
  });

  it('--dtype bfloat16 converts every float tensor and says so in config.json; float32 overflow is refused by neuron', async () => {
    const site = 'model.layers.0.mlp.up_proj';
    const ck = checkpoint({ model_type: 'mistral', hidden_size: 2, intermediate_size: 2 }, {
      'model.embed_tokens.weight': [[4, 2], [1 + 2 ** -8, 1 + 3 * 2 ** -8, 0, 0, 0, 0, 0, 0]],
      [`${site}.weight`]: [[2, 2], [4, 1, 1, 1]],
    });
    const { get, config, st } = await fold(ck, facts('mistral', { [site]: 2 }), iv({ [site]: { gain: [1, 3] } }), 'bfloat16');
    assert.equal(config.torch_dtype, 'bfloat16');
    assert.equal(st.tensors.get('model.embed_tokens.weight')!.dtype, 'BF16');
    assert.deepEqual(get('model.embed_tokens.weight').slice(0, 2), [1, 1 + 2 ** -6]);
    assert.deepEqual(get(`${site}.weight`), [4, 1, 3, 3]);
    await assert.rejects(fold(ck, facts('mistral', { [site]: 2 }), iv({ [site]: { gain: [1e38, 1] } })), /site model\.layers\.0\.mlp\.up_proj neuron 0: .* overflows float32/);
    await assert.rejects(
      fold(checkpoint({ model_type: 'mistral' }, { big: [[1], [1e5]], [`${site}.weight`]: [[2, 2], [1, 1, 1, 1]] }), facts('mistral', { [site]: 2 }), iv({ [site]: { gain: [1, 1] } }), 'float16'),
      /--dtype float16: tensor big element 0 overflows it/,
    );
  });
});

describe('float16 / bfloat16 rounding: to nearest, ties to even', () => {
  it('bfloat16', () => {
    assert.equal(floatToBf16(1), 0x3f80);
    assert.equal(floatToBf16(1 + 2 ** -8), 0x3f80); // tie -> even (down)
    assert.equal(floatToBf16(1 + 3 * 2 ** -8), 0x3f82); // tie -> even (up)
    assert.equal(floatToBf16(1 + 2 ** -8 + 2 ** -20), 0x3f81);
    assert.equal(floatToBf16(-2), 0xc000);
    assert.equal(floatToBf16(3.4e38), 0x7f80); // rounds past the largest bfloat16: Inf
  });
  it('float16', () => {
    assert.equal(floatToHalf(1), 0x3c00);
    assert.equal(floatToHalf(65504), 0x7bff);
    assert.equal(floatToHalf(65519), 0x7bff);
    assert.equal(floatToHalf(65520), 0x7c00); // tie -> even: Inf
    assert.equal(floatToHalf(2 ** -24), 0x0001);
    assert.equal(floatToHalf(2 ** -25), 0x0000); // tie -> even (0)
    assert.equal(floatToHalf(3 * 2 ** -25), 0x0002); // tie between 1 and 2 -> 2
    assert.equal(floatToHalf(1 + 2 ** -11), 0x3c00);
    assert.equal(floatToHalf(1 + 3 * 2 ** -11), 0x3c02);
    assert.equal(floatToHalf(-0.5), 0xb800);
  });
});
