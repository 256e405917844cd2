// The intervention controls send one setIntervention per change, show top-k and alpha only where the
// method uses them, and show the host's count of affected neurons.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';

const experts = bigExperts(2_000);
let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function ready() {
  page = mountPage();
  page.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  page.fromHost({ type: 'didChangeExperts', experts });
  page.fromHost({ type: 'didChangeIntervention', intervention: intervention({ affected: 987 }) });
  return page;
}

const lastSettings = (p: ReturnType<typeof mountPage>) => {
  const m = p.posted.filter((x) => x.type === 'setIntervention').at(-1);
  return m && m.type === 'setIntervention' ? m.settings : undefined;
};

test('moving the strength slider sends setIntervention with the new strength', () => {
  const p = ready();
  const slider = p.$('strength-slider') as HTMLInputElement;
  assert.equal(slider.value, '1');
  assert.ok(p.root.querySelector(`label[for="${slider.id}"]`), 'the slider is labelled');
  slider.value = '0.35';
  slider.dispatchEvent(new p.win.Event('input') as unknown as Event);
  assert.deepEqual(lastSettings(p), { method: 'aura', strength: 0.35, k: null, alpha: null });
  assert.equal(p.root.querySelector('output')!.textContent, '35%');
});

test('top-k and alpha appear only for the methods that use them', () => {
  const p = ready();
  const visible = (id: string) => !(p.$(id).closest('.field') as HTMLElement).hidden;
  assert.equal(visible('top-k'), false);
  assert.equal(visible('alpha'), false);
  const method = p.$('method') as HTMLSelectElement;
  method.value = 'damp';
  method.dispatchEvent(new p.win.Event('change') as unknown as Event);
  assert.deepEqual(lastSettings(p), { method: 'damp', strength: 1, k: null, alpha: 0.5 });
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', alpha: 0.5 }) });
  assert.equal(visible('top-k'), true);
  assert.equal(visible('alpha'), true);
  const k = p.$('top-k') as HTMLInputElement;
  k.value = '25';
  k.dispatchEvent(new p.win.Event('change') as unknown as Event);
  assert.deepEqual(lastSettings(p), { method: 'damp', strength: 1, k: 25, alpha: 0.5 });
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'det0', k: 25 }) });
  assert.equal(visible('top-k'), true);
  assert.equal(visible('alpha'), false);
});

test('a change made before the host answers the previous one builds on it, not on the older state', () => {
  // Pick Damp, then drag the slider before the host's echo of Damp arrives (a slow extension host).
  const p = ready();
  const method = p.$('method') as HTMLSelectElement;
  const slider = p.$('strength-slider') as HTMLInputElement;
  method.value = 'damp';
  method.dispatchEvent(new p.win.Event('change') as unknown as Event);
  slider.value = '0.3';
  slider.dispatchEvent(new p.win.Event('input') as unknown as Event);
  assert.deepEqual(lastSettings(p), { method: 'damp', strength: 0.3, k: null, alpha: 0.5 });
  // The host's answer to the first request arrives: the fields keep what the user set since.
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', alpha: 0.5, strength: 1 }) });
  assert.equal(slider.value, '0.3');
  assert.equal(method.value, 'damp');
  // The answer to the second: settled, and from here the host's state is what the fields show.
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', alpha: 0.5, strength: 0.3 }) });
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'aura', strength: 0.6 }) });
  assert.equal(slider.value, '0.6');
  assert.equal(method.value, 'aura');
});

test('the affected count is the host\'s, live', () => {
  const p = ready();
  assert.equal(p.$('affected-count').textContent, '987');
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 0, affected: 0 }) });
  assert.equal(p.$('affected-count').textContent, '0');
  assert.equal((p.$('strength-slider') as HTMLInputElement).value, '0');
});

test('a neuron override from the detail view sends setOverride', () => {
  const p = ready();
  const site = experts.sites[experts.site[0]!]!.id;
  const neuron = experts.neuron[0]!;
  p.app.store.setUi({ selected: { site, neuron } });
  p.fromHost({
    type: 'didSelectNeuron',
    detail: { site, neuron, layer: 0, auroc: experts.auroc[0]!, gain: 0.3, applied: 0.3, meanPositive: 1, meanNegative: 0, maxPositive: 2, maxNegative: 1, positive: [1, 2], negative: [0, 1], topExamples: [{ text: 'you idiot', label: 1, value: 2, tokens: [{ text: 'you', value: 0.1 }, { text: ' idiot', value: 2 }] }] },
  });
  const detail = p.$('neuron-detail');
  assert.match(detail.textContent!, /AUROC/);
  assert.equal(detail.querySelectorAll('svg.chart rect').length > 0, true, 'the distributions are drawn');
  assert.equal(detail.querySelectorAll('.tok').length, 2);
  const input = p.$('override-gain') as HTMLInputElement;
  input.value = '0.1';
  p.$('override-set').click();
  assert.deepEqual(p.posted.at(-1), { type: 'setOverride', site, neuron, gain: 0.1 });
});

test('an imported Damp intervention with alpha above 1 is shown and stays editable (issue 10 item 5)', () => {
  const p = ready();
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', alpha: 1.5, k: 10 }) });
  assert.equal(p.app.store.state.intervention?.alpha, 1.5, 'the page accepted the update');
  const alpha = p.$('alpha') as HTMLInputElement;
  assert.equal(alpha.value, '1.5');
  alpha.value = '2';
  alpha.dispatchEvent(new p.win.Event('change') as unknown as Event);
  assert.deepEqual(lastSettings(p), { method: 'damp', strength: 1, k: 10, alpha: 2 });
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', alpha: 2, k: 10, affected: 3 }) });
  assert.equal(p.app.store.state.intervention?.affected, 3, 'later updates still apply');
});
