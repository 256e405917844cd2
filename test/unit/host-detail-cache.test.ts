// The neuron detail at real size (issue 24 item 1): the profile's part needs no model work, the model's
// part runs in small batches and is cached per neuron until a new profile replaces the old. A hand-made
// profile folder and a stand-in for the model's per-token values give values computed by hand; the tiny
// GPT-2 fixture then checks the same through the workbench with the model in process.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DETAIL_BATCH, NeuronDetails } from '../../src/host/neuron-detail';
import { ModelWork } from '../../src/host/model-host/model-work';
import { responsesPath } from '../../src/aura/profile/store';
import { EXAMPLES_FILE } from '../../src/host/profile-files';
import { DEMO_CONCEPT, demoWorkbenchForSuite } from '../helpers/workbench';
import type { DetailRequest, TextActivations } from '../../src/host/model-host/api';

const SITE = 'mlp.0';
const NEURONS = 3;
const ROWS = 30;
const root = mkdtempSync(join(tmpdir(), 'aura-detail-'));

/** Row r, neuron n responds r * 10 + n; rows 0..9 are toxic. Examples are "w<r>" texts. */
function profileFolder(name: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'responses'), { recursive: true });
  const labels = Array.from({ length: ROWS }, (_, r) => (r < 10 ? 1 : 0));
  writeFileSync(join(dir, 'order.json'), JSON.stringify({ labels, exampleIndex: labels.map((_, r) => r) }));
  writeFileSync(join(dir, EXAMPLES_FILE), labels.map((label, r) => JSON.stringify({ text: `w${r} x`, label })).join('\n') + '\n');
  const m = new Float32Array(ROWS * NEURONS);
  for (let r = 0; r < ROWS; r++) for (let n = 0; n < NEURONS; n++) m[r * NEURONS + n] = r * 10 + n;
  writeFileSync(responsesPath(dir, SITE, 'max'), Buffer.from(m.buffer));
  return dir;
}

const req = (dir: string, neuron: number): DetailRequest => ({ dir, pooling: 'max', site: SITE, layer: 0, neurons: NEURONS, neuron, auroc: 0.75, gain: 0.5, applied: 0.5 });

/** Per text, two tokens; token k of text "w<r> x" gives neuron n the value r + k + n / 10. */
function standIn(calls: number[]) {
  return async (texts: string[]): Promise<TextActivations[]> => {
    calls.push(texts.length);
    return texts.map((t) => {
      const r = Number(/^w(\d+)/.exec(t)![1]);
      const v = new Float32Array(2 * NEURONS);
      for (let k = 0; k < 2; k++) for (let n = 0; n < NEURONS; n++) v[k * NEURONS + n] = r + k + n / 10;
      return { tokens: [{ text: `w${r}`, start: 0, end: 2 }, { text: ' x', start: 2, end: 4 }], values: new Map([[SITE, v]]) };
    });
  };
}

after(() => rmSync(root, { recursive: true, force: true }));

describe('neuron detail with a stand-in model', () => {
  test("the profile's part is read from the folder alone, with the values computed by hand", async () => {
    const calls: number[] = [];
    const details = new NeuronDetails(standIn(calls));
    const d = await details.profilePart(req(profileFolder('a'), 1));
    assert.deepEqual(calls, [], 'no model pass');
    assert.equal(d.pending, true);
    assert.deepEqual(d.topExamples, []);
    // Toxic rows 0..9 of neuron 1: 1, 11, ..., 91; non-toxic rows 10..29: 101, ..., 291.
    assert.equal(d.meanPositive, 46);
    assert.equal(d.maxPositive, 91);
    assert.equal(d.meanNegative, 196);
    assert.equal(d.maxNegative, 291);
    assert.equal(d.positive.length + d.negative.length, ROWS);
  });

  test('the examples run in batches of at most DETAIL_BATCH texts, 24 texts in all', async () => {
    const calls: number[] = [];
    const details = new NeuronDetails(standIn(calls));
    const d = await details.detail(req(profileFolder('b'), 2));
    assert.ok(DETAIL_BATCH < 24);
    assert.ok(calls.every((n) => n <= DETAIL_BATCH), `batch sizes ${calls.join(',')}`);
    assert.equal(calls.reduce((a, b) => a + b, 0), 24);
    assert.equal(d.pending, undefined);
    // Top rows are 29, 28, ...: example "w29 x" with tokens valued 29.2 and 30.2 for neuron 2.
    assert.equal(d.topExamples.length, 5);
    assert.equal(d.topExamples[0]!.text, 'w29 x');
    assert.equal(d.topExamples[0]!.value, 292);
    assert.ok(Math.abs(d.topExamples[0]!.tokens[1]!.value - 30.2) < 1e-5);
    assert.ok(Math.abs(d.topExamples[4]!.tokens[0]!.value - 25.2) < 1e-5);
  });

  test('a reopened neuron does no model work; forget() (a new profile) runs it again', async () => {
    const calls: number[] = [];
    const details = new NeuronDetails(standIn(calls));
    const dir = profileFolder('c');
    const first = await details.detail(req(dir, 0));
    const passes = calls.length;
    assert.ok(passes > 0);
    await details.detail(req(dir, 1));
    const afterOther = calls.length;
    const again = await details.detail(req(dir, 0));
    assert.equal(calls.length, afterOther, 'the cached neuron ran no pass');
    assert.deepEqual(again, first);
    // Once cached, the profile's part carries the examples too (nothing pending).
    const quick = await details.profilePart(req(dir, 0));
    assert.equal(quick.pending, undefined);
    assert.deepEqual(quick.topExamples, first.topExamples);
    details.forget();
    await details.detail(req(dir, 0));
    assert.equal(calls.length, afterOther + passes);
  });

  test('a cancelled detail stops between batches and caches nothing', async () => {
    const calls: number[] = [];
    const ac = new AbortController();
    const run = standIn(calls);
    const details = new NeuronDetails(async (texts) => {
      if (calls.length === 1) ac.abort();
      return run(texts);
    });
    const dir = profileFolder('d');
    await assert.rejects(details.detail(req(dir, 0), ac.signal), (e: Error) => e.name === 'AbortError');
    assert.equal(calls.length, 2);
    await details.detail(req(dir, 0));
    assert.equal(calls.length, 2 + Math.ceil(24 / DETAIL_BATCH));
  });
});

describe('neuron detail through the workbench (tiny GPT-2, model in process)', () => {
  const work = new ModelWork();
  const bench = demoWorkbenchForSuite(work);

  test("the profile's part runs no pass and matches the full detail's distributions; reopening runs none; a new profile invalidates", async () => {
    const { wb } = bench();
    const e = wb.experts!;
    const site = e.sites[e.site[0]!]!.id;
    const neuron = e.neuron[0]!;
    const before = work.detailPasses;
    const quick = await wb.neuronDetail(site, neuron, undefined, 'profile');
    assert.equal(work.detailPasses, before);
    assert.equal(quick.pending, true);
    const full = await wb.neuronDetail(site, neuron);
    const passes = work.detailPasses - before;
    assert.ok(passes >= 2, `the 24 examples take several batches (${passes})`);
    assert.deepEqual([quick.positive, quick.negative, quick.meanPositive, quick.maxNegative, quick.ci], [full.positive, full.negative, full.meanPositive, full.maxNegative, full.ci]);
    const again = await wb.neuronDetail(site, neuron);
    assert.equal(work.detailPasses - before, passes, 'reopened from the cache');
    assert.deepEqual(again.topExamples, full.topExamples);
    await wb.profileConcept({ kind: 'file', path: DEMO_CONCEPT });
    await wb.neuronDetail(site, neuron);
    assert.equal(work.detailPasses - before, 2 * passes, 'a new profile ran the passes again');
  });
});
