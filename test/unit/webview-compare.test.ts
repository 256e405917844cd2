// The "Compare concepts" card (issue 20, item 9): the two profiles' names, counts and Jaccard as
// sent, one dot per point at its AUROCs (checked against the 0.5 lines' positions), the top experts
// marked, the sample described, the refusal shown in one line, and the button asks the host.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, modelOf, mountPage } from '../helpers/page';
import type { ComparisonSnapshot } from '../../src/shared/protocol';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function comparison(): ComparisonSnapshot {
  // Point 0 sits on both 0.5 lines, point 1 at the top right corner (top of both), point 2 at the origin.
  const x = [0.5, 1, 0, 0.9, 0.2, 0.7];
  const y = [0.5, 1, 0, 0.1, 0.95, 0.6];
  return {
    a: 'toxic (toxic.jsonl)',
    b: 'sad (sad.jsonl)',
    neurons: 60_000,
    experts: { a: 30_123, b: 29_876, both: 15_000, jaccard: 15_000 / (30_123 + 29_876 - 15_000) },
    topK: { k: 100, a: 100, b: 100, both: 7, jaccard: 7 / 193 },
    x: Float64Array.from(x),
    y: Float64Array.from(y),
    top: Uint32Array.from([0, 3, 0, 1, 2, 0]),
    sample: { random: 3, seed: 1, top: 3 },
  };
}

test('the card shows names, counts, Jaccard and a dot per point with the 0.5 lines, and asks the host', () => {
  page = mountPage();
  const p = page;
  assert.equal(p.$('compare').hidden, true, 'nothing to compare before a profile');
  const experts = bigExperts(50);
  p.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  p.fromHost({ type: 'didChangeExperts', experts });
  assert.equal(p.$('compare').hidden, false, 'the button is offered once a profile is open');
  p.$('compare-run').click();
  assert.deepEqual(p.posted.at(-1), { type: 'compareProfile' });
  p.fromHost({ type: 'didCompare', comparison: comparison() });
  const text = p.$('compare').textContent!;
  assert.match(text, /toxic \(toxic\.jsonl\)/);
  assert.match(text, /sad \(sad\.jsonl\)/);
  const cells = (id: string) => [...p.$(`compare-${id}`).querySelectorAll('td')].map((td) => td.textContent);
  assert.deepEqual(cells('experts'), ['30,123', '29,876', '15,000', (15_000 / 44_999).toFixed(3)]);
  assert.deepEqual(cells('topk'), ['100', '100', '7', (7 / 193).toFixed(3)]);
  const chart = p.$('compare-scatter');
  const dots = [...chart.querySelectorAll('circle.point')];
  assert.equal(dots.length, 6);
  assert.equal(chart.querySelectorAll('circle.top-both').length, 1);
  assert.equal(chart.querySelectorAll('circle.top-a').length, 1);
  assert.equal(chart.querySelectorAll('circle.top-b').length, 1);
  assert.equal(chart.querySelectorAll('circle.sample').length, 3);
  const vx = Number(chart.querySelector('.chance-line.x')!.getAttribute('x1'));
  const hy = Number(chart.querySelector('.chance-line.y')!.getAttribute('y1'));
  const at = (cx: number, cy: number) => dots.filter((d) => Math.abs(Number(d.getAttribute('cx')) - cx) < 1e-9 && Math.abs(Number(d.getAttribute('cy')) - cy) < 1e-9);
  assert.equal(at(vx, hy).length, 1, 'the point at (0.5, 0.5) sits where the two lines cross');
  // (0, 0) at the left/bottom, (1, 1) at twice the line's distance from there.
  const x0 = 0;
  const y0 = 2 * hy;
  assert.equal(at(x0, y0).length, 1);
  assert.equal(at(2 * vx, 0)[0]?.getAttribute('class'), 'point top-both');
  assert.deepEqual([...chart.querySelectorAll('.axis-label')].map((t) => t.textContent), ['AUROC in A', 'AUROC in B']);
  assert.match(p.$('compare-caption').textContent!, /6 of 60,000 neurons drawn: a seeded random sample of 3 \(seed 1\) plus the 3 top-100 experts/);
});

test('a refusal is shown in one line; a malformed comparison is dropped', () => {
  page = mountPage();
  const p = page;
  const experts = bigExperts(50);
  p.fromHost({ type: 'didChangeExperts', experts });
  p.fromHost({ type: 'didCompare', comparison: comparison() });
  p.fromHost({ type: 'didCompare', comparison: { refused: '/p/b: profiles a different model (fingerprint sha256:b) than /p/a (sha256:a); compare profiles of one model', b: '/p/b' } });
  assert.equal(p.$('compare-refused').textContent, 'Cannot compare: /p/b: profiles a different model (fingerprint sha256:b) than /p/a (sha256:a); compare profiles of one model');
  assert.equal(p.$('compare-scatter').closest('figure')!.hidden, true, 'no stale scatter beside a refusal');
  const bad = { ...comparison(), y: new Float64Array(2) };
  p.fromHost({ type: 'didCompare', comparison: bad });
  assert.ok(p.$('compare-refused'), 'the invalid message changed nothing');
  p.fromHost({ type: 'didCompare', comparison: null });
  assert.equal(p.$('compare-refused'), null);
});

test('the combine buttons appear with a comparison and post the rule; the controls say what was combined', () => {
  page = mountPage();
  const p = page;
  const experts = bigExperts(50);
  p.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  p.fromHost({ type: 'didChangeExperts', experts });
  assert.equal(p.$('compare-combine').hidden, true, 'nothing to combine with before a comparison');
  p.fromHost({ type: 'didCompare', comparison: comparison() });
  assert.equal(p.$('compare-combine').hidden, false);
  p.$('compare-combine-product').click();
  assert.deepEqual(p.posted.at(-1), { type: 'combineWithComparison', rule: 'product' });
  p.$('compare-combine-min').click();
  assert.deepEqual(p.posted.at(-1), { type: 'combineWithComparison', rule: 'min' });
  p.fromHost({ type: 'didChangeIntervention', intervention: { method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: 12, combined: 'product of toxic and sad' } });
  assert.match(p.doc.querySelector('.imported')!.textContent!, /combined: product of toxic and sad/);
  p.fromHost({ type: 'didCompare', comparison: { refused: '/p/b: profiles other sites', b: '/p/b' } });
  assert.equal(p.$('compare-combine').hidden, true, 'no combining with a refused profile');
});
