// A method added to the registry (src/aura/methods.ts) reaches the panel without any change to the
// protocol: the host lists it (didListMethods), the page offers it with its label and parameters, the
// page's choice passes the host's check on arrival, and the host fits it. The gains are checked
// against a hand computation, not against the fit code.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { registerMethod } from '../../src/aura/methods';
import { InterventionState } from '../../src/host/intervention-state';
import { parseHostMessage, parsePageMessage } from '../../src/shared/protocol';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';
import { panelOverWorkbench } from '../helpers/panel';
import type { HostMessage, PageMessage } from '../../src/shared/protocol';

// Multiplies every expert (AUROC > 0.5) by one third; takes a top-k but no alpha.
registerMethod({
  name: 'test-third',
  summary: 'multiply every expert by 1/3',
  label: 'Third',
  description: 'Every expert is multiplied by one third.',
  takesK: true,
  takesAlpha: false,
  fit(sites) {
    const experts = sites.map(({ auroc }) => Uint8Array.from(auroc, (a) => (a > 0.5 ? 1 : 0)));
    return { gains: experts.map((m) => Float32Array.from(m, (e) => (e ? 1 / 3 : 1))), experts, k: null, alpha: null };
  },
});

function readyMessages(): HostMessage[] {
  const { panel: controller, posted } = panelOverWorkbench();
  controller.receive({ type: 'ready' });
  controller.dispose();
  return posted;
}

const page = mountPage();
after(() => page.close());

test('the host lists the registered method, and the page check accepts the list', () => {
  const listed = readyMessages().find((m) => m.type === 'didListMethods');
  assert.ok(listed && listed.type === 'didListMethods', 'ready is answered with the method list');
  const parsed = parseHostMessage(JSON.parse(JSON.stringify(listed)));
  assert.ok(parsed && parsed.type === 'didListMethods');
  assert.deepEqual(
    parsed.methods.map((m) => m.id),
    ['aura', 'damp', 'det0', 'test-third', 'linear-act', 'mean-act'],
  );
  assert.deepEqual(parsed.methods.find((m) => m.id === 'test-third'), {
    id: 'test-third',
    label: 'Third',
    takesK: true,
    takesAlpha: false,
    defaultAlpha: null,
    transport: false,
    description: 'Every expert is multiplied by one third.',
  });
});

test('the page offers the registered method, shows its parameters, and asks the host for it', () => {
  const experts = bigExperts(200);
  for (const m of readyMessages()) page.fromHost(JSON.parse(JSON.stringify(m)));
  page.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  page.fromHost({ type: 'didChangeExperts', experts });
  page.fromHost({ type: 'didChangeIntervention', intervention: intervention() });
  const select = page.$('method') as HTMLSelectElement;
  const options = [...select.options].map((o) => ({ value: o.value, label: o.textContent!.split(' ·')[0], disabled: o.disabled }));
  assert.deepEqual(options.find((o) => o.value === 'test-third'), { value: 'test-third', label: 'Third', disabled: false });
  // Transport maps stay disabled until the host lists them as fitted.
  assert.equal(options.find((o) => o.value === 'linear-act')?.disabled, true);

  select.value = 'test-third';
  select.dispatchEvent(new page.win.Event('change') as unknown as Event);
  const sent = page.posted.filter((x): x is Extract<PageMessage, { type: 'setIntervention' }> => x.type === 'setIntervention').at(-1);
  assert.deepEqual(sent?.settings, { method: 'test-third', strength: 1, k: null, alpha: null });
  assert.deepEqual(parsePageMessage(sent), sent, 'the host accepts the registered method on arrival');
  assert.equal(parsePageMessage({ type: 'setIntervention', settings: { ...sent!.settings, method: 'test-unregistered' } }), undefined);

  page.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'test-third', affected: 77 }) });
  const visible = (id: string) => !(page.$(id).closest('.field') as HTMLElement).hidden;
  assert.equal(visible('top-k'), true);
  assert.equal(visible('alpha'), false);
  assert.match(page.root.querySelector('.controls .description')!.textContent!, /multiplied by one third/);
  // The page has no rule of its own for this method: the count is the host's.
  assert.match(page.$('touch-count').textContent!, /^Third with an empty top-k \(every expert\) touches 77 of 200 neurons/);
});

test('the host fits the method the page asked for', () => {
  const state = new InterventionState();
  state.setAurocs([{ siteId: 's', auroc: Float64Array.from([0.9, 0.5, 0.2, 0.51]) }]);
  const m = parsePageMessage({ type: 'setIntervention', settings: { method: 'test-third', strength: 0.5, k: null, alpha: 0.8 } });
  assert.ok(m && m.type === 'setIntervention');
  state.update(m.settings);
  // At strength 0.5 an expert's factor is 1 - 0.5 * (1 - 1/3) = 2/3; the alpha it does not take is dropped.
  const gains = [...state.appliedGains()!.get('s')!];
  [2 / 3, 1, 1, 2 / 3].forEach((want, i) => assert.ok(Math.abs(gains[i]! - want) < 1e-6, `neuron ${i}: ${gains[i]} != ${want}`));
  assert.deepEqual(state.current(), { method: 'test-third', strength: 0.5, k: null, alpha: null });
  assert.equal(state.snapshot().affected, 2);
  assert.throws(() => state.update({ method: 'test-unregistered', strength: 1, k: null, alpha: null }), /method "test-unregistered" is unknown; expected aura, damp, det0, test-third, linear-act or mean-act/);
});
