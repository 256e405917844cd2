import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuraUserError } from '../../src/aura/errors';
import { gainTensors, writeGainsSafetensors } from '../../src/aura/gains-safetensors';
import { effectiveGains, parseIntervention } from '../../src/aura/intervention-file';
import { decodeSafetensors, encodeSafetensors, readSafetensors } from '../../src/aura/safetensors';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aura-st-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = parseIntervention({
  format: 'aura-lens.intervention',
  version: 1,
  model: { name: 'gpt2', fingerprint: 'sha256:abc' },
  method: 'aura',
  params: { strength: 0.5, pooling: 'max', k: null, alpha: null },
  data: { positives: 3, negatives: 4, source: 'x.jsonl' },
  sites: {
    'transformer.h.0.mlp.c_fc': { neurons: 3, gain: [0.25, 1, 0.5] },
    'transformer.h.0.mlp.c_proj': { neurons: 2, gain: [0, 0.875], bias: [1, -2] },
  },
});

function header(bytes: Uint8Array): { len: number; json: Record<string, any>; raw: string } {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const raw = Buffer.from(bytes.subarray(8, 8 + len)).toString('utf8');
  return { len, json: JSON.parse(raw), raw };
}

describe('safetensors', () => {
  it('writes the gains of each site as F32 named by module path, and reads them back equal', async () => {
    const path = join(dir, 'gains.safetensors');
    const size = await writeGainsSafetensors(path, file);
    const bytes = await readFile(path);
    assert.equal(size, bytes.length);
    const { len, json, raw } = header(bytes);
    assert.equal((8 + len) % 8, 0, 'the data starts 8-byte aligned');
    assert.ok(raw.startsWith('{') && /^[^]*\} *$/.test(raw), 'the header is JSON padded with spaces');
    assert.deepEqual(json.__metadata__, {
      format: 'aura-lens.gains', version: '1', method: 'aura', strength: '0.5', pooling: 'max', model: 'gpt2', fingerprint: 'sha256:abc',
    });
    assert.deepEqual(json['transformer.h.0.mlp.c_fc'], { dtype: 'F32', shape: [3], data_offsets: [0, 12] });
    assert.deepEqual(json['transformer.h.0.mlp.c_proj'], { dtype: 'F32', shape: [2], data_offsets: [12, 20] });
    assert.deepEqual(json['transformer.h.0.mlp.c_proj:bias'], { dtype: 'F32', shape: [2], data_offsets: [20, 28] });
    assert.equal(bytes.length, 8 + len + 28);

    const back = await readSafetensors(path);
    const expected = effectiveGains(file);
    for (const [id, site] of expected) {
      assert.deepEqual(back.tensors.get(id)?.data, site.gain);
      assert.equal(back.tensors.get(id)?.dtype, 'F32');
    }
    assert.deepEqual(Array.from(back.tensors.get('transformer.h.0.mlp.c_fc')?.data ?? []), [0.625, 1, 0.75]);
    assert.deepEqual(Array.from(back.tensors.get('transformer.h.0.mlp.c_proj:bias')?.data ?? []), [0.5, -1]);
    assert.equal(back.metadata.strength, '0.5');
  });

  it('uses a chosen strength', () => {
    const { tensors, metadata } = gainTensors(file, 1);
    assert.deepEqual(Array.from(tensors[0].data), [0.25, 1, 0.5]);
    assert.equal(metadata.strength, '1');
  });

  it('decodes F64, F16 and BF16 tensors written by other tools', () => {
    const hdr = JSON.stringify({
      a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] },
      b: { dtype: 'F16', shape: [2], data_offsets: [8, 12] },
      c: { dtype: 'BF16', shape: [1], data_offsets: [12, 14] },
    });
    const bytes = new Uint8Array(8 + hdr.length + 14);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(hdr.length), true);
    bytes.set(Buffer.from(hdr), 8);
    const d = 8 + hdr.length;
    view.setFloat64(d, 0.75, true);
    view.setUint16(d + 8, 0x3c00, true); // 1.0
    view.setUint16(d + 10, 0xb800, true); // -0.5
    view.setUint16(d + 12, 0x3f40, true); // 0.75
    const st = decodeSafetensors(bytes);
    assert.deepEqual(Array.from(st.tensors.get('a')?.data ?? []), [0.75]);
    assert.deepEqual(Array.from(st.tensors.get('b')?.data ?? []), [1, -0.5]);
    assert.deepEqual(Array.from(st.tensors.get('c')?.data ?? []), [0.75]);
  });

  const good = encodeSafetensors([{ name: 't', shape: [2], data: Float32Array.from([1, 2]) }], { k: 'v' });
  const withHeader = (h: unknown, dataBytes = 8): Uint8Array => {
    const json = Buffer.from(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + dataBytes);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    return out;
  };
  const bad: [string, Uint8Array, RegExp][] = [
    ['too short', good.subarray(0, 4), /shorter than its 8-byte header length/],
    ['header past the end', good.subarray(0, 20), /header length \d+ exceeds the file/],
    ['header not JSON', (() => { const b = good.slice(); b[8] = 0x41; return b; })(), /header is not UTF-8 JSON/],
    ['unknown dtype', withHeader({ t: { dtype: 'I4', shape: [2], data_offsets: [0, 8] } }), /tensor t has dtype "I4"/],
    ['offsets vs shape', withHeader({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), /span 8 bytes, shape \[3\] of F32 needs 12/],
    ['hole', withHeader({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), /tensor t starts at byte 4, expected 0/],
    ['trailing bytes', withHeader({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }), /4 bytes after the last tensor/],
    ['metadata value', withHeader({ __metadata__: { a: 1 }, t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }), /__metadata__\.a is not a string/],
  ];
  for (const [name, bytes, re] of bad) {
    it(`rejects a file with ${name}`, () => {
      assert.throws(() => decodeSafetensors(bytes, 'g.safetensors'), (e: Error) => e instanceof AuraUserError && /^g\.safetensors: /.test(e.message) && re.test(e.message));
    });
  }

  it('names a missing file', async () => {
    await assert.rejects(readSafetensors(join(dir, 'nope.safetensors')), /nope\.safetensors: no such file/);
  });
});
