// The workbench on the tiny GPT-2 fixture, with the model in process: the demo path end to end
// (profile, experts, detail, previews, highlights, export and import), as the commands drive it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readInterventionFile } from '../../src/aura/intervention-file';
import { ModelWork } from '../../src/host/model-host/model-work';
import { statusText } from '../../src/host/status-text';
import { tinyWorkbench } from '../helpers/workbench';

let bench: ReturnType<typeof tinyWorkbench>;
const out = mkdtempSync(join(tmpdir(), 'aura-export-'));

before(async () => {
  bench = tinyWorkbench(new ModelWork());
  await bench.wb.useDemo();
});
after(async () => {
  await bench.dispose();
  rmSync(out, { recursive: true, force: true });
});

test('Use Demo Model opens the model, profiles the demo concept and ranks every neuron', () => {
  const { wb } = bench;
  assert.equal(wb.model?.isDemo, true);
  const e = wb.experts!;
  assert.equal(e.auroc.length, 160);
  assert.equal(e.positives + e.negatives, 120);
  assert.deepEqual(e.perLayer.map((l) => l.layer), [0, 1]);
  assert.equal(e.perLayer.reduce((n, l) => n + l.experts, 0), e.auroc.filter((a) => a > 0.5).length);
  assert.equal(wb.intervention.snapshot().affected, e.auroc.filter((a) => a > 0.5).length);
  assert.match(statusText(wb).text, /AurA: demo · AurA 100%/);
});

test('the neuron detail has both distributions and the examples that drive it, token by token', async () => {
  const { wb } = bench;
  const e = wb.experts!;
  const site = e.sites[e.site[0]!]!.id;
  const d = await wb.neuronDetail(site, e.neuron[0]!);
  assert.equal(d.auroc, e.auroc[0]);
  assert.equal(d.positive.length + d.negative.length, 120);
  assert.equal(d.topExamples.length, 5);
  const best = d.topExamples[0]!;
  assert.equal(best.value, Math.max(...d.positive, ...d.negative));
  // With max pooling, the example's response is its strongest token.
  assert.ok(Math.abs(Math.max(...best.tokens.map((t) => t.value)) - best.value) < 1e-4);
  assert.ok(d.gain < 1 && d.applied === d.gain);
});

test('previews run the same seed with and without the intervention; at strength 0 they agree', async () => {
  const { wb } = bench;
  wb.intervention.update({ method: 'det0', strength: 1, k: 40, alpha: null });
  const damped = await wb.preview.run('the cat').done;
  assert.equal(damped.done, true);
  assert.ok(damped.original.length > 0 && damped.intervened.length > 0);
  wb.intervention.update({ method: 'det0', strength: 0, k: 40, alpha: null });
  const none = await wb.preview.run('the cat').done;
  assert.equal(none.intervened, none.original);
  assert.equal(none.original, damped.original, 'the original is the same run to run');
});

test('token scores cover the text and stay within [0, 1]', async () => {
  const { wb } = bench;
  wb.intervention.update({ method: 'aura', strength: 1, k: null, alpha: null });
  const scores = await wb.tokenScores('you are a dog', 8);
  assert.equal(scores.map((s) => s.text).join(''), 'you are a dog');
  assert.ok(scores.every((s) => s.score >= 0 && s.score <= 1 && s.top.length <= 3));
});

test('export as JSON and safetensors, and import brings back the same gains', async () => {
  const { wb } = bench;
  wb.intervention.update({ method: 'damp', strength: 0.6, k: 25, alpha: 0.2 });
  const site = wb.experts!.sites[0]!.id;
  wb.intervention.setOverride(site, 3, 1.5);
  const before = wb.intervention.appliedGains()!;
  const json = join(out, 'iv.json');
  assert.ok((await wb.exportIntervention('json', json)) > 0);
  assert.ok((await wb.exportIntervention('safetensors', join(out, 'gains.safetensors'))) > 0);
  const file = await readInterventionFile(json);
  assert.equal(file.method, 'damp');
  assert.equal(file.params.strength, 0.6);
  wb.intervention.update({ method: 'aura', strength: 1, k: null, alpha: null });
  await wb.importIntervention(json);
  const after = wb.intervention.appliedGains()!;
  for (const [id, g] of before) assert.deepEqual(after.get(id), g, id);
  assert.equal(wb.intervention.snapshot().importedFrom, json);
});

test('the ONNX export folds the intervention into a model file', async () => {
  const path = join(out, 'folded.onnx');
  assert.ok((await bench.wb.exportIntervention('onnx', path)) > 0);
  assert.ok(existsSync(path));
});
