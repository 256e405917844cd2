// The folded ONNX export from the extension at real size (issue 24 item 2): the written model is
// loaded for verification in a short-lived process, never in the model process that holds the live
// model, and an export that would only copy the original model (strength 0) is refused with the reason.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ort } from '../../src/engine/ort-session';
import { unchangedExportReason } from '../../src/aura/export/unchanged';
import { ModelWork } from '../../src/host/model-host/model-work';
import { verifyInChild } from '../../src/host/model-host/verify-child';
import { demoWorkbenchForSuite } from '../helpers/workbench';
import { MODELS } from '../helpers/fixtures';

const out = mkdtempSync(join(tmpdir(), 'aura-export-child-'));
const oneLine = (re: RegExp) => (e: Error) => re.test(e.message) && !e.message.includes('\n');

after(() => rmSync(out, { recursive: true, force: true }));

/** Runs `body` with onnxruntime's session creation watched: what each session was made from, in order. */
async function sessionsCreatedDuring<T>(body: () => Promise<T>): Promise<{ result: T; created: unknown[] }> {
  const created: unknown[] = [];
  const create = ort.InferenceSession.create;
  ort.InferenceSession.create = ((...args: unknown[]) => {
    created.push(args[0]);
    return (create as (...a: unknown[]) => Promise<ort.InferenceSession>)(...args);
  }) as typeof ort.InferenceSession.create;
  try {
    return { result: await body(), created };
  } finally {
    ort.InferenceSession.create = create;
  }
}

describe('export verification in a child process', () => {
  const work = new ModelWork();
  const bench = demoWorkbenchForSuite(work);

  test('the model process creates no session over the written model; the file it writes loads', async () => {
    const { wb } = bench();
    wb.intervention.update({ method: 'det0', strength: 1, k: 40, alpha: null });
    const target = join(out, 'folded.onnx');
    const { result: bytes, created } = await sessionsCreatedDuring(() => wb.exportIntervention('onnx', target));
    assert.ok(bytes > 0 && existsSync(target));
    // The live model's session was made when it opened; folding makes none, so any session here would be the check's.
    assert.deepEqual(created.map((c) => (typeof c === 'string' ? c : 'bytes')), []);
    const s = await ort.InferenceSession.create(target, { logSeverityLevel: 4 });
    assert.ok(s.outputNames.includes('logits'));
    await s.release();
  });

  test('a file onnxruntime refuses is reported by the child in one line', async () => {
    const bad = join(out, 'bad.onnx');
    writeFileSync(bad, 'not a model');
    await assert.rejects(verifyInChild(bad), (e: Error) => e.message.length > 0 && !e.message.includes('\n'));
  });

  test('an export at strength 0 is refused with the reason, before anything is written', async () => {
    const { wb } = bench();
    wb.intervention.update({ method: 'det0', strength: 0, k: 40, alpha: null });
    const target = join(out, 'unchanged.onnx');
    assert.match(wb.unchangedOnnxExport() ?? '', /changes nothing/);
    await assert.rejects(wb.exportIntervention('onnx', target), oneLine(/unchanged\.onnx: the intervention changes nothing .*strength 0/));
    assert.equal(existsSync(target), false);
    // The model process refuses it too (a caller that goes to it directly).
    const gains = new Map([['transformer.h.0.mlp.c_fc', new Float32Array(4).fill(1)]]);
    await assert.rejects(work.exportOnnx({ gains, out: target }), oneLine(/changes nothing/));
    assert.equal(existsSync(target), false);
    wb.intervention.update({ method: 'det0', strength: 1, k: 40, alpha: null });
    assert.equal(wb.unchangedOnnxExport(), undefined);
  });
});

test('a model with external data: its export (graph + data file) is verified outside the model process too', async () => {
  const work = new ModelWork();
  try {
    const info = await work.open({ path: join(MODELS, 'gpt2-tiny-external') });
    const site = info.sites[0]!;
    const target = join(out, 'external.onnx');
    const { result: r, created } = await sessionsCreatedDuring(() => work.exportOnnx({ gains: new Map([[site.id, new Float32Array(site.neurons).fill(0.5)]]), out: target }));
    assert.ok(r.bytes > 0);
    assert.deepEqual(created.map((c) => (typeof c === 'string' ? c : 'bytes')), []);
    const s = await ort.InferenceSession.create(target, { logSeverityLevel: 4 });
    await s.release();
  } finally {
    await work.dispose();
  }
});

test('unchangedExportReason: any gain other than 1 or any shift other than 0 changes the model', () => {
  const ones = new Float32Array([1, 1, 1]);
  assert.match(unchangedExportReason([ones, ones]) ?? '', /changes nothing/);
  assert.match(unchangedExportReason([ones], [new Float32Array(3), undefined]) ?? '', /changes nothing/);
  assert.equal(unchangedExportReason([ones, new Float32Array([1, 0.999, 1])]), undefined);
  assert.equal(unchangedExportReason([ones], [new Float32Array([0, 0, 1e-6])]), undefined);
});
