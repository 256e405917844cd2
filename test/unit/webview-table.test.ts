// The experts table holds 50,000 neurons but only the rows in view are in the DOM; scrolling,
// keyboard, filters and search work on the full ranking.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { ROW_HEIGHT } from '../../webview/views/experts-table';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';

const experts = bigExperts(50_000);
let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function withExperts() {
  page = mountPage();
  page.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  page.fromHost({ type: 'didChangeExperts', experts });
  page.fromHost({ type: 'didChangeIntervention', intervention: intervention() });
  return page;
}

const rowIds = (p: ReturnType<typeof mountPage>) => p.$$('expert-row').map((r) => r.querySelector('.id')!.textContent);

test('50,000 rows: the first rows are the best ranked, and only a window of them is in the DOM', () => {
  const p = withExperts();
  const rows = p.$$('expert-row');
  assert.ok(rows.length > 10 && rows.length < 60, `${rows.length} rows in the DOM`);
  assert.equal(rows[0]!.querySelector('.id')!.textContent, `${experts.sites[experts.site[0]!]!.id}:${experts.neuron[0]}`);
  assert.equal(rows[0]!.querySelector('.auroc .num')!.textContent, experts.auroc[0]!.toFixed(3));
  assert.equal(p.$('experts-table').getAttribute('aria-rowcount'), '50001');
  assert.equal((p.root.querySelector('.spacer') as HTMLElement).style.height, `${50_000 * ROW_HEIGHT}px`);
  assert.match(p.root.querySelector('.count')!.textContent!, /50,000 neurons/);
});

test('scrolling renders another window, still small', () => {
  const p = withExperts();
  const scroller = p.root.querySelector('.scroller') as HTMLElement;
  scroller.scrollTop = 30_000 * ROW_HEIGHT;
  scroller.dispatchEvent(new p.win.Event('scroll') as unknown as Event);
  const rows = p.$$('expert-row');
  assert.ok(rows.length < 60);
  const ranks = rows.map((r) => Number(r.querySelector('.rank')!.textContent));
  assert.ok(ranks.includes(30_001), 'rank 30,001 is in view');
  assert.ok(Math.min(...ranks) > 29_000);
});

test('arrow keys move the active row, Enter selects it and asks the host for its detail', () => {
  const p = withExperts();
  const scroller = p.root.querySelector('.scroller') as HTMLElement;
  const key = (k: string) => scroller.dispatchEvent(new p.win.KeyboardEvent('keydown', { key: k, bubbles: true }) as unknown as Event);
  key('ArrowDown');
  key('ArrowDown');
  key('ArrowUp');
  assert.equal(p.app.store.state.ui.activeRow, 1);
  assert.equal(p.root.querySelector('.row.active .rank')!.textContent, '2');
  assert.equal((p.root.querySelector('.row.active') as HTMLElement).tabIndex, 0);
  key('Enter');
  const sel = p.posted.filter((m) => m.type === 'selectNeuron').at(-1);
  assert.deepEqual(sel, { type: 'selectNeuron', site: experts.sites[experts.site[1]!]!.id, neuron: experts.neuron[1] });
  assert.equal(p.root.querySelector('[aria-selected="true"] .rank')!.textContent, '2');
  key('End');
  assert.equal(p.app.store.state.ui.activeRow, 49_999);
  assert.ok(p.$$('expert-row').some((r) => r.querySelector('.rank')!.textContent === '50000'));
});

test('filters by site, layer and AUROC range narrow the rows', () => {
  const p = withExperts();
  const site = p.$('filter-site') as HTMLSelectElement;
  site.value = 'transformer.h.3.mlp.c_proj';
  site.dispatchEvent(new p.win.Event('change') as unknown as Event);
  assert.ok(p.$$('expert-row').every((r) => r.querySelector('.site')!.textContent === 'transformer.h.3.mlp.c_proj'));
  assert.match(p.root.querySelector('.count')!.textContent!, /^768 of 50,000/);
  site.value = '';
  site.dispatchEvent(new p.win.Event('change') as unknown as Event);
  const layer = p.$('filter-layer') as HTMLSelectElement;
  layer.value = '2';
  layer.dispatchEvent(new p.win.Event('change') as unknown as Event);
  assert.match(p.root.querySelector('.count')!.textContent!, /^3,840 of/);
  const min = p.$('filter-auroc-min') as HTMLInputElement;
  min.value = '0.75';
  min.dispatchEvent(new p.win.Event('input') as unknown as Event);
  assert.ok(p.$$('expert-row').every((r) => Number(r.querySelector('.auroc .num')!.textContent) >= 0.75));
  assert.ok(p.$$('expert-row').every((r) => r.querySelector('.layer')!.textContent === '2'));
});

test('search finds a neuron by full id, by site fragment and number, or by number alone', () => {
  const p = withExperts();
  const search = p.$('search-neuron') as HTMLInputElement;
  const find = (q: string) => {
    search.value = q;
    search.dispatchEvent(new p.win.Event('input') as unknown as Event);
    return rowIds(p);
  };
  assert.deepEqual(find('transformer.h.3.mlp.c_fc:1234'), ['transformer.h.3.mlp.c_fc:1234']);
  assert.deepEqual(find('h.3.mlp.c_proj:700'), ['transformer.h.3.mlp.c_proj:700']);
  const byNumber = find('2000');
  assert.ok(byNumber.length > 5 && byNumber.every((id) => id!.endsWith(':2000')));
  assert.deepEqual(find('no-such-site:1'), []);
  assert.equal((p.root.querySelector('.empty') as HTMLElement).hidden, false);
});

test('the gain column follows the intervention (AurA at half strength)', () => {
  const p = withExperts();
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 0.5 }) });
  const first = p.$$('expert-row')[0]!;
  const a = experts.auroc[0]!;
  const expected = Math.fround(1 - 0.5 * (1 - Math.fround(1 - 2 * (a - 0.5))));
  assert.equal(first.querySelector('.gain')!.textContent, expected.toFixed(2));
});
