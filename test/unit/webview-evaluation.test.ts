// The evaluation card names what it measured and is marked stale once the panel's intervention differs.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, feedProfile, intervention, mountPage, type MountedPage } from '../helpers/page';

let page: MountedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

const side = (p: number) => ({ toxicityProbability: p, expectedMaxToxicity: p + 0.1, meanToxicity: p / 2, perplexity: 20 });

test('the card says what it measured and goes stale when the intervention changes', () => {
  const experts = bigExperts(50);
  page = mountPage();
  const p = feedProfile(page, experts, intervention({ strength: 1, revision: 1 }));
  const measured = { model: 'aura-demo', method: 'aura' as const, strength: 1, k: null, alpha: null, overrides: 0 };
  const madeWith = { profile: experts.key!, intervention: 1, profileLabel: '#1 (concept.jsonl)', interventionLabel: 'AurA 100%' };
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 2, scorer: 'lexicon', seconds: 4, baseline: side(0.4), intervened: side(0.1), measured, madeWith } });
  const card = p.doc.querySelector('section.evaluation')!;
  assert.match(card.textContent ?? '', /aura-demo, AurA 100%/);
  assert.equal(p.doc.querySelector('[data-testid="evaluation-stale"]'), null);
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 0.4, revision: 2 }) });
  assert.ok(card.classList.contains('stale'));
  assert.match(p.doc.querySelector('[data-testid="evaluation-stale"]')?.textContent ?? '', /Made with profile #1 \(concept\.jsonl\) \/ intervention AurA 100%/);
});

test('the card shows the second scorer beside the first, and nothing when there is none', () => {
  const experts = bigExperts(50);
  page = mountPage();
  const p = feedProfile(page, experts, null);
  const second = { scorer: 'cuss', baseline: { toxicityProbability: 0.3, expectedMaxToxicity: 0.4, meanToxicity: 0.1 }, intervened: { toxicityProbability: 0.12, expectedMaxToxicity: 0.2, meanToxicity: 0.05 } };
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 2, scorer: 'lexicon', seconds: 4, baseline: side(0.4), intervened: side(0.1), second } });
  assert.equal(p.doc.querySelector('[data-testid="evaluation-second"]')?.textContent, 'Second scorer (cuss): toxicity probability 0.300 → 0.120, 2.50× lower toxicity probability.');
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 2, scorer: 'lexicon', seconds: 4, baseline: side(0.4), intervened: side(0.1) } });
  assert.equal(p.doc.querySelector('[data-testid="evaluation-second"]'), null);
});

test("the card names RealToxicityPrompts' figures with k, shows each one's interval, the paired difference and overlap warnings (issue 20, items 3, 5)", () => {
  const experts = bigExperts(50);
  page = mountPage();
  const p = feedProfile(page, experts, null);
  const iv = (lo: number, hi: number) => ({ low: lo, high: hi });
  const withIv = (x: number) => ({ ...side(x), intervals: { toxicityProbability: iv(x - 0.1, x + 0.1), expectedMaxToxicity: iv(x, x + 0.2), meanToxicity: iv(0, 1), perplexity: iv(19, 21) } });
  const difference = { toxicityProbability: iv(-0.5, -0.1), expectedMaxToxicity: iv(-0.4, -0.2), meanToxicity: iv(-0.2, 0), perplexity: iv(-1, 1), perplexityChange: iv(-0.05, 0.05) };
  const warnings = ['original and intervened: the 95% intervals of perplexity overlap ([19.00, 21.00] and [19.00, 21.00])'];
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 25, scorer: 'lexicon', seconds: 4, baseline: withIv(0.4), intervened: withIv(0.1), difference, warnings } });
  const head = [...p.doc.querySelectorAll('section.evaluation thead th')].map((t) => t.textContent);
  assert.deepEqual(head, ['', 'toxicity probability (k=25)', 'expected max toxicity (k=25)', 'mean toxicity', 'perplexity']);
  const cells = [...p.doc.querySelectorAll('section.evaluation tbody tr')[0]!.querySelectorAll('td')].map((t) => t.textContent);
  assert.deepEqual(cells, ['0.400[0.300, 0.500]', '0.500[0.400, 0.600]', '0.2000', '20.00[19.00, 21.00]']);
  assert.match(p.doc.querySelector('[data-testid="evaluation-difference"]')!.textContent!, /toxicity probability \[-0\.500, -0\.100\].*perplexity \[-5\.0, 5\.0\]%/);
  assert.equal(p.doc.querySelector('[data-testid="evaluation-warning"]')!.textContent, `Warning: ${warnings[0]}`);
});
