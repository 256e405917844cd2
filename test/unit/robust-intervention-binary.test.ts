// Issue 19 item 16: a safetensors export given where an intervention is read (--intervention, Import)
// is recognised: read when it carries aura-lens gains metadata, named otherwise; no message ever holds
// raw binary. References: the factors 1 - s*(1 - g) computed by hand from the gains written.
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeGainsSafetensors } from '../../src/aura/gains-safetensors';
import { effectiveGains, readInterventionFile, writeInterventionFile } from '../../src/aura/intervention-file';
import type { InterventionFile } from '../../src/aura/intervention-file';
import { encodeSafetensors } from '../../src/aura/safetensors';
import { isUserError } from '../../src/engine/errors';
import { InterventionState } from '../../src/host/intervention-state';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const FILE: InterventionFile = {
  format: 'aura-lens.intervention',
  version: 1,
  model: { name: 'gpt2-tiny', fingerprint: 'sha256:abc' },
  method: 'aura',
  params: { strength: 0.5, pooling: 'mean', k: null, alpha: null },
  data: { positives: 3, negatives: 4, source: 'x.csv' },
  sites: {
    'transformer.h.0.mlp.act': { neurons: 3, gain: Float32Array.from([0.25, 1, 0]) },
    'transformer.h.1.mlp.act': { neurons: 2, gain: Float32Array.from([0.5, 0.75]), bias: Float32Array.from([2, -4]) },
  },
};

// Printable, one line: no C0/C1 controls (NUL, ESC, ...), no replacement characters from raw bytes.
const clean = (m: string) => !/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(m);
const oneLine = (re: RegExp) => (e: Error) => isUserError(e) && re.test(e.message) && clean(e.message);

describe('robust: a safetensors or binary file where an intervention is read (issue 19 item 16)', () => {
  const d = scratchDir('iv-binary');

  it('reads an aura-lens gains export: the factors at its strength, with the model and pooling', async () => {
    const p = join(d, 'gains.safetensors');
    await writeGainsSafetensors(p, FILE);
    const iv = await readInterventionFile(p);
    assert.equal(iv.model.name, 'gpt2-tiny');
    assert.equal(iv.model.fingerprint, 'sha256:abc');
    assert.equal(iv.params.pooling, 'mean');
    const e = effectiveGains(iv);
    // Strength 0.5 by hand: 1 - 0.5 * (1 - g) = 0.625, 1, 0.5 and 0.75, 0.875; bias 0.5 * b = 1, -2.
    assert.deepEqual(Array.from(e.get('transformer.h.0.mlp.act')!.gain), [0.625, 1, 0.5]);
    assert.deepEqual(Array.from(e.get('transformer.h.1.mlp.act')!.gain), [0.75, 0.875]);
    assert.deepEqual(Array.from(e.get('transformer.h.1.mlp.act')!.bias!), [1, -2]);
    // A strength on top scales from the export: 0.5 of the way gives 1 - 0.5 * (1 - 0.625) = 0.8125.
    assert.equal(effectiveGains(iv, 0.5).get('transformer.h.0.mlp.act')!.gain[0], 0.8125);
  });

  it('the extension imports it (Import Intervention): the exported factors are applied as they are', async () => {
    const p = join(d, 'gains-import.safetensors');
    await writeGainsSafetensors(p, FILE);
    const state = new InterventionState();
    state.importFile(await readInterventionFile(p), p);
    // The export was made at strength 0.5: 0.625, 1, 0.5 by hand, and bias 1, -2 on the second site.
    assert.deepEqual(Array.from(state.appliedGains()!.get('transformer.h.0.mlp.act')!), [0.625, 1, 0.5]);
    assert.deepEqual(Array.from(state.appliedShifts()!.get('transformer.h.1.mlp.act')!.bias), [1, -2]);
  });

  it('names a safetensors file without aura-lens metadata', async () => {
    const p = join(d, 'weights.safetensors');
    writeFileSync(p, encodeSafetensors([{ name: 'w', shape: [2], data: Float32Array.from([0, 0]) }]));
    await assert.rejects(readInterventionFile(p), oneLine(/weights\.safetensors: a safetensors file with 1 tensors and no aura-lens metadata, not an intervention/));
  });

  it('names an ONNX model or other binary without printing its bytes', async () => {
    const onnx = join(d, 'model.onnx');
    copyFileSync(join(MODELS, 'gpt2-tiny', 'model.onnx'), onnx);
    await assert.rejects(readInterventionFile(onnx), oneLine(/model\.onnx: binary data \(first bytes [0-9a-f ]+; an ONNX model/));
    const junk = join(d, 'junk.json');
    writeFileSync(junk, Buffer.from([0x7b, 0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff, 0xfe]));
    await assert.rejects(readInterventionFile(junk), oneLine(/junk\.json: binary data/));
  });

  it('a control character in otherwise-text JSON is escaped in the parse error', async () => {
    const p = join(d, 'ctl.json');
    writeFileSync(p, '{"format": "aura-lens.intervention",\t\u0007 }');
    await assert.rejects(readInterventionFile(p), oneLine(/ctl\.json: /));
  });

  it('the JSON intervention still reads as before', async () => {
    const p = join(d, 'iv.json');
    await writeInterventionFile(p, FILE);
    const iv = await readInterventionFile(p);
    assert.deepEqual(Array.from(iv.sites['transformer.h.0.mlp.act']!.gain), [0.25, 1, 0]);
  });
});
