// fit's statistics and transport options, wired end to end on a small gpt2-tiny profile:
// the selection flags change what is written, transport files are version 2, small profiles warn.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { readInterventionFile } from '../../src/aura/intervention-file';
import { profileConcept } from '../../src/aura/profile';
import { profileStatistics } from '../../src/aura/stats/significance';
import { fitCommand } from '../../src/cli/fit';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import { runJsonInProcess } from '../helpers/cli';

const runFit = (args: string[]) => runJsonInProcess(fitCommand, args);

const words = ['damn', 'fool', 'idiot', 'stupid', 'hate'];
let big: string;
// Outputs go outside the profiles: a file inside a profile folder is refused (output-guard.ts).
const outs = scratchDir('fit-out');
let small: string;

before(async () => {
  const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
  try {
    const examples = Array.from({ length: 60 }, (_, i) => ({
      text: i % 2 ? `you are a ${words[i % 5]} and a ${words[(i + 2) % 5]} number ${i}` : `the weather is fine on day ${i} of the year`,
      label: (i % 2) as 0 | 1,
    }));
    big = scratchDir('fit-big');
    await profileConcept(model, await loadConceptData({ kind: 'memory', examples }), big, { batchSize: 16 });
    small = scratchDir('fit-small');
    await profileConcept(model, await loadConceptData({ kind: 'memory', examples: examples.slice(0, 10) }), small, { batchSize: 16 });
  } finally {
    await model.dispose();
  }
});

describe('fit with statistics', () => {
  it('aura with --max-q keeps only experts at or under the bound', async () => {
    const stats = profileStatistics(big, { resamples: 20, permutations: 2 });
    const loose = await runFit([big, '--method', 'aura', '--out', join(outs, 'all.json'), '--bootstrap', '20']);
    const strict = await runFit([big, '--method', 'aura', '--out', join(outs, 'q.json'), '--max-q', '1e-6', '--bootstrap', '20']);
    let wanted = 0;
    for (const s of stats.sites) for (let i = 0; i < s.neurons; i++) if (s.auroc[i]! > 0.5 && s.q[i]! <= 1e-6) wanted++;
    assert.equal(strict.experts, wanted);
    assert.ok(strict.experts < loose.experts, `${strict.experts} vs ${loose.experts}`);
    assert.equal(typeof strict.stats.significant, 'number');
    assert.equal(typeof strict.stats.null.rejectRate, 'number');
    assert.deepEqual(strict.warnings, []);
    assert.equal(strict.tooSmall, false);
    const file = await readInterventionFile(join(outs, 'q.json'));
    let changed = 0;
    for (const s of Object.values(file.sites)) for (const g of s.gain) if (g !== 1) changed++;
    assert.equal(changed, strict.experts);
  });

  it('linear-act writes a version 2 file with ranges, and --held-out reports held-out AUROCs', async () => {
    const r = await runFit([big, '--method', 'linear-act', '--out', join(outs, 'lin.json'), '--held-out', '0.3', '--bootstrap', '0']);
    assert.equal(r.heldOut.fraction, 0.3);
    assert.equal(r.heldOut.held.positives + r.heldOut.rank.positives, 30);
    assert.equal(r.heldOut.experts, r.experts);
    const file = await readInterventionFile(join(outs, 'lin.json'));
    assert.equal(file.version, 2);
    assert.equal(file.method, 'linear-act');
    for (const s of Object.values(file.sites)) assert.ok(s.lo && s.hi && s.bias);
  });

  it('a profile under 20 examples per class says so', async () => {
    const r = await runFit([small, '--method', 'aura', '--out', join(outs, 'a.json'), '--bootstrap', '10']);
    assert.equal(r.tooSmall, true);
    assert.match(r.warnings[0], /only 5 toxic examples \(fewer than 20 per class\)/);
  });

  it('rejects bad options with one-line user errors', async () => {
    for (const [args, re] of [
      [['--method', 'linear-act', '--k', '3'], /--k: linear-act takes neither k nor alpha/],
      [['--method', 'aura', '--held-out', '1'], /--held-out: expected a fraction strictly between 0 and 1/],
      [['--method', 'aura', '--max-q', '2'], /--max-q: expected a number >= 0 and <= 1/],
      [['--method', 'nope'], /--method: expected one of aura, damp, det0, linear-act, mean-act/],
    ] as [string[], RegExp][]) {
      await assert.rejects(runFit([big, ...args, '--out', join(outs, 'x.json')]), (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n'));
    }
  });
});
