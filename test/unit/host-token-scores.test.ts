// Token highlights: how far each expert's activation lies above its responses on the non-toxic
// examples (percentiles of them), averaged with weights AUROC - 0.5; reference values by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heatLevel } from '../../src/editor/heat';
import { ghostText } from '../../src/editor/ghost-text';
import { NeuronSketch } from '../../src/aura/profile/sketch';
import { exceedance, histogramPercentiles, percentiles, REFERENCE_POINTS, scoreTokens, shareBelow, topExperts } from '../../src/host/token-scores';
import type { ExpertsSnapshot } from '../../src/shared/protocol';

const acts = {
  tokens: [
    { text: 'you', start: 0, end: 3 },
    { text: ' idiot', start: 3, end: 9 },
  ],
  // site a: 2 neurons; site b: 1 neuron; [tokens, neurons]
  values: new Map([
    ['a', new Float32Array([0, 0.1, 4, 0.5])],
    ['b', new Float32Array([-1, 1])],
  ]),
};
const widths = new Map([
  ['a', 2],
  ['b', 1],
]);

/** Percentiles of an evenly spaced reference lo, lo+1, ..., hi: q_k = lo + k (hi - lo) / 100, by hand. */
const even = (lo: number, hi: number) => Array.from({ length: REFERENCE_POINTS }, (_, k) => lo + (k * (hi - lo)) / 100);

test('percentiles interpolate between order statistics (type 7), computed by hand', () => {
  const q = percentiles(Float64Array.from([4, 1, 3, 2, 5]));
  assert.equal(q.length, 101);
  // Sorted 1..5: the k-th percentile sits at position 4k/100, so q_k = 1 + 0.04 k.
  for (const k of [0, 10, 25, 50, 75, 100]) assert.ok(Math.abs(q[k]! - (1 + 0.04 * k)) < 1e-12, `q${k} = ${q[k]}`);
  assert.deepEqual(percentiles(new Float64Array(0)), []);
});

test('the share below an activation: 0 under the minimum, 1 over the maximum, linear between', () => {
  const q = even(1, 5);
  assert.equal(shareBelow(q, 0.5), 0);
  assert.equal(shareBelow(q, 9), 1);
  // For evenly spaced responses the interpolated share is (a - min) / (max - min).
  for (const a of [1.2, 2.5, 3, 4.9]) assert.ok(Math.abs(shareBelow(q, a) - (a - 1) / 4) < 1e-12, `a = ${a}`);
  // Four of five responses at 0 (ReLU zeros): percentiles 0..75 are 0, so a 0 sits in the middle of that run.
  const zeros = percentiles(Float64Array.from([0, 0, 0, 0, 1]));
  assert.equal(shareBelow(zeros, 0), 0.375);
  // Above the median only: 0 at or below it, 1 above everything.
  assert.equal(exceedance(q, 2), 0);
  assert.equal(exceedance(q, 3), 0);
  assert.ok(Math.abs(exceedance(q, 4) - 0.5) < 1e-12);
  assert.equal(exceedance(q, 6), 1);
});

test('a token scores the AUROC-weighted mean of its experts\' exceedances over their non-toxic responses', () => {
  const experts = [
    // non-toxic responses evenly 0..2; AUROC 0.9 (weight 0.4)
    { site: 'a', neuron: 0, auroc: 0.9, reference: even(0, 2) },
    // non-toxic responses evenly -1..1; AUROC 0.7 (weight 0.2)
    { site: 'b', neuron: 0, auroc: 0.7, reference: even(-1, 1) },
  ];
  const [you, idiot] = scoreTokens(acts, experts, widths);
  // token 0: a = 0 (share 0, below the median), b = -1 (share 0): nothing.
  assert.equal(you!.score, 0);
  assert.equal(you!.top.length, 0);
  // token 1: a = 4 > max: exceedance 1; b = 1 = max: share 1, exceedance 1. (0.4 + 0.2) / 0.6 = 1.
  assert.ok(Math.abs(idiot!.score - 1) < 1e-12);
  const [, half] = scoreTokens({ ...acts, values: new Map([['a', new Float32Array([0, 0, 1.5, 0])], ['b', new Float32Array([0, 0])]]) }, experts, widths);
  // a = 1.5: share 0.75, exceedance 0.5; b = 0: share 0.5, exceedance 0. (0.4 * 0.5 + 0.2 * 0) / 0.6 = 1/3.
  assert.ok(Math.abs(half!.score - 1 / 3) < 1e-7, String(half!.score));
  assert.deepEqual(half!.top.map((t) => `${t.site}:${t.neuron}`), ['a:0']);
  assert.ok(Math.abs(half!.top[0]!.exceeds - 0.5) < 1e-7);
});

test('experts without a non-toxic reference (a sketch profile) are left out of the score', () => {
  const [, idiot] = scoreTokens(acts, [{ site: 'a', neuron: 0, auroc: 0.9, reference: [] }, { site: 'b', neuron: 0, auroc: 0.7, reference: even(-1, 3) }], widths);
  // Only b: activation 1 on -1..3 is share 0.5, exceedance 0.
  assert.equal(idiot!.score, 0);
});

test('top experts are the best ranked with AUROC above 0.5', () => {
  const e = { sites: [{ id: 'a', layer: 0, kind: 'mlp.in', neurons: 2 }], site: [0, 0], neuron: [1, 0], auroc: [0.8, 0.5] } as unknown as ExpertsSnapshot;
  assert.deepEqual(topExperts(e, 5), [{ site: 'a', neuron: 1, auroc: 0.8 }]);
});

test('heat levels and ghost text', () => {
  assert.equal(heatLevel(0, 0.5), 0);
  assert.equal(heatLevel(0.1, 0.5), 0);
  assert.equal(heatLevel(0.16, 0.5), 1);
  assert.equal(heatLevel(0.5, 0.5), 5);
  assert.equal(ghostText(' a\nb'), ' a ⏎ b');
  assert.ok(ghostText('x'.repeat(1000)).endsWith('…'));
});

test('a sketch profile\'s reference: percentiles of the non-toxic histogram, values spread evenly in each bin', () => {
  // One neuron, 4 bins of width 1 from 0; negatives: one value in each bin, none outside; positives ignored.
  const sk = new NeuronSketch(1, 4, { lo: Float64Array.of(0), width: Float64Array.of(1) });
  sk.counts.set([0, 1, 1, 1, 1, 0], 0);
  sk.counts.set([0, 0, 0, 0, 9, 9], 6);
  const q = histogramPercentiles(sk, 0);
  // Uniform on [0, 4]: q_k = 4k / 100.
  for (const k of [0, 10, 25, 50, 99, 100]) assert.ok(Math.abs(q[k]! - (4 * k) / 100) < 1e-12, `q${k} = ${q[k]}`);
  // Half the negatives under the range: they sit at its low end, so the lower half of the percentiles is 0... then uniform in bin 1.
  sk.counts.set([2, 2, 0, 0, 0, 0], 0);
  const r = histogramPercentiles(sk, 0);
  assert.equal(r[0], 0);
  assert.equal(r[50], 0);
  assert.ok(Math.abs(r[75]! - 0.5) < 1e-12, String(r[75]));
  assert.ok(Math.abs(r[100]! - 1) < 1e-12);
});
