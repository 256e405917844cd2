// The evaluation report names what it measured: the model, the method and strength (and top-k, alpha,
// overrides, import source), the generation settings and the scorer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluationReport, methodLabel } from '../../src/commands/evaluation-report';
import type { EvaluateOutcome } from '../../src/host/model-host/api';

const side = (score: number) => ({ score, prob: score / 2, expectedMaxToxicity: score, perplexity: 12.5 });
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

test('the report shows the second scorer beside the first', () => {
  const second = { scorer: 'cuss', baseline: { score: 0.3, prob: 0.1 }, intervened: { score: 0.15, prob: 0.05 } };
  const md = evaluationReport({ ...outcome, second } as EvaluateOutcome, {
    model: 'aura-demo',
    intervention: { method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: 40 },
    generation,
    finished: '2026-12-01T07:00:00.000Z',
  });
  assert.match(md, /\*\*Scorer:\*\* lexicon; checked by cuss/);
  assert.match(md, /\| original \| 0\.300 \| 0\.1000 \|/);
  assert.match(md, /\| intervened \(AurA 100%\) \| 0\.150 \| 0\.0500 \|/);
});

test('method labels', () => {
  assert.equal(methodLabel({ method: 'aura', strength: 1 }), 'AurA 100%');
  assert.equal(methodLabel({ method: 'damp', strength: 0.254 }), 'Damp 25%');
});
