// Issue 19 item 7: fit on a --sketch profile (and evaluate --methods linear-act on one) failed with
// ENOENT on responses/. AurA, Damp and Det0 fit from the sketch's AUROCs; what needs responses is
// refused in one line. References: the paper's factors 1 - 2*(AUROC - 0.5), damp 0.5 and det0 0,
// computed here by hand from the AUROC files of the folder.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { readInterventionFile } from '../../src/aura/intervention-file';
import { profileConcept } from '../../src/aura/profile';
import { aurocPath, requireManifest } from '../../src/aura/profile/store';
import { sweepArms } from '../../src/aura/sweep';
import { fitCommand } from '../../src/cli/fit';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import { runJsonInProcess } from '../helpers/cli';

const runFit = (args: string[]) => runJsonInProcess(fitCommand, args);

const oneLine = (re: RegExp) => (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n') && !/ENOENT/.test(e.message);

describe('robust: fitting a sketch profile (issue 19 item 7)', () => {
  const d = scratchDir('sketch-fit');
  const dir = join(d, 'sketch');
  /** Per site, the AUROCs as the folder stores them (read directly, not through the code under test). */
  let aurocs: Map<string, Float64Array>;
  before(async () => {
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      const words = ['fool', 'idiot', 'damn', 'weather', 'garden', 'music', 'river', 'bread'];
      const examples = Array.from({ length: 48 }, (_, i) => ({ text: `${words[i % 8]} ${words[(i * 5) % 8]} ${i}`, label: (i % 8 < 3 ? 1 : 0) as 0 | 1 }));
      const data = await loadConceptData({ kind: 'memory', examples });
      await profileConcept(model, data, dir, { batchSize: 8, seqLen: 16, sketch: { bins: 16, calibration: 2 } });
    } finally {
      await model.dispose();
    }
    const m = requireManifest(dir);
    aurocs = new Map(m.sites.map((s) => [s.id, new Float64Array(Uint8Array.from(readFileSync(aurocPath(dir, s.id, m.pooling))).buffer)]));
  });

  it('aura: every neuron gets 1 - 2*(AUROC - 0.5) above 0.5, else 1', async () => {
    const r = await runFit([dir, '--method', 'aura', '--out', join(d, 'aura.json')]);
    assert.equal(r.stats, null);
    const iv = await readInterventionFile(join(d, 'aura.json'));
    let experts = 0;
    for (const [id, a] of aurocs) {
      const g = iv.sites[id]!.gain;
      a.forEach((v, i) => {
        const want = v > 0.5 ? 1 - 2 * (v - 0.5) : 1;
        if (v > 0.5) experts++;
        assert.ok(Math.abs(g[i]! - want) < 1e-6, `${id}[${i}]: ${g[i]} vs ${want}`);
      });
    }
    assert.ok(experts > 0);
    assert.equal(r.experts, experts);
  });

  it('damp and det0 with --k 5: the 5 highest AUROCs get 0.5 and 0', async () => {
    const all = [...aurocs].flatMap(([id, a]) => Array.from(a, (v, i) => ({ id, i, v })));
    const top = all.sort((x, y) => y.v - x.v).slice(0, 5);
    assert.ok(top[4]!.v > all[5]!.v, 'the fixture has no tie at the 5th AUROC');
    for (const [method, factor] of [['damp', 0.5], ['det0', 0]] as const) {
      await runFit([dir, '--method', method, '--k', '5', '--out', join(d, `${method}.json`)]);
      const iv = await readInterventionFile(join(d, `${method}.json`));
      for (const [id, a] of aurocs) {
        a.forEach((_, i) => {
          const want = top.some((t) => t.id === id && t.i === i) ? factor : 1;
          assert.equal(iv.sites[id]!.gain[i], want, `${method} ${id}[${i}]`);
        });
      }
    }
  });

  it('transport methods, --max-q and --held-out are refused in one line', async () => {
    for (const args of [['--method', 'linear-act'], ['--method', 'aura', '--max-q', '0.1'], ['--method', 'aura', '--held-out', '0.5']]) {
      await assert.rejects(runFit([dir, ...args, '--out', join(d, 'x.json')]), oneLine(/a sketch profile \(--sketch 16\) holds histograms and AUROCs, not each example's responses/), args.join(' '));
    }
    assert.throws(() => sweepArms(dir, ['aura', 'linear-act'], []), oneLine(/transport method linear-act/));
    // The AUROC methods of a sweep fit as fit does.
    assert.equal(sweepArms(dir, ['aura', 'det0'], []).length, 2);
  });
});
