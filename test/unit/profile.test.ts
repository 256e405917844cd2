// Profiling end to end on a fixture: the response matrices written to disk hold the PyTorch
// forward-hook pooled values, and an interrupted profile resumes without recomputing finished batches.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { extractResponses } from '../../src/aura/profile/extract';
import { readAurocs } from '../../src/aura/profile/score';
import { readMatrix, responsesPath } from '../../src/aura/profile/store';
import { LanguageModel } from '../../src/engine/model';
import { MODELS, golden, maxAbsDiff } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const TEXTS = ['The cat sat', 'The old man went home', 'When the sun rose over the hills'];

describe('profile', () => {
  let model: LanguageModel;
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
  });
  after(async () => model?.dispose());

  it('writes pooled responses equal to the PyTorch forward hooks', async () => {
    const g = golden('gpt2-tiny');
    const data = await loadConceptData({ kind: 'memory', examples: TEXTS.map((text, i) => ({ text, label: (i % 2) as 0 | 1 })) });
    const dir = scratchDir('profile');
    const r = await profileConcept(model, data, dir, { batchSize: 2 });
    const order = JSON.parse(readFileSync(join(dir, 'order.json'), 'utf8')) as { exampleIndex: number[] };
    for (const s of g.sites) {
      for (const pooling of ['max', 'mean'] as const) {
        const m = readMatrix(responsesPath(dir, s.id, pooling), 3, s.neurons);
        order.exampleIndex.forEach((example, row) => {
          const got = m.subarray(row * s.neurons, (row + 1) * s.neurons);
          const want = g.pooled[s.id]![pooling][example]!;
          assert.ok(maxAbsDiff(got, want) <= 1e-5, `${s.id} ${pooling} example ${example} differs by ${maxAbsDiff(got, want)}`);
        });
      }
    }
    assert.equal(r.manifest.examples, 3);
    const { sites } = readAurocs(dir);
    assert.deepEqual(sites.map((s) => s.siteId), g.sites.map((s) => s.id));
  });

  it('resumes an interrupted profile from its finished batches, with the same result', async () => {
    const examples = Array.from({ length: 24 }, (_, i) => ({ text: `${i % 2 ? 'you are a damn fool' : 'the weather is fine'} number ${i}`, label: (i % 2) as 0 | 1 }));
    const data = await loadConceptData({ kind: 'memory', examples });
    const fresh = scratchDir('fresh');
    await profileConcept(model, data, fresh, { batchSize: 4 });
    const dir = scratchDir('resume');
    const stop = new AbortController();
    await assert.rejects(
      extractResponses(model, data, dir, { batchSize: 4, signal: stop.signal, onProgress: (e) => e.batch === 3 && stop.abort() }),
      (e: Error) => e.name === 'AbortError',
    );
    const again = await profileConcept(model, data, dir, { batchSize: 4 });
    assert.equal(again.reusedBatches, 3);
    for (const s of model.sites) {
      const a = readMatrix(responsesPath(fresh, s.id, 'max'), 24, s.neurons);
      const b = readMatrix(responsesPath(dir, s.id, 'max'), 24, s.neurons);
      assert.deepEqual(Array.from(b), Array.from(a));
    }
    assert.deepEqual(readAurocs(dir).sites.map((s) => Array.from(s.auroc)), readAurocs(fresh).sites.map((s) => Array.from(s.auroc)));
    // Other data: refused by default (profile-folder.test.ts); the extension's cache starts over.
    const other = await loadConceptData({ kind: 'memory', examples: examples.slice(2) });
    const r3 = await profileConcept(model, other, dir, { batchSize: 4, replaceDifferent: true });
    assert.equal(r3.reusedBatches, 0);
  });
});
