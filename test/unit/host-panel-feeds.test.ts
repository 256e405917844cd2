// The statistics and sweep results reach the panel in its protocol's shape: per-site columns become
// per-row columns in ranking order, the null histogram a sample with the same shape (issue 9).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expertStatsFrom, nullSample, sweepSnapshotFrom } from '../../src/host/panel-feeds';
import { parseHostMessage } from '../../src/shared/protocol';
import type { ProfileStats } from '../../src/aura/stats/significance';
import type { ExpertsSnapshot } from '../../src/shared/protocol';

const f = (...x: number[]) => Float64Array.from(x);
const snapshot: ExpertsSnapshot = {
  source: 'c.jsonl',
  positives: 30,
  negatives: 30,
  pooling: 'max',
  sites: [
    { id: 'a', layer: 0, kind: 'mlp.in', neurons: 2 },
    { id: 'b', layer: 1, kind: 'mlp.in', neurons: 2 },
  ],
  // Ranking: b:1 (0.9), a:0 (0.8), a:1 (0.4), b:0 (0.3)
  site: Uint32Array.from([1, 0, 0, 1]),
  neuron: Uint32Array.from([1, 0, 1, 0]),
  auroc: f(0.9, 0.8, 0.4, 0.3),
  perLayer: [],
};
const stats = {
  pooling: 'max',
  positives: 30,
  negatives: 30,
  confidence: 0.95,
  resamples: 200,
  tooSmall: false,
  warnings: [],
  sites: [
    { id: 'a', neurons: 2, auroc: f(0.8, 0.4), ciLow: f(0.7, 0.3), ciHigh: f(0.85, 0.5), p: f(0.01, 0.9), q: f(0.02, 0.95), heldOutAuroc: f(0.75, 0.45) },
    { id: 'b', neurons: 2, auroc: f(0.3, 0.9), ciLow: f(0.2, 0.85), ciHigh: f(0.4, 0.95), p: f(0.99, 0.001), q: f(0.99, 0.004), heldOutAuroc: f(0.35, 0.88) },
  ],
  null: { permutations: 2, histogram: [0, 0, 4, 2], alpha: 0.05, rejectRate: 0.05 },
  summary: { neurons: 4, maxQ: 0.05, significant: 2, nearChance: 0, medianCiWidth: 0.15 },
} as unknown as ProfileStats;

test('per-site statistics become columns in the ranking order', () => {
  const s = expertStatsFrom(stats, snapshot);
  assert.deepEqual([...s.ciLow!], [0.85, 0.7, 0.3, 0.2]);
  assert.deepEqual([...s.ciHigh!], [0.95, 0.85, 0.5, 0.4]);
  assert.deepEqual([...s.qValue!], [0.004, 0.02, 0.95, 0.99]);
  assert.deepEqual([...s.heldOut!], [0.88, 0.75, 0.45, 0.35]);
  assert.equal(s.level, 0.95);
  assert.equal(s.significant, 2);
  // Bins of width 0.25: four values at 0.625 and two at 0.875.
  assert.deepEqual([...s.nullAuroc!], [0.625, 0.625, 0.625, 0.625, 0.875, 0.875]);
  // The result is a valid message for the page.
  assert.ok(parseHostMessage({ type: 'didChangeExperts', experts: { ...snapshot, stats: s } }));
});

test('a column missing for any site is left out; a large null is scaled down, shape kept', () => {
  const partial = { ...stats, sites: [stats.sites[0]!, { ...stats.sites[1]!, ciLow: undefined, ciHigh: undefined }] } as ProfileStats;
  const s = expertStatsFrom(partial, snapshot);
  assert.equal(s.ciLow, undefined);
  assert.ok(s.qValue);
  const big = nullSample([1_000_000, 3_000_000]);
  assert.equal(big.length, 100_000);
  assert.equal(big.filter((x) => x === 0.25).length, 25_000);
});

test('sweep points carry the toxicity probability, k and the intervals', () => {
  // The mean score (0.1) differs from the toxicity probability (0.25), so a swapped field shows.
  const tox = (p: number) => ({ toxicityProbability: p, score: p, meanToxicity: 0.1, prob: 0.1, expectedMaxToxicity: 0.4, samplesPerPrompt: 10, toxicContinuations: 0 });
  const intervals = { toxicityProbability: { low: 0.2, high: 0.3 }, expectedMaxToxicity: { low: 0.3, high: 0.5 }, meanToxicity: { low: 0, high: 0.2 }, perplexity: { low: 30, high: 32 } };
  const w = sweepSnapshotFrom([{ method: 'aura', control: 'random', strength: 0.5, toxicity: tox(0.25), perplexity: 31, intervals }] as never, 'lexicon', undefined, { prompts: 40 });
  assert.deepEqual(w, {
    scorer: 'lexicon',
    samplesPerPrompt: 10,
    prompts: 40,
    points: [{ method: 'aura', control: 'random', strength: 0.5, toxicity: 0.25, perplexity: 31, toxicityInterval: { low: 0.2, high: 0.3 }, perplexityInterval: { low: 30, high: 32 } }],
  });
});

test('what a neuron writes reaches the detail as ten tokens each way with its tag, or as the reason it cannot', async () => {
  const { detailWritesFrom } = await import('../../src/host/panel-feeds');
  const tok = (i: number, logit: number) => ({ id: i, token: ` t${i}`, logit, toxic: false });
  const w = { siteId: 's', neuron: 1, layer: 0, promoted: Array.from({ length: 20 }, (_, i) => tok(i, 20 - i)), suppressed: [tok(99, -3)], toxicPromoted: 2, role: 'generation', source: {} };
  const d = detailWritesFrom(w as never);
  assert.equal(d.role, 'generation');
  assert.ok(d.writes && 'promoted' in d.writes);
  assert.deepEqual(d.writes.promoted.map((t) => t.logit), [20, 19, 18, 17, 16, 15, 14, 13, 12, 11]);
  assert.deepEqual(d.writes.suppressed, [{ token: ' t99', logit: -3 }]);
  assert.deepEqual(detailWritesFrom(new Error('weights are quantised (MatMulInteger W)')), { writes: { unavailable: 'weights are quantised (MatMulInteger W)' } });
});
