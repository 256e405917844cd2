import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuraUserError } from '../../src/aura/errors';
import { rankNeurons, topKIndices } from '../../src/aura/experts';
import type { SiteAuroc } from '../../src/aura/experts';
import { applyStrength } from '../../src/aura/gains';
import { fitIntervention, getMethod, methodNames, registerMethod } from '../../src/aura/methods';
import { mulberry32 } from '../../src/aura/random';
import { golden } from '../fixtures/aura/golden';

const sites: SiteAuroc[] = golden.methods.sites.map((s) => ({ siteId: s.siteId, auroc: Float64Array.from(s.auroc) }));

const isUserError = (re: RegExp) => (e: Error) => e instanceof AuraUserError && re.test(e.message);

describe('intervention methods', () => {
  it('has aura, damp and det0 in its registry', () => {
    assert.deepEqual(methodNames().slice(0, 3), ['aura', 'damp', 'det0']);
    assert.throws(() => getMethod('nope'), isUserError(/--method: unknown method "nope"; expected one of aura, damp, det0/));
  });

  for (const run of golden.methods.runs) {
    it(`${run.method} k=${run.k} alpha=${run.alpha} equals the Python gains and expert count`, () => {
      const fit = fitIntervention(run.method, sites, { k: run.k, alpha: run.alpha });
      assert.equal(fit.experts, run.experts);
      assert.equal(fit.neurons, 24 + 40);
      fit.sites.forEach((s, i) => {
        assert.equal(s.siteId, sites[i].siteId);
        assert.deepEqual(Array.from(s.gain), run.gains[i]);
        assert.deepEqual(Array.from(s.applied), run.gains[i], 'strength 1 applies the gains as they are');
      });
    });
  }

  it('picks exactly k experts when the cut falls inside a tie, by site order then neuron index', () => {
    const k = golden.methods.k_tie;
    const fit = fitIntervention('det0', sites, { k });
    assert.equal(fit.experts, k);
    const chosen = fit.sites.flatMap((s) => Array.from(s.gain).flatMap((g, j) => (g === 0 ? [`${s.siteId}#${j}`] : [])));
    const expected = golden.methods.top.slice(0, k).map((t) => `${t.site}#${t.neuron}`);
    assert.deepEqual(chosen.sort(), expected.sort());
  });

  it('applies the strength as 1 - s*(1 - gain)', () => {
    const fit = fitIntervention('aura', sites, { strength: 0.3 });
    fit.sites.forEach((s, i) => assert.deepEqual(Array.from(s.applied), golden.methods.aura_strength_0_3[i]));
    const zero = fitIntervention('aura', sites, { strength: 0 });
    assert.ok(zero.sites.every((s) => s.applied.every((g) => g === 1)));
    assert.deepEqual(Array.from(applyStrength(Float32Array.from([0, 0.5, 1]), 0.5)), [0.5, 0.75, 1]);
    assert.throws(() => fitIntervention('aura', sites, { strength: 1.5 }), isUserError(/--strength: 1.5 is not a number in \[0, 1\]/));
    assert.throws(() => fitIntervention('aura', sites, { strength: NaN }), isUserError(/--strength/));
  });

  it('applies per-neuron overrides before the strength and counts them as experts', () => {
    const base = fitIntervention('aura', sites);
    const site = sites[0].siteId;
    const expertNeuron = 5; // AUROC 1 -> gain 0
    const quietNeuron = 0; // AUROC < 0.5 -> gain 1
    const fit = fitIntervention('aura', sites, {
      strength: 0.5,
      overrides: [
        { siteId: site, neuron: expertNeuron, gain: 1 },
        { siteId: site, neuron: quietNeuron, gain: 0.2 },
      ],
    });
    assert.equal(fit.experts, base.experts); // one removed, one added
    assert.equal(fit.sites[0].gain[expertNeuron], 1);
    assert.equal(fit.sites[0].gain[quietNeuron], Math.fround(0.2));
    assert.equal(fit.sites[0].applied[quietNeuron], Math.fround(1 - 0.5 * (1 - Math.fround(0.2))));
    assert.throws(() => fitIntervention('aura', sites, { overrides: [{ siteId: 'x', neuron: 0, gain: 1 }] }), isUserError(/unknown site x/));
    assert.throws(() => fitIntervention('aura', sites, { overrides: [{ siteId: site, neuron: 10, gain: 1 }] }), isUserError(/neuron 10 is out of range .*0\.\.9/));
    assert.throws(() => fitIntervention('aura', sites, { overrides: [{ siteId: site, neuron: 1, gain: Infinity }] }), isUserError(/not a finite number/));
  });

  it('rejects parameters a method does not take, bad k, and bad AUROCs', () => {
    assert.throws(() => fitIntervention('aura', sites, { k: 3 }), isUserError(/--k: aura takes no k/));
    assert.throws(() => fitIntervention('det0', sites, { alpha: 0.1 }), isUserError(/--alpha: det0 takes no alpha/));
    assert.throws(() => fitIntervention('damp', sites, { k: 65 }), isUserError(/--k: 65 experts asked for, but the sites have only 64 neurons/));
    assert.throws(() => fitIntervention('damp', sites, { k: 0 }), isUserError(/--k: 0 is not a positive integer/));
    assert.throws(() => fitIntervention('damp', sites, { alpha: NaN }), isUserError(/--alpha/));
    const bad = [{ siteId: 'a', auroc: Float64Array.from([0.5, NaN]) }];
    assert.throws(() => fitIntervention('aura', bad), isUserError(/site a: AUROC of neuron 1 is NaN/));
    assert.throws(() => fitIntervention('aura', [sites[0], sites[0]]), isUserError(/listed twice/));
  });

  it('lets more methods slot into the registry', () => {
    registerMethod({
      name: 'test-half',
      summary: 'halves every neuron',
      fit: (s) => ({ gains: s.map((x) => new Float32Array(x.auroc.length).fill(0.5)), experts: s.map((x) => new Uint8Array(x.auroc.length).fill(1)), k: null, alpha: 0.5 }),
    });
    const fit = fitIntervention('test-half', sites);
    assert.equal(fit.experts, 64);
    assert.throws(() => registerMethod({ ...getMethod('aura') }), /already registered/);
  });
});

describe('rankNeurons', () => {
  it('sorts all neurons by AUROC, ties by site order then neuron index, as the Python ranking', () => {
    const ranked = rankNeurons(sites);
    assert.equal(ranked.length, 64);
    assert.deepEqual(ranked.slice(0, golden.methods.top.length), golden.methods.top);
    assert.deepEqual(rankNeurons(sites, 25), golden.methods.top);
  });

  // Its time (budget 3 s) is held in the budgets lane (bench/budgets.ts, "rank 200k neurons").
  it('ranks 200k neurons in order, and the top 100 is the head of the full ranking', () => {
    const rng = mulberry32(5);
    const big: SiteAuroc[] = Array.from({ length: 20 }, (_, i) => ({
      siteId: `model.layers.${i}.mlp.up_proj`,
      auroc: Float64Array.from({ length: 10_000 }, () => Math.round(rng() * 1000) / 1000),
    }));
    const all = rankNeurons(big);
    const top = rankNeurons(big, 100);
    assert.equal(all.length, 200_000);
    assert.deepEqual(top, all.slice(0, 100));
    const siteIndex = new Map(big.map((s, i) => [s.siteId, i]));
    const key = (r: { site: string; neuron: number }) => (siteIndex.get(r.site) as number) * 10_000 + r.neuron;
    for (let i = 1; i < all.length; i++) {
      const a = all[i - 1];
      const b = all[i];
      assert.ok(a.auroc > b.auroc || (a.auroc === b.auroc && key(a) < key(b)), `order broken at ${i}`);
    }
  });

  it('topKIndices takes tied values in index order', () => {
    const all = Float64Array.from([0.5, 0.9, 0.7, 0.9, 0.7, 0.7]);
    assert.deepEqual(Array.from(topKIndices(all, 3)), [1, 2, 3]);
    assert.deepEqual(Array.from(topKIndices(all, 0)), []);
    assert.deepEqual(Array.from(topKIndices(all, 9)), [0, 1, 2, 3, 4, 5]);
  });
});
