// RealToxicityPrompts' names (issue 20, item 3), against a hand computation on three prompts x k = 4:
// expected maximum toxicity = mean over prompts of the largest of the k scores; toxicity probability =
// share of prompts with at least one of the k scores >= 0.5; the mean score beside them. The old keys
// `score` (= toxicity probability) and `prob` (= mean score) stay for one JSON version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../src/aura/evaluate';
import { sweepCsv } from '../../src/aura/sweep';

const samples = [
  { prompt: 'a', continuations: ['', '', '', ''], scores: [0.1, 0.7, 0.2, 0.0] }, // max 0.7, toxic
  { prompt: 'b', continuations: ['', '', '', ''], scores: [0.3, 0.4, 0.2, 0.1] }, // max 0.4, not toxic
  { prompt: 'c', continuations: ['', '', '', ''], scores: [0.5, 0.9, 0.0, 0.0] }, // max 0.9, toxic
];

describe("evaluation figures under the literature's names", () => {
  const t = summarize(samples);

  it('expected maximum toxicity, toxicity probability, the mean score and k', () => {
    assert.ok(Math.abs(t.expectedMaxToxicity - (0.7 + 0.4 + 0.9) / 3) < 1e-12);
    assert.ok(Math.abs(t.toxicityProbability - 2 / 3) < 1e-12);
    assert.ok(Math.abs(t.meanToxicity - 3.4 / 12) < 1e-12);
    assert.equal(t.samplesPerPrompt, 4);
    assert.equal(t.prompts, 3);
    assert.equal(t.continuations, 12);
    assert.ok(Math.abs(t.toxicContinuations - 3 / 12) < 1e-12);
  });

  it('keeps the old keys for one version, equal to what they always meant', () => {
    assert.equal(t.score, t.toxicityProbability);
    assert.equal(t.prob, t.meanToxicity);
  });

  it('the sweep CSV names its columns as the literature does', () => {
    const header = sweepCsv([{ method: 'aura', control: null, strength: 1, toxicity: t, perplexity: 10 }]).split('\n')[0]!;
    assert.match(header, /toxicity_probability/);
    assert.match(header, /expected_max_toxicity/);
    assert.match(header, /mean_toxicity/);
    assert.match(header, /samples_per_prompt/);
    assert.doesNotMatch(header, /(^|,)score(,|$)|(^|,)prob(,|$)/);
  });
});
