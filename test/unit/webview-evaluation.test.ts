// The evaluation card names what it measured and is marked stale once the panel's intervention differs.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

const side = (score: number) => ({ score, prob: score / 2, perplexity: 20 });

test('the card says what it measured and goes stale when the intervention changes', () => {
  const experts = bigExperts(50);
  page = mountPage();
  const p = page;
  p.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  p.fromHost({ type: 'didChangeExperts', experts });
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 1 }) });
  const measured = { model: 'aura-demo', method: 'aura' as const, strength: 1, k: null, alpha: null, overrides: 0 };
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 2, scorer: 'lexicon', seconds: 4, baseline: side(0.4), intervened: side(0.1), measured } });
  const card = p.doc.querySelector('section.evaluation')!;
  assert.match(card.textContent ?? '', /aura-demo, AurA 100%/);
  assert.equal(p.doc.querySelector('[data-testid="evaluation-stale"]'), null);
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 0.4 }) });
  assert.ok(card.classList.contains('stale'));
  assert.match(p.doc.querySelector('[data-testid="evaluation-stale"]')?.textContent ?? '', /measured at AurA 100%/);
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 1 }) });
  assert.ok(!card.classList.contains('stale'), 'back to what was measured');
});

test('the card shows the second scorer beside the first, and nothing when there is none', () => {
  const experts = bigExperts(50);
  page = mountPage();
  const p = page;
  p.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  p.fromHost({ type: 'didChangeExperts', experts });
  const second = { scorer: 'cuss', baseline: { score: 0.3, prob: 0.1 }, intervened: { score: 0.12, prob: 0.05 } };
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 2, scorer: 'lexicon', seconds: 4, baseline: side(0.4), intervened: side(0.1), second } });
  assert.equal(p.doc.querySelector('[data-testid="evaluation-second"]')?.textContent, 'Second scorer (cuss): toxicity score 0.300 → 0.120, 2.50× less toxic.');
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 2, scorer: 'lexicon', seconds: 4, baseline: side(0.4), intervened: side(0.1) } });
  assert.equal(p.doc.querySelector('[data-testid="evaluation-second"]'), null);
});
