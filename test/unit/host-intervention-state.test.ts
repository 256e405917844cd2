// The intervention state must give exactly the gains fitIntervention gives (the exports use them),
// count affected neurons as the engine will apply them, and agree with the page's per-row gains.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankNeurons } from '../../src/aura/experts';
import { interventionFromFit } from '../../src/aura/intervention-file';
import { fitIntervention } from '../../src/aura/methods';
import { mulberry32 } from '../../src/aura/random';
import { InterventionState, normalize } from '../../src/host/intervention-state';
import { appliedGain, fullGain } from '../../src/shared/row-gain';
import type { SiteAuroc } from '../../src/aura/experts';
import type { InterventionSettings } from '../../src/shared/protocol';

function aurocs(seed = 3): SiteAuroc[] {
  const rng = mulberry32(seed);
  // Rounded to 1/64 so ties occur, as they do in real profiles with few examples.
  const site = (id: string, n: number) => ({ siteId: id, auroc: Float64Array.from({ length: n }, () => Math.round((0.3 + 0.5 * rng()) * 64) / 64) });
  return [site('transformer.h.0.mlp.c_fc', 48), site('transformer.h.0.mlp.c_proj', 16), site('transformer.h.1.mlp.c_fc', 48)];
}

const CASES: InterventionSettings[] = [
  { method: 'aura', strength: 1, k: null, alpha: null },
  { method: 'aura', strength: 0.37, k: null, alpha: null },
  { method: 'aura', strength: 0, k: null, alpha: null },
  { method: 'damp', strength: 1, k: 10, alpha: 0.25 },
  { method: 'damp', strength: 0.5, k: null, alpha: 0.5 },
  { method: 'det0', strength: 0.8, k: 17, alpha: null },
  { method: 'det0', strength: 1, k: null, alpha: null },
];

for (const settings of CASES) {
  test(`${settings.method} at ${settings.strength} (k ${settings.k}): gains and affected count match fitIntervention`, () => {
    const sites = aurocs();
    const state = new InterventionState();
    state.setAurocs(sites);
    state.update(settings);
    const params = settings.method === 'aura' ? {} : settings.method === 'det0' ? { k: settings.k } : { k: settings.k, alpha: settings.alpha };
    const fit = fitIntervention(settings.method, sites, { ...params, strength: settings.strength });
    const gains = state.appliedGains()!;
    let affected = 0;
    for (const s of fit.sites) {
      assert.deepEqual(gains.get(s.siteId), s.applied, s.siteId);
      for (const v of s.applied) if (v !== 1) affected++;
    }
    assert.equal(state.snapshot().affected, affected);
    assert.deepEqual({ ...state.snapshot(), overrides: [], affected: 0, revision: 0 }, { ...settings, overrides: [], affected: 0, revision: 0 });

    // The page's per-row gain (rows in rank order) is the same number.
    const ranked = rankNeurons(sites);
    ranked.forEach((r, row) => {
      const fitted = fit.sites.find((s) => s.siteId === r.site)!.applied[r.neuron]!;
      assert.equal(appliedGain(fullGain(settings, row, r.auroc), settings.strength), fitted, `${r.site}:${r.neuron}`);
    });
  });
}

test('overrides replace the method gain of one neuron, and clearing restores it', () => {
  const state = new InterventionState();
  const sites = aurocs();
  state.setAurocs(sites);
  state.update({ method: 'aura', strength: 0.5, k: null, alpha: null });
  const before = state.snapshot().affected;
  const site = sites[1]!.siteId;
  const calm = sites[1]!.auroc.findIndex((a) => a <= 0.5);
  state.setOverride(site, calm, 0);
  assert.equal(state.appliedGains()!.get(site)![calm], 0.5);
  assert.equal(state.snapshot().affected, before + 1);
  assert.deepEqual(state.snapshot().overrides, [{ site, neuron: calm, gain: 0 }]);
  state.setOverride(site, calm, null);
  assert.equal(state.snapshot().affected, before);
  assert.throws(() => state.setOverride(site, 999, 0), /out of range/);
  assert.throws(() => state.setOverride('nope', 0, 0), /unknown site/);
});

test('changes are announced, and a new profile keeps the method but drops the overrides', () => {
  const state = new InterventionState();
  const seen: number[] = [];
  state.onDidChange((s) => seen.push(s.affected));
  state.setAurocs(aurocs(1));
  state.update({ method: 'det0', strength: 1, k: 5, alpha: null });
  state.setOverride(aurocs(1)[0]!.siteId, 0, 0.5);
  state.setAurocs(aurocs(2));
  assert.equal(seen.length, 4);
  assert.equal(state.snapshot().method, 'det0');
  assert.deepEqual(state.snapshot().overrides, []);
  assert.equal(state.snapshot().affected, 5);
});

test('normalize keeps only what a method uses and bounds k by the neurons there are', () => {
  assert.deepEqual(normalize({ method: 'aura', strength: 2, k: 5, alpha: 0.1 }, 100), { method: 'aura', strength: 1, k: null, alpha: null });
  assert.deepEqual(normalize({ method: 'det0', strength: 0.5, k: 500, alpha: 0.1 }, 100), { method: 'det0', strength: 0.5, k: 100, alpha: null });
  assert.deepEqual(normalize({ method: 'damp', strength: 0.5, k: null, alpha: null }, 100), { method: 'damp', strength: 0.5, k: null, alpha: 0.5 });
});

test('importing a file reproduces its gains exactly, hand-set ones included', () => {
  const sites = aurocs();
  const fit = fitIntervention('damp', sites, { k: 12, alpha: 0.3, strength: 0.6, overrides: [{ siteId: sites[2]!.siteId, neuron: 3, gain: 1.5 }] });
  const file = interventionFromFit(fit, { model: { name: 'tiny' }, pooling: 'max', data: { positives: 1, negatives: 1, source: 'x' }, aurocs: new Map(sites.map((s) => [s.siteId, s.auroc])) });
  const state = new InterventionState();
  state.importFile(file, '/tmp/x.json');
  const snap = state.snapshot();
  assert.equal(snap.method, 'damp');
  assert.equal(snap.strength, 0.6);
  assert.equal(snap.importedFrom, '/tmp/x.json');
  for (const s of fit.sites) assert.deepEqual(state.appliedGains()!.get(s.siteId), s.applied);
});
