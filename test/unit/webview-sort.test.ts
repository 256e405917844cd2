// The experts table sorts by any column in both directions (aria-sort on the header), and a second
// profile replaces every row it shows, even rows whose index is the same (issue 11, items 3 and 7).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';
import type { ExpertsSnapshot } from '../../src/shared/protocol';

const experts = bigExperts(20_000);
let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function withExperts(e: ExpertsSnapshot = experts) {
  page = mountPage();
  page.fromHost({ type: 'didChangeModel', model: modelOf(e) });
  page.fromHost({ type: 'didChangeExperts', experts: e });
  page.fromHost({ type: 'didChangeIntervention', intervention: intervention() });
  return page;
}

const head = (p: NonNullable<typeof page>, column: string) => p.root.querySelector(`[role=columnheader][data-column="${column}"]`) as HTMLElement;
const col = (p: NonNullable<typeof page>, cls: string) => p.$$('expert-row').map((r) => r.querySelector(`.${cls}`)!.textContent!);
/** Rows in DOM order are not always in display order: order them by aria-rowindex. */
const shown = (p: NonNullable<typeof page>, cls: string) =>
  p
    .$$('expert-row')
    .sort((a, b) => Number(a.getAttribute('aria-rowindex')) - Number(b.getAttribute('aria-rowindex')))
    .map((r) => r.querySelector(`.${cls}`)!.textContent!);

test('every column header sorts both ways and says so with aria-sort', () => {
  const p = withExperts();
  assert.equal(head(p, 'rank').getAttribute('aria-sort'), 'ascending');
  for (const c of ['id', 'layer', 'auroc', 'gain']) assert.equal(head(p, c).getAttribute('aria-sort'), 'none');

  head(p, 'layer').click();
  assert.equal(head(p, 'layer').getAttribute('aria-sort'), 'ascending');
  assert.equal(head(p, 'rank').getAttribute('aria-sort'), 'none');
  assert.ok(shown(p, 'layer').every((l) => l === '0'));
  // Ties keep the AUROC ranking.
  const ranks = shown(p, 'rank').map(Number);
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b));

  head(p, 'layer').click();
  assert.equal(head(p, 'layer').getAttribute('aria-sort'), 'descending');
  const lastLayer = String(Math.max(...experts.sites.map((s) => s.layer)));
  assert.ok(shown(p, 'layer').every((l) => l === lastLayer));

  head(p, 'rank').dispatchEvent(new p.win.KeyboardEvent('keydown', { key: 'Enter', bubbles: true }) as unknown as Event);
  head(p, 'rank').dispatchEvent(new p.win.KeyboardEvent('keydown', { key: ' ', bubbles: true }) as unknown as Event);
  assert.equal(head(p, 'rank').getAttribute('aria-sort'), 'descending');
  assert.equal(shown(p, 'rank')[0], String(experts.auroc.length));

  head(p, 'auroc').click();
  assert.equal(head(p, 'auroc').getAttribute('aria-sort'), 'descending');
  assert.equal(shown(p, 'rank')[0], '1');
  head(p, 'auroc').click();
  const low = shown(p, 'auroc .num').map(Number);
  assert.deepEqual(low, [...low].sort((a, b) => a - b));
  assert.equal(low[0], Number(Math.min(...experts.auroc).toFixed(3)));
});

test('sorting by id orders sites naturally (h.2 before h.10), then neuron numbers', () => {
  const p = withExperts();
  head(p, 'id').click();
  const ids = shown(p, 'id');
  assert.ok(ids.every((id) => id.startsWith('transformer.h.0.mlp.c_fc:')));
  assert.deepEqual(ids.map((id) => Number(id.split(':')[1])), [...Array(ids.length).keys()]);
  head(p, 'id').click();
  const sites = [...new Set(Array.from(experts.site, (i) => experts.sites[i]!.id))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  assert.ok(shown(p, 'id').every((id) => id.startsWith(sites.at(-1)! + ':')));
});

test('sorting by gain puts the most dampened first, and follows a change of method', () => {
  const p = withExperts();
  head(p, 'gain').click();
  const g = shown(p, 'gain').map(Number);
  assert.deepEqual(g, [...g].sort((a, b) => a - b));
  assert.equal(shown(p, 'rank')[0], '1', 'AurA dampens the best expert most');
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', k: 10, alpha: 0.3, strength: 0.5, overrides: [{ site: experts.sites[experts.site[500]!]!.id, neuron: experts.neuron[500]!, gain: 0 }] }) });
  assert.equal(shown(p, 'rank')[0], '501', 'the neuron set to 0 by hand comes first');
  assert.deepEqual(shown(p, 'gain').slice(0, 3), ['0.50', '0.65', '0.65']);
});

test('the sort order is remembered across a reload', async () => {
  const p = withExperts();
  head(p, 'layer').click();
  head(p, 'layer').click();
  const saved = p.state();
  await p.close();
  page = mountPage(saved);
  page.fromHost({ type: 'didChangeExperts', experts });
  assert.equal(head(page, 'layer').getAttribute('aria-sort'), 'descending');
});

test('a second profile replaces every row, including rows at the same index', () => {
  const p = withExperts();
  const before = col(p, 'id');
  // Same size and layout, different neurons and AUROCs: rows keep their indices but not their content.
  const second: ExpertsSnapshot = { ...experts, key: 'second', neuron: experts.neuron.map((n) => (n + 7) % 768), auroc: experts.auroc.map((a) => a * 0.9) };
  p.fromHost({ type: 'didChangeExperts', experts: second });
  const after = shown(p, 'id');
  assert.notDeepEqual(after, before);
  const want = (i: number) => `${second.sites[second.site[i]!]!.id}:${second.neuron[i]}`;
  assert.deepEqual(after.slice(0, 5), [0, 1, 2, 3, 4].map(want));
  assert.equal(shown(p, 'auroc .num')[0], second.auroc[0]!.toFixed(3));
});
