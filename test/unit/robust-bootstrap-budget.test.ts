// Issue 19 item 17: --bootstrap 100000 ran for minutes with no word. The work (resamples x neurons x
// texts) is bounded with a one-line refusal before any work, and the statistics stage reports progress.
// References: the budget arithmetic by hand; the progress counts are the neuron counts of the manifest.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { requireManifest } from '../../src/aura/profile/store';
import { profileStatistics } from '../../src/aura/stats/significance';
import { BOOTSTRAP_STEP_BUDGET, checkBootstrapWork } from '../../src/aura/stats/work-budget';
import { statsProgress } from '../../src/cli/output';
import { profileCommand } from '../../src/cli/profile';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const oneLine = (re: RegExp) => (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n');

describe('robust: the bootstrap is bounded by its work (issue 19 item 17)', () => {
  it('the budget arithmetic', () => {
    assert.equal(BOOTSTRAP_STEP_BUDGET, 5e10);
    // 5e10 / (36864 neurons x 2000 texts) = 678.1: 678 resamples fit, 679 do not.
    assert.throws(() => checkBootstrapWork(100000, 36864, 2000), oneLine(/^--bootstrap: 100000 resamples x 36864 neurons x 2000 texts = 7\.4e\+12 steps, over the budget of 5e\+10; use at most 678 resamples/));
    checkBootstrapWork(678, 36864, 2000);
    assert.throws(() => checkBootstrapWork(679, 36864, 2000));
    // The default of 200 always runs, whatever the size.
    checkBootstrapWork(200, 1e6, 1e5);
    // A small model over many texts: the resample table (2 bytes per text and resample) is the bound.
    // 100000 x 20000 x 2 = 4e9 bytes > 1 GiB; 2^30 / 40000 = 26843 resamples.
    assert.throws(() => checkBootstrapWork(100000, 1, 20000), oneLine(/3\.7 GiB resample table, over the budget of 1 GiB; use at most 26843 resamples/));
  });

  it('profile --bootstrap past the budget is refused before the profiling starts', async () => {
    // gpt2-tiny has 2 x (64 + 16) = 160 neurons: 100000 x 160 x 3200 texts = 5.1e10 steps > 5e10;
    // 5e10 / (160 x 3200) = 97656.25 resamples fit.
    const d = scratchDir('boot-cli');
    const data = join(d, 'data.jsonl');
    writeFileSync(data, Array.from({ length: 3200 }, (_, i) => JSON.stringify({ text: `w${i % 50}`, label: i % 2 })).join('\n'));
    const out = join(d, 'p');
    await assert.rejects(
      profileCommand([join(MODELS, 'gpt2-tiny'), '--data', data, '--out', out, '--bootstrap', '100000', '--threads', '1', '--json']),
      oneLine(/--bootstrap: 100000 resamples x 160 neurons x 3200 texts = 5\.1e\+10 steps, over the budget of 5e\+10; use at most 97656 resamples/),
    );
    assert.ok(!existsSync(join(out, 'manifest.json')));
  });

  describe('on a profile', () => {
    const dir = join(scratchDir('boot-budget'), 'p');
    before(async () => {
      const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
      try {
        const data = await loadConceptData({ kind: 'memory', examples: Array.from({ length: 24 }, (_, i) => ({ text: `the word ${i} and ${i * 3}`, label: (i % 3 === 0 ? 1 : 0) as 0 | 1 })) });
        await profileConcept(model, data, dir, { batchSize: 8, seqLen: 16 });
      } finally {
        await model.dispose();
      }
    });

    it('is refused before any work when over the budget', () => {
      const neurons = requireManifest(dir).sites.reduce((a, s) => a + s.neurons, 0);
      let calls = 0;
      // A budget one step short of 1000 resamples of this profile.
      assert.throws(
        () => profileStatistics(dir, { resamples: 1000, permutations: 0, stepBudget: 1000 * neurons * 24 - 1, onProgress: () => calls++ }),
        oneLine(new RegExp(`1000 resamples x ${neurons} neurons x 24 texts`)),
      );
      assert.equal(calls, 0);
    });

    it('reports every neuron as the statistics go, ending at the total', () => {
      const m = requireManifest(dir);
      const neurons = m.sites.reduce((a, s) => a + s.neurons, 0);
      const seen: [number, number][] = [];
      profileStatistics(dir, { resamples: 20, permutations: 0, onProgress: (d, t) => seen.push([d, t]) });
      assert.equal(seen.length, neurons);
      seen.forEach(([d, t], i) => {
        assert.equal(d, i + 1);
        assert.equal(t, neurons);
      });
      // The CLI's lines: throttled, with the last one always said once any was.
      const lines: string[] = [];
      const p = statsProgress('fit', (l) => lines.push(l), 0);
      for (const [d, t] of seen) p(d, t);
      assert.equal(lines.at(-1), `fit: statistics ${neurons}/${neurons} neurons`);
      const quiet: string[] = [];
      const q = statsProgress('fit', (l) => quiet.push(l), 60_000);
      for (const [d, t] of seen) q(d, t);
      assert.deepEqual(quiet, []);
    });
  });
});
