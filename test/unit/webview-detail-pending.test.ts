// The neuron detail in two steps (issue 24 item 1): the profile's part is drawn as soon as it arrives,
// with a note that the examples are being computed; the full detail of the same neuron then replaces
// it without scrolling the panel again.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, feedProfile, mountPage, type MountedPage } from '../helpers/page';
import type { NeuronDetail } from '../../src/shared/protocol';

let page: MountedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

test("the profile's part shows its metrics and chart at once, then the examples replace the note", () => {
  const e = bigExperts(50);
  const p = feedProfile((page = mountPage()), e);
  const site = e.sites[e.site[0]!]!.id;
  const neuron = e.neuron[0]!;
  let scrolls = 0;
  (p.$('neuron-detail') as HTMLElement & { scrollIntoView: () => void }).scrollIntoView = () => void scrolls++;
  p.app.store.setUi({ selected: { site, neuron } });
  const quick: NeuronDetail = { site, neuron, layer: 0, auroc: e.auroc[0]!, gain: 0.4, applied: 0.4, meanPositive: 2, meanNegative: 1, maxPositive: 3, maxNegative: 1.5, positive: [1, 2, 3], negative: [0.5, 1, 1.5], topExamples: [], pending: true };
  p.fromHost({ type: 'didSelectNeuron', detail: quick });
  const detail = p.$('neuron-detail');
  assert.match(detail.textContent!, /mean toxic \/ non-toxic2\.00 \/ 1\.00/);
  assert.ok(detail.querySelectorAll('svg.chart rect').length > 0, 'the distributions are drawn');
  assert.ok(detail.querySelector('[data-testid=detail-pending]'), 'the examples are announced');
  assert.equal(detail.querySelectorAll('.tok').length, 0);
  const { pending: _pending, ...rest } = quick;
  p.fromHost({ type: 'didSelectNeuron', detail: { ...rest, topExamples: [{ text: 'you idiot', label: 1, value: 3, tokens: [{ text: 'you', value: 0.1 }, { text: ' idiot', value: 3 }] }] } });
  assert.equal(detail.querySelector('[data-testid=detail-pending]'), null);
  assert.equal(detail.querySelectorAll('.tok').length, 2);
  assert.equal(scrolls, 1, 'brought into view once, not again when the examples arrive');
});
