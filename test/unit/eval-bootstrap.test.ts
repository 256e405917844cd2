// The evaluation's bootstrap (issue 20, item 5) against hand computations and known distributions:
// NumPy's linear quantile by hand, the exact bootstrap distribution of a two-prompt mean, the normal
// approximation of a proportion's interval, the paired difference of identical or shifted sides, and
// that a prompt's k samples travel together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { differenceIntervals, evaluationIntervals, overlaps, overlapWarnings, quantile, resampleIndices } from '../../src/aura/evaluation-intervals';
import type { PromptSamples } from '../../src/aura/evaluate';

const prompt = (i: number, scores: number[]): PromptSamples => ({ prompt: `p${i}`, continuations: scores.map(() => ''), scores });

describe('bootstrap over prompts', () => {
  it('quantile interpolates as NumPy does (hand computation)', () => {
    // np.quantile([1, 2, 4, 8], [0.025, 0.5, 0.975]) = [1.075, 3.0, 7.7]
    assert.ok(Math.abs(quantile([1, 2, 4, 8], 0.025) - 1.075) < 1e-12);
    assert.equal(quantile([1, 2, 4, 8], 0.5), 3);
    assert.ok(Math.abs(quantile([1, 2, 4, 8], 0.975) - 7.7) < 1e-12);
  });

  it('two prompts, one toxic: the resampled toxicity probability is 0, 1/2, 1 with chances 1/4, 1/2, 1/4', () => {
    const B = 40_000;
    const counts = [0, 0, 0];
    for (const idx of resampleIndices(2, B, 3)) counts[idx[0]! + idx[1]!]!++;
    // Binomial(B, p) standard error is at most 0.0025 here; 4 standard errors.
    for (const [k, p] of [0.25, 0.5, 0.25].entries()) assert.ok(Math.abs(counts[k]! / B - p) < 0.01, `${k}: ${counts[k]! / B}`);
    const r = evaluationIntervals({ samples: [prompt(0, [0.9, 0.1]), prompt(1, [0.1, 0.2])] }, { resamples: 4000 });
    assert.deepEqual(r.toxicityProbability, { low: 0, high: 1 });
  });

  it('a proportion over 400 prompts: the interval is p +- 1.96 sqrt(p(1-p)/n) within Monte Carlo error', () => {
    const samples = Array.from({ length: 400 }, (_, i) => prompt(i, i % 4 === 0 ? [0.8, 0.1, 0.0] : [0.2, 0.1, 0.0]));
    const r = evaluationIntervals({ samples }, { resamples: 4000, seed: 1 });
    const p = 0.25;
    const half = 1.96 * Math.sqrt((p * (1 - p)) / 400);
    assert.ok(Math.abs(r.toxicityProbability.low - (p - half)) < 0.008, `low ${r.toxicityProbability.low} vs ${p - half}`);
    assert.ok(Math.abs(r.toxicityProbability.high - (p + half)) < 0.008, `high ${r.toxicityProbability.high} vs ${p + half}`);
    // Expected max toxicity: per-prompt max is 0.8 or 0.2, so EMT = 0.2 + 0.6 * share, interval mapped the same way.
    assert.ok(Math.abs(r.expectedMaxToxicity.low - (0.2 + 0.6 * r.toxicityProbability.low)) < 1e-9);
    assert.ok(Math.abs(r.expectedMaxToxicity.high - (0.2 + 0.6 * r.toxicityProbability.high)) < 1e-9);
  });

  it("keeps each prompt's k samples together: 20 prompts whose 25 samples agree resolve no better than 20 draws", () => {
    // Ten toxic prompts (all 25 samples toxic) and ten clean: the mean score's interval is that of a
    // proportion over 20 prompts (half-width about 0.22), not over 500 samples (about 0.044).
    const samples = Array.from({ length: 20 }, (_, i) => prompt(i, new Array<number>(25).fill(i < 10 ? 1 : 0)));
    const r = evaluationIntervals({ samples }, { resamples: 4000, seed: 2 });
    const half = 1.96 * Math.sqrt(0.25 / 20);
    assert.ok(Math.abs((r.meanToxicity.high - r.meanToxicity.low) / 2 - half) < 0.03, `half-width ${(r.meanToxicity.high - r.meanToxicity.low) / 2} vs ${half}`);
  });

  it('perplexity over texts: exp of resampled NLL per token; a constant per-token shift is a point difference', () => {
    const tokens = Uint32Array.from({ length: 50 }, (_, i) => 5 + (i % 7));
    const nll = Float64Array.from(tokens, (t, i) => t * (3 + 0.1 * Math.sin(i)));
    const shift = Math.log(1.05);
    const base = { samples: [prompt(0, [0.1])], perplexityTexts: { nll, tokens } };
    const other = { samples: [prompt(0, [0.1])], perplexityTexts: { nll: Float64Array.from(nll, (v, i) => v + tokens[i]! * shift), tokens } };
    const d = differenceIntervals(base, other, { resamples: 500 });
    // ppl_other = exp(NLL/T + shift) = 1.05 * ppl_base on every resample: the change is exactly +5%.
    assert.ok(Math.abs(d.perplexityChange!.low - 0.05) < 1e-9 && Math.abs(d.perplexityChange!.high - 0.05) < 1e-9, JSON.stringify(d.perplexityChange));
    const one = evaluationIntervals(base, { resamples: 2000 });
    const ppl = Math.exp(nll.reduce((a, v) => a + v, 0) / tokens.reduce((a, v) => a + v, 0));
    assert.ok(one.perplexity!.low < ppl && ppl < one.perplexity!.high);
  });

  it('identical sides differ by exactly zero; different prompts are refused', () => {
    const samples = Array.from({ length: 30 }, (_, i) => prompt(i, [(i % 3) / 2, 0.1]));
    const d = differenceIntervals({ samples }, { samples }, { resamples: 300 });
    for (const k of ['toxicityProbability', 'expectedMaxToxicity', 'meanToxicity'] as const) assert.deepEqual(d[k], { low: 0, high: 0 });
    assert.equal(d.perplexity, null);
    assert.throws(() => differenceIntervals({ samples }, { samples: samples.slice(1) }), /same prompts/);
  });

  it('overlap', () => {
    assert.equal(overlaps({ low: 0, high: 0.2 }, { low: 0.2, high: 0.3 }), true);
    assert.equal(overlaps({ low: 0, high: 0.19 }, { low: 0.2, high: 0.3 }), false);
  });
});

describe('overlap warnings', () => {
  const iv = (low: number, high: number) => ({ low, high });
  const side = (t: [number, number], p: [number, number]) => ({ toxicityProbability: iv(...t), expectedMaxToxicity: iv(0, 1), meanToxicity: iv(0, 1), perplexity: iv(...p) });
  it('warns on overlapping intervals, and says whether the paired difference resolves them', () => {
    const a = side([0.2, 0.4], [100, 110]);
    const b = side([0.3, 0.5], [120, 130]);
    const w = overlapWarnings('A', a, 'B', b);
    assert.equal(w.length, 1);
    assert.match(w[0]!, /^A and B: the 95% intervals of toxicity probability overlap \(\[0\.200, 0\.400\] and \[0\.300, 0\.500\]\); these prompts do not resolve the difference$/);
    const resolved = { ...side([-0.2, -0.05], [0, 0]), perplexityChange: iv(0.01, 0.02) };
    const both = overlapWarnings('A', a, 'B', side([0.3, 0.5], [105, 115]), resolved);
    assert.match(both[0]!, /paired difference \[-0\.200, -0\.050\] excludes 0, so pairing \(same prompts and seeds\) resolves it$/);
    assert.match(both[1]!, /perplexity overlap .*paired difference \[1\.0, 2\.0\] % excludes 0/);
    assert.deepEqual(overlapWarnings('A', side([0, 0.1], [1, 2]), 'B', side([0.2, 0.3], [3, 4])), []);
  });
});
