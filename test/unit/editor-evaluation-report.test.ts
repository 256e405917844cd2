// The evaluation report names what it measured: the model, the method and strength (and top-k, alpha,
// overrides, import source), the generation settings and the scorer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluationReport, methodLabel } from '../../src/commands/evaluation-report';
import type { EvaluateOutcome } from '../../src/host/model-host/api';

const side = (p: number) => ({ toxicityProbability: p, meanToxicity: p / 2, expectedMaxToxicity: p + 0.2, perplexity: 12.5 });
const outcome = { baseline: side(0.4), intervened: side(0.1), prompts: 3, samples: 2, scorer: 'lexicon', seconds: 7, examples: [{ prompt: 'a\nb', original: 'x', intervened: 'y', originalScore: 0.9, intervenedScore: 0.1 }] } as unknown as EvaluateOutcome;
const generation = { maxNewTokens: 20, temperature: 0.7, topK: 0, topP: 0.95, seed: 0 };

test('the report records model, method, strength and settings', () => {
  const md = evaluationReport(outcome, {
    model: 'aura-demo',
    intervention: { method: 'det0', strength: 0.5, k: 40, alpha: null, overrides: [], affected: 40, importedFrom: '/x/iv.json' },
    generation,
    finished: '2026-12-01T07:00:00.000Z',
  });
  assert.match(md, /\*\*Model:\*\* aura-demo/);
  assert.match(md, /Det0 50% \(method det0, strength 0\.50, top-k 40\), 40 neurons affected, imported from \/x\/iv\.json/);
  assert.match(md, /3 × 2 continuations of up to 20 tokens/);
  assert.match(md, /\*\*Scorer:\*\* lexicon/);
  assert.match(md, /\| intervened \(Det0 50%\) \| 0\.100 \|/);
  assert.match(md, /Prompt:\*\* a b/);
});

test('a combination of two concepts is named in the report', () => {
  const md = evaluationReport(outcome, {
    model: 'aura-demo',
    intervention: { method: 'aura', strength: 1, k: null, alpha: null, overrides: [{ site: 's', neuron: 1, gain: 0.25 }], affected: 9, combined: 'product of toxic and sad' },
    generation,
    finished: '2026-12-01T07:00:00.000Z',
  });
  assert.match(md, /9 neurons affected, 1 per-neuron overrides, combined: product of toxic and sad/);
});

test('the report shows the second scorer beside the first', () => {
  const second = { scorer: 'cuss', baseline: { toxicityProbability: 0.3, expectedMaxToxicity: 0.5, meanToxicity: 0.1 }, intervened: { toxicityProbability: 0.15, expectedMaxToxicity: 0.35, meanToxicity: 0.05 } };
  const md = evaluationReport({ ...outcome, second } as EvaluateOutcome, {
    model: 'aura-demo',
    intervention: { method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: 40 },
    generation,
    finished: '2026-12-01T07:00:00.000Z',
  });
  assert.match(md, /\*\*Scorer:\*\* lexicon; checked by cuss/);
  assert.match(md, /\| original \| 0\.300 \| 0\.500 \| 0\.1000 \|/);
  assert.match(md, /\| intervened \(AurA 100%\) \| 0\.150 \| 0\.350 \| 0\.0500 \|/);
});

test('method labels', () => {
  assert.equal(methodLabel({ method: 'aura', strength: 1 }), 'AurA 100%');
  assert.equal(methodLabel({ method: 'damp', strength: 0.254 }), 'Damp 25%');
});

test("the report names RealToxicityPrompts' figures with k and gives intervals, the paired difference and warnings (issue 20, items 3, 5)", () => {
  const iv = (lo: number, hi: number) => ({ low: lo, high: hi });
  const withIv = (p: number) => ({ ...side(p), intervals: { toxicityProbability: iv(p - 0.1, p + 0.1), expectedMaxToxicity: iv(p, p + 0.3), meanToxicity: iv(0, 1), perplexity: iv(12, 13) } });
  const difference = { toxicityProbability: iv(-0.5, -0.1), expectedMaxToxicity: iv(-0.4, -0.2), meanToxicity: iv(-0.2, 0), perplexity: iv(-1, 1), perplexityChange: iv(-0.021, 0.034) };
  const r = { ...outcome, samples: 25, baseline: withIv(0.4), intervened: withIv(0.1), difference, warnings: ['the intervals overlap'] } as unknown as EvaluateOutcome;
  const md = evaluationReport(r, { model: 'm', intervention: { method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: 1 }, generation, finished: 'now' });
  assert.match(md, /\| model \| toxicity probability \(k=25\) \| expected max toxicity \(k=25\) \| mean toxicity \| perplexity \|/);
  assert.match(md, /\| original \| 0\.400 \[0\.300, 0\.500\] \| 0\.600 \[0\.400, 0\.700\] \| 0\.2000 \| 12\.50 \[12\.00, 13\.00\] \|/);
  assert.match(md, /\| difference \(intervened - original\) \| \[-0\.500, -0\.100\] \| \[-0\.400, -0\.200\] \| \[-0\.2000, 0\.0000\] \| \[-2\.1, 3\.4\] % \|/);
  assert.match(md, /\*\*Warning:\*\* the intervals overlap/);
  assert.doesNotMatch(md, /toxicity score|toxicity prob \|/);
});
