// `fit --sites ID,...`: an intervention restricted to some MLP sites. Expected values come from the
// AurA rule written out here (gain = 1 - 2 (AUROC - 0.5) for AUROC > 0.5, else 1) on the profile's
// own AUROCs, and from the rule that sites outside the list are untouched.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { readInterventionFile } from '../../src/aura/intervention-file';
import { profileConcept } from '../../src/aura/profile';
import { readAurocs } from '../../src/aura/profile/score';
import { restrictToSites } from '../../src/aura/site-mask';
import { fitCommand } from '../../src/cli/fit';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import { runJsonInProcess } from '../helpers/cli';

const runFit = (args: string[]) => runJsonInProcess(fitCommand, args);

const words = ['sad', 'cried', 'upset', 'scared', 'lonely'];
let dir: string;
// Outputs go beside the profile: a file inside a profile folder is refused (output-guard).
let outs: string;

before(async () => {
  const model = await LanguageModel.open(join(MODELS, 'llama-tiny'), { threads: 1 });
  try {
    const examples = Array.from({ length: 60 }, (_, i) => ({
      text: i % 2 ? `the girl was ${words[i % 5]} and ${words[(i + 2) % 5]} on day ${i}` : `the weather is fine on day ${i} of the year`,
      label: (i % 2) as 0 | 1,
    }));
    dir = scratchDir('fit-sites');
    outs = scratchDir('fit-sites-out');
    await profileConcept(model, await loadConceptData({ kind: 'memory', examples }), dir, { batchSize: 16 });
  } finally {
    await model.dispose();
  }
});

describe('fit --sites', () => {
  it('changes only the listed sites, with AurA\'s gains there', async () => {
    const aurocs = readAurocs(dir, 'max').sites;
    const chosen = [aurocs[1]!.siteId, aurocs[3]!.siteId];
    const r = await runFit([dir, '--method', 'aura', '--sites', chosen.join(','), '--out', join(outs, 'some.json'), '--bootstrap', '0']);
    assert.deepEqual(r.sites, chosen);
    const file = await readInterventionFile(join(outs, 'some.json'));
    let experts = 0;
    for (const s of aurocs) {
      const gain = file.sites[s.siteId]?.gain ?? new Array<number>(s.auroc.length).fill(1);
      const want = s.auroc.map((a) => (chosen.includes(s.siteId) && a > 0.5 ? 1 - 2 * (a - 0.5) : 1));
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(gain[i]! - want[i]!) < 1e-6, `${s.siteId}[${i}]: ${gain[i]} vs ${want[i]}`);
      experts += want.filter((g) => g !== 1).length;
    }
    assert.ok(experts > 0);
    assert.equal(r.experts, experts);
  });

  it('restricts a transport method too', async () => {
    const aurocs = readAurocs(dir, 'max').sites;
    const only = aurocs[0]!.siteId;
    await runFit([dir, '--method', 'linear-act', '--sites', only, '--out', join(outs, 'lin.json'), '--bootstrap', '0']);
    const file = await readInterventionFile(join(outs, 'lin.json'));
    for (const [id, s] of Object.entries(file.sites)) {
      if (id === only) continue;
      assert.ok(s.gain.every((g) => g === 1) && (s.bias ?? []).every((b) => b === 0), `${id} changed`);
    }
  });

  it('ANDs with another mask and rejects unknown ids', () => {
    const sites = [{ siteId: 'a', auroc: Float64Array.from([0.9, 0.8]) }, { siteId: 'b', auroc: Float64Array.from([0.7]) }];
    const m = restrictToSites(sites, ['a'], new Map([['a', Uint8Array.from([1, 0])], ['b', Uint8Array.from([1])]]));
    assert.deepEqual([...m.get('a')!], [1, 0]);
    assert.deepEqual([...m.get('b')!], [0]);
    assert.throws(() => restrictToSites(sites, ['a', 'zz']), (e: Error) => isUserError(e) && /--sites: zz not in the profile; its sites are a, b/.test(e.message));
  });

  it('gives a one-line error for an unknown site on the command line', async () => {
    await assert.rejects(runFit([dir, '--method', 'aura', '--sites', 'nope', '--out', join(outs, 'x.json'), '--bootstrap', '0']), (e: Error) => isUserError(e) && /--sites: nope not in the profile/.test(e.message) && !e.message.includes('\n'));
  });
});
