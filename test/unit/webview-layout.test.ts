// A panel that fits beside the editor (issue 23, item 5), as far as the DOM decides it: the table, then
// the intervention dock (controls and preview), then the neuron detail; the summary is a collapsed
// one-line Overview whose model name is not cut; the Held-out header carries its sort arrow; and the
// host's 'reveal' (the "Show" of a finished sweep or evaluation) scrolls that card into view.
// The measured layout (boundingBox at 780 px, scrollWidth) is checked in test/e2e/layout.e2e.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { parseHostMessage } from '../../src/shared/protocol';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function ready(name?: string) {
  const experts = bigExperts(2_000);
  page = mountPage();
  const model = modelOf(experts);
  page.fromHost({ type: 'didChangeModel', model: name ? { ...model, name } : model });
  page.fromHost({ type: 'didChangeExperts', experts });
  page.fromHost({ type: 'didChangeIntervention', intervention: intervention() });
  return { p: page, experts };
}

test('narrow first: the table, then the controls and preview, then the neuron detail', () => {
  const { p } = ready();
  const grid = p.root.querySelector('.main-grid')!;
  const order = [...grid.children].map((c) => (c.contains(p.$('experts-table')) ? 'table' : c.contains(p.$('strength-slider')) ? 'dock' : c.contains(p.$('neuron-detail')) || c === p.$('neuron-detail') ? 'detail' : c.className));
  assert.deepEqual(order, ['table', 'dock', 'detail']);
  // In the controls the strength slider comes right after the method, before the explanations.
  const fields = [...p.root.querySelectorAll('section.controls > .field')];
  assert.ok(fields[0]!.contains(p.$('method')) && fields[1]!.contains(p.$('strength-slider')));
  const all = [...p.root.querySelectorAll('*')];
  assert.ok(all.indexOf(p.$('summary')) < all.indexOf(p.$('experts-table')), 'the Overview line sits above the table');
  const css = readFileSync(new URL('../../webview/styles/panel.css', import.meta.url), 'utf8');
  assert.match(css, /\.main-grid \{[^}]*grid-template-areas: 'table' 'dock' 'detail';/);
  assert.match(css, /@media \(min-width: 981px\) \{\s*\.main-grid \{[^}]*grid-template-areas: 'table dock' 'detail dock';/);
});

test('the Overview starts collapsed, with model, neurons, experts and best AUROC on its one line', () => {
  const name = 'aura-demo-tinystories-33M-with-a-long-name';
  const { p, experts } = ready(name);
  const details = p.$('summary').querySelector('details')!;
  assert.equal(details.open, false);
  assert.ok(details.contains(p.$('auroc-histogram')), 'the charts are inside the collapsed part');
  // Counted here from the snapshot's AUROCs: 2,000 neurons, experts are those above 0.5, best is the first (sorted).
  const above = Array.from(experts.auroc).filter((a) => a > 0.5).length;
  assert.equal(p.$('overview-line').textContent, `${name} · 2,000 neurons · ${above.toLocaleString('en-US')} experts · best AUROC ${experts.auroc[0]!.toFixed(3)}`);
  assert.equal(p.$('summary-model').textContent, name);
  const css = readFileSync(new URL('../../webview/styles/panel.css', import.meta.url), 'utf8');
  assert.match(css, /\.stat\.model \.value \{[^}]*white-space: normal;/, 'the model name wraps instead of an ellipsis');
});

test('the Held-out header shows its sort arrow when sorted by it', () => {
  const { p } = ready();
  const head = p.root.querySelector('.row.head [data-column="heldOut"]') as HTMLElement;
  head.click();
  assert.equal(head.getAttribute('aria-sort'), 'descending');
  assert.equal(head.textContent, 'Held-out ▼');
});

test("the host's reveal scrolls the finished sweep's or evaluation's card into view and focuses it", () => {
  const { p } = ready();
  p.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: [{ method: 'aura', control: null, strength: 1, toxicity: 0.1, perplexity: 30 }] } });
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 5, samples: 2, scorer: 'lexicon', seconds: 1, baseline: { toxicityProbability: 0.4, expectedMaxToxicity: 0.5, meanToxicity: 0.2, perplexity: 30 }, intervened: { toxicityProbability: 0.2, expectedMaxToxicity: 0.3, meanToxicity: 0.1, perplexity: 31 } } });
  const scrolled: string[] = [];
  for (const [id, el] of [['sweep', p.$('sweep')], ['evaluation', p.root.querySelector('section.evaluation') as HTMLElement]] as const) el.scrollIntoView = () => void scrolled.push(id);
  p.fromHost({ type: 'reveal', target: 'sweep' });
  assert.deepEqual(scrolled, ['sweep']);
  assert.equal(p.doc.activeElement, p.$('sweep'));
  p.fromHost({ type: 'reveal', target: 'evaluation' });
  assert.deepEqual(scrolled, ['sweep', 'evaluation']);
  assert.equal(parseHostMessage({ type: 'reveal', target: 'table' }), undefined, 'only the two result cards can be revealed');
});

test('a reveal before the result arrived (hidden card) does nothing', () => {
  const { p } = ready();
  let scrolled = 0;
  p.$('sweep').scrollIntoView = () => void scrolled++;
  p.fromHost({ type: 'reveal', target: 'sweep' });
  assert.equal(scrolled, 0);
});
