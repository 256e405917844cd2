// Nothing stale shown as current, page side (issue 23, items 1-2): each derived view compares the
// profile and intervention its result was made from with the ones open now, by the one rule of
// src/shared/provenance.ts. The expected marks and numbers are written out by hand.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, feedProfile, intervention, mountPage, neuronDetail, type MountedPage } from '../helpers/page';
import { sweepPoints } from '../helpers/sweep-points';
import type { NeuronDetail } from '../../src/shared/protocol';
import type { Provenance } from '../../src/shared/provenance';

let page: MountedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

const side = (p: number) => ({ toxicityProbability: p, expectedMaxToxicity: p + 0.1, meanToxicity: p / 2, perplexity: 20 });
const made = (profile: string, revision: number, label = 'AurA 100%'): Provenance => ({ profile, intervention: revision, profileLabel: `#1 (concept.jsonl)`, interventionLabel: label });

function ready() {
  const experts = bigExperts(50);
  page = mountPage();
  const p = feedProfile(page, experts, intervention({ strength: 1, revision: 3 }));
  return { p, experts };
}

test('the evaluation card is marked out of date, with what it was made with and a rerun button, once the intervention or the profile changes', () => {
  const { p, experts } = ready();
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 3, samples: 2, scorer: 'lexicon', seconds: 4, baseline: side(0.4), intervened: side(0.1), madeWith: made(experts.key!, 3) } });
  const card = p.doc.querySelector('section.evaluation')!;
  assert.equal(p.doc.querySelector('[data-testid="evaluation-stale"]'), null, 'made with what is open: current');
  assert.ok(!card.classList.contains('stale'));

  // The same settings sent again under a new revision (a change and back) are another intervention.
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 1, revision: 4 }) });
  assert.ok(card.classList.contains('stale'));
  assert.equal(p.$('evaluation-stale').textContent, 'Made with profile #1 (concept.jsonl) / intervention AurA 100%: out of date (the intervention has changed since). Evaluate again');
  p.$('evaluation-rerun').click();
  assert.deepEqual(p.posted.at(-1), { type: 'evaluate' });

  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 1, revision: 3 }) });
  assert.ok(!card.classList.contains('stale'));
  p.fromHost({ type: 'didChangeExperts', experts: { ...experts, key: 'second-profile' } });
  assert.match(p.$('evaluation-stale').textContent!, /out of date \(the profile has changed since\)/);
});

test('the sweep plot is marked out of date when another profile lands, not when the panel\'s intervention moves (it sweeps its own strengths)', () => {
  const { p, experts } = ready();
  p.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: sweepPoints(), madeWith: made(experts.key!, 3) } });
  assert.equal(p.$('sweep').hidden, false);
  assert.equal(p.$('sweep-stale').hidden, true);
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 0.3, revision: 9 }) });
  assert.equal(p.$('sweep-stale').hidden, true, 'the sweep does not depend on the panel\'s intervention');
  p.fromHost({ type: 'didChangeExperts', experts: { ...experts, key: 'second-profile' } });
  assert.equal(p.$('sweep-stale').hidden, false);
  assert.ok(p.$('sweep').classList.contains('stale'));
  assert.equal(p.$('sweep-stale').textContent, 'Made with profile #1 (concept.jsonl): out of date (the profile has changed since). Sweep again');
  p.$('sweep-rerun').click();
  assert.deepEqual(p.posted.at(-1), { type: 'sweep' });
  // A new sweep of the open profile clears the mark.
  p.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: sweepPoints(), madeWith: made('second-profile', 9) } });
  assert.equal(p.$('sweep-stale').hidden, true);
});

test("the neuron detail never shows the old profile's AUROC beside the new profile's table", () => {
  const { p, experts } = ready();
  const site = experts.sites[experts.site[0]!]!.id;
  const neuron = experts.neuron[0]!;
  p.app.store.setUi({ selected: { site, neuron } });
  const detail = (auroc: number, profile: string): NeuronDetail =>
    neuronDetail(experts, 0, {
      layer: 0,
      auroc,
      gain: 1 - 2 * (auroc - 0.5),
      applied: 1 - 2 * (auroc - 0.5),
      positive: [1, 2],
      negative: [0, 1],
      qValue: profile === experts.key ? 1.2e-171 : 3e-9,
      madeWith: made(profile, 3),
    });
  p.fromHost({ type: 'didSelectNeuron', detail: detail(0.781, experts.key!) });
  const body = () => p.$('neuron-detail').textContent ?? '';
  assert.match(body(), /0\.781/);
  // The second profile lands: its table is current, the detail is not (the host computes it again).
  p.fromHost({ type: 'didChangeExperts', experts: { ...experts, key: 'second-profile' } });
  assert.doesNotMatch(body(), /0\.781/, 'the old AUROC is gone');
  assert.doesNotMatch(body(), /1\.2e-171/i, 'the old q-value is gone');
  assert.ok(p.$('detail-rebuilding'), 'says it is loading from the new profile');
  p.fromHost({ type: 'didSelectNeuron', detail: detail(0.764, 'second-profile') });
  assert.match(body(), /0\.764/);
});

test('the preview\'s heading names what its text was made with; a run made with an older intervention says it is running again', () => {
  const { p, experts } = ready();
  const heading = () => p.$('preview-intervened').previousElementSibling!.textContent;
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', strength: 0.3, k: 5, alpha: 0.5, revision: 3 }) });
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 1, prompt: 'You are', original: ' a b', intervened: ' c d', done: true, madeWith: made(experts.key!, 3, 'Damp 30%') } });
  assert.equal(heading(), 'Intervened (Damp 30%)');
  // Import Intervention: the controls now say AurA 100%, the text beside the heading is still Damp's.
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 1, revision: 4, importedFrom: '/tmp/aura.json' }) });
  assert.equal(heading(), 'Intervened (Damp 30%)', 'not the new name over the old text');
  assert.match(p.root.querySelector('section.preview .status')!.textContent!, /made with an older intervention: running again/);
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 2, prompt: 'You are', original: ' a b', intervened: ' e f', done: true, madeWith: made(experts.key!, 4, 'AurA 100% · imported') } });
  assert.equal(heading(), 'Intervened (AurA 100% · imported)');
  assert.equal(p.root.querySelector('section.preview .status')!.textContent, 'Run 2 · same seed for both');
});
