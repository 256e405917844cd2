// The panel's words and limits (issue 23 item 9): out-of-range alpha and top-k are refused in their
// field with the allowed range and not sent; an impossible AUROC range says so beside the filters;
// the search hint's examples each find what they name; small shares are not "0%"; transport maps say
// what they do; anti-experts get their own tag. Expected values are hand counts over the snapshot.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';
import type { ExpertsSnapshot } from '../../src/shared/protocol';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function ready(experts: ExpertsSnapshot, iv = intervention({ method: 'damp', alpha: 0.5, affected: 100 })) {
  page = mountPage();
  page.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  page.fromHost({ type: 'didChangeExperts', experts });
  page.fromHost({ type: 'didChangeIntervention', intervention: iv });
  return page;
}

type Page = ReturnType<typeof mountPage>;
const sent = (p: Page) => p.posted.filter((m) => m.type === 'setIntervention');
function change(p: Page, testId: string, value: string, event = 'change') {
  const input = p.$(testId) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new p.win.Event(event) as unknown as Event);
  return input;
}

test('alpha -5 and 2.5 are refused in the field with the allowed range, and not sent; 0.3 is sent', () => {
  const p = ready(bigExperts(2_000));
  for (const bad of ['-5', '2.5']) {
    const before = sent(p).length;
    const input = change(p, 'alpha', bad);
    assert.equal(sent(p).length, before, `alpha ${bad} must not reach the host`);
    const error = p.$('alpha-error');
    assert.equal(error.hidden, false, 'the refusal is visible');
    assert.match(error.textContent!, /between 0 and 2/);
    assert.equal(input.getAttribute('aria-invalid'), 'true');
    assert.equal(input.getAttribute('aria-describedby'), error.id, 'screen readers reach the message from the field');
    assert.equal(input.value, bad, 'the typed value stays, so the user sees what was refused');
  }
  change(p, 'alpha', '0.3');
  assert.deepEqual(sent(p).at(-1), { type: 'setIntervention', settings: { method: 'damp', strength: 1, k: null, alpha: 0.3 } });
  assert.equal(p.$('alpha-error').hidden, true);
  assert.equal(p.$('alpha').hasAttribute('aria-invalid'), false);
});

test('a top-k of 0, 2.5 or more than the profile holds is refused with its range; empty means every expert', () => {
  const p = ready(bigExperts(2_000));
  for (const bad of ['0', '2.5', '2001']) {
    const before = sent(p).length;
    change(p, 'top-k', bad);
    assert.equal(sent(p).length, before, `top-k ${bad} must not reach the host`);
    assert.match(p.$('top-k-error').textContent!, /whole number from 1 to 2,000/);
  }
  change(p, 'top-k', '2000');
  assert.equal(sent(p).at(-1)?.type === 'setIntervention' && sent(p).at(-1)!.settings.k, 2000);
  change(p, 'top-k', '');
  assert.equal(sent(p).at(-1)?.type === 'setIntervention' && sent(p).at(-1)!.settings.k, null);
  assert.equal(p.$('top-k-error').hidden, true);
});

test('a filter minimum above its maximum says so beside the filters', () => {
  const p = ready(bigExperts(2_000));
  assert.equal(p.$('filter-error').hidden, true);
  change(p, 'filter-auroc-min', '0.8', 'input');
  change(p, 'filter-auroc-max', '0.6', 'input');
  const error = p.$('filter-error');
  assert.equal(error.hidden, false);
  assert.match(error.textContent!, /AUROC ≥ 0\.80 is above AUROC ≤ 0\.60/);
  assert.ok(error.closest('[role="search"]'), 'the message sits with the filters');
  change(p, 'filter-auroc-max', '0.9', 'input');
  assert.equal(p.$('filter-error').hidden, true);
});

test('each example in the search hint finds the rows it names', () => {
  const e = bigExperts(8_000);
  const p = ready(e);
  const search = p.$('search-neuron') as HTMLInputElement;
  assert.doesNotMatch(search.placeholder, /,/, 'the placeholder is not a list');
  const hint = p.$('search-hint').textContent!;
  const examples = [...hint.matchAll(/\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.equal(examples.length, 3, hint);
  // The top row is transformer.h.?.mlp.c_??:N; count by hand what each query should match.
  const topSite = e.sites[e.site[0]!]!.id;
  const topNeuron = e.neuron[0]!;
  const expected = (q: string): number => {
    let n = 0;
    for (let i = 0; i < e.auroc.length; i++) {
      const site = e.sites[e.site[i]!]!.id;
      if (q === String(topNeuron)) n += e.neuron[i] === topNeuron ? 1 : 0;
      else if (q === `${topSite}:${topNeuron}`) n += site === topSite && e.neuron[i] === topNeuron ? 1 : 0;
      else n += site.includes(q) ? 1 : 0;
    }
    return n;
  };
  assert.deepEqual(examples, [String(topNeuron), topSite.split('.').slice(-2).join('.'), `${topSite}:${topNeuron}`]);
  for (const q of examples) {
    change(p, 'search-neuron', q, 'input');
    const rows = Number(p.$('experts-table').getAttribute('aria-rowcount')) - 1;
    assert.ok(rows > 0, `"${q}" finds rows`);
    assert.equal(rows, expected(q), `"${q}"`);
  }
});

test('Det0 with top-k 10 of 5,760 neurons says 0.17%, not 0%', () => {
  const e = bigExperts(5_760);
  const p = ready(e, intervention({ method: 'det0', k: 10, affected: 10 }));
  // 10 / 5,760 = 0.001736… = 0.17% (two significant digits).
  assert.match(p.$('touch-count').textContent!, /touches 10 of 5,760 neurons \(0\.17%\)/);
  assert.doesNotMatch(p.$('touch-count').textContent!, /\(0%\)/);
});

test('Linear-AcT and Mean-AcT say what they do to all neurons, not a touch count', () => {
  const e = bigExperts(5_760);
  for (const method of ['linear-act', 'mean-act']) {
    const p = ready(e, intervention({ method, affected: 5_760, methods: ['aura', 'damp', 'det0', 'linear-act', 'mean-act'] }));
    const text = p.$('touch-count').textContent!;
    assert.match(text, /all 5,760 neurons' activations|each of the 5,760 neurons' activations/, text);
    assert.match(text, /toward the non-toxic/, text);
    assert.doesNotMatch(text, /touches/, text);
    void p.close();
    page = undefined;
  }
});

test('a neuron with AUROC 0.37 is tagged anti-expert, not detection', () => {
  const e = bigExperts(2_000);
  const p = ready(e);
  const site = e.sites[e.site[1_999]!]!.id;
  const neuron = e.neuron[1_999]!;
  p.app.store.setUi({ selected: { site, neuron } });
  const detail = { site, neuron, layer: 0, gain: 1, applied: 1, meanPositive: 0, meanNegative: 1, maxPositive: 1, maxNegative: 2, positive: [1], negative: [1], topExamples: [] };
  p.fromHost({ type: 'didSelectNeuron', detail: { ...detail, auroc: 0.37, role: 'detection' } });
  assert.equal(p.$('neuron-role').textContent, 'anti-expert');
  p.fromHost({ type: 'didSelectNeuron', detail: { ...detail, auroc: 0.81, role: 'detection' } });
  assert.equal(p.$('neuron-role').textContent, 'detection');
});
