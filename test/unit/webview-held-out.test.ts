// The held-out AUROC in the panel (issue 9, item 1): a column of the experts table that renders each
// row's value, sorts like the other columns (both directions, rank order for ties) and explains
// itself; the neuron detail shows it beside the AUROC of the split's other part.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, feedProfile, mountPage, neuronDetail, type MountedPage } from '../helpers/page';
import type { ExpertsSnapshot } from '../../src/shared/protocol';

let page: MountedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

/** A held-out AUROC per row that is not monotone in the rank: sorting by it must reorder the rows. */
function withHeldOut(base = bigExperts(5_000)): ExpertsSnapshot {
  const heldOut = Float64Array.from(base.auroc, (_, i) => Math.round((0.5 + 0.45 * Math.sin(i * 12.9898) ** 2) * 1e4) / 1e4);
  return { ...base, stats: { heldOut, heldOutFraction: 0.3 } };
}

function open(e: ExpertsSnapshot) {
  page = mountPage();
  return feedProfile(page, e);
}

const head = (p: MountedPage) => p.root.querySelector('[role=columnheader][data-column="heldOut"]') as HTMLElement;
const shown = (p: MountedPage) => p.$$('expert-row').map((r) => [Number(r.querySelector('.rank')!.textContent), r.querySelector('[data-testid=held-out]')!.textContent!] as const);

test('each row shows its held-out AUROC; the header says what it is and how much was held out', () => {
  const e = withHeldOut();
  const p = open(e);
  const rows = shown(p);
  assert.ok(rows.length > 5);
  for (const [rank, text] of rows) assert.equal(text, e.stats!.heldOut![rank - 1]!.toFixed(3));
  assert.match(head(p).title, /AUROC on texts the ranking did not see.*30% of each class held out/);
  assert.equal(head(p).textContent!.trim(), 'Held-out');
  assert.match(p.$$('expert-row')[0]!.title, /held-out AUROC \d\.\d{3} \(on texts the ranking did not see\)/);
  assert.equal(p.$('experts-table').getAttribute('aria-colcount'), '6');
});

test('clicking the header sorts by held-out AUROC, best first, and again reverses; ties keep rank order', () => {
  const e = withHeldOut();
  const p = open(e);
  head(p).click();
  assert.deepEqual(p.app.store.state.ui.sort, { column: 'heldOut', dir: 'desc' });
  assert.equal(head(p).getAttribute('aria-sort'), 'descending');
  const held = e.stats!.heldOut!;
  const want = [...held.keys()].sort((a, b) => held[b]! - held[a]! || a - b).slice(0, 8);
  assert.deepEqual(shown(p).slice(0, 8).map(([rank]) => rank - 1), want);
  head(p).click();
  assert.equal(head(p).getAttribute('aria-sort'), 'ascending');
  const up = [...held.keys()].sort((a, b) => held[a]! - held[b]! || a - b).slice(0, 8);
  assert.deepEqual(shown(p).slice(0, 8).map(([rank]) => rank - 1), up);
  const values = shown(p).map(([, t]) => Number(t));
  assert.deepEqual(values, [...values].sort((a, b) => a - b));
});

test('a profile without the column (a sketch, or too small to split) shows a dash and keeps rank order when sorted', () => {
  const e = bigExperts(500);
  const p = open(e);
  assert.ok(shown(p).every(([, t]) => t === '–'));
  assert.match(head(p).title, /this profile has none/);
  head(p).click();
  assert.deepEqual(shown(p).slice(0, 5).map(([rank]) => rank), [1, 2, 3, 4, 5]);
});

test('the neuron detail shows the held-out AUROC beside the AUROC of the other part, and explains both', () => {
  const e = withHeldOut(bigExperts(500));
  const p = open(e);
  const d = neuronDetail(e, 0, { layer: 0, positive: [1, 2], negative: [0, 0.1], heldOutAuroc: 0.57, rankAuroc: 0.62, heldOutFraction: 0.3 });
  p.app.store.setUi({ selected: { site: d.site, neuron: d.neuron } });
  p.fromHost({ type: 'didSelectNeuron', detail: d });
  const metric = [...p.$('detail-metrics').querySelectorAll('.metric')].find((m) => m.textContent!.startsWith('held-out AUROC')) as HTMLElement;
  assert.equal(metric.textContent, 'held-out AUROC0.570 (rest 0.620)');
  assert.match(metric.title, /AUROC on texts the ranking did not see \(30% of each class/);
  assert.match(metric.title, /"rest" is its AUROC on the other texts/);
});
