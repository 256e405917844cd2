// The panel's view survives: a reloaded page (same panel) rebuilds it from vscode.getState, a new
// panel (closed and opened again) from the view the host kept (saveView -> didRestoreView), and a
// state written by an older or damaged page falls back field by field. The expected values are the
// ones the test types into the page, never read back from the code under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bigExperts, feedProfile, pagesClosedAfterEach } from '../helpers/page';
import type { PageMessage } from '../../src/shared/protocol';

const experts = bigExperts(5_000);
const SITE = 'transformer.h.1.mlp.c_fc';
const open = pagesClosedAfterEach();
const feed = (p: ReturnType<typeof open>) => void feedProfile(p, experts);
const input = (p: ReturnType<typeof open>, testId: string, value: string, event = 'input') => {
  const el = p.$(testId) as HTMLInputElement;
  el.value = value;
  el.dispatchEvent(new p.win.Event(event) as unknown as Event);
};
const views = (p: ReturnType<typeof open>) => p.posted.filter((m): m is Extract<PageMessage, { type: 'saveView' }> => m.type === 'saveView').map((m) => m.view);

/** Filter by site and AUROC >= 0.6, sort by layer (descending: two clicks), a prompt, and the second row selected. */
function setUp(p: ReturnType<typeof open>) {
  feed(p);
  input(p, 'filter-site', SITE, 'change');
  input(p, 'filter-auroc-min', '0.6');
  const layer = p.root.querySelector('[role=columnheader][data-column=layer]') as HTMLElement;
  layer.click();
  layer.click();
  input(p, 'preview-prompt', 'You are such a nice');
  p.$$('expert-row')[1]!.click();
}

/** What the user sees: the filter inputs, the sort header, the prompt, the selected row and the ids shown. */
function shown(p: ReturnType<typeof open>) {
  const sorted = p.root.querySelector('[role=columnheader]:not([aria-sort=none])') as HTMLElement | null;
  return {
    site: (p.$('filter-site') as HTMLSelectElement).value,
    min: (p.$('filter-auroc-min') as HTMLInputElement).value,
    sort: sorted ? `${sorted.dataset.column} ${sorted.getAttribute('aria-sort')}` : 'none',
    prompt: (p.$('preview-prompt') as HTMLTextAreaElement).value,
    selected: p.root.querySelector('[aria-selected="true"] .id')?.textContent ?? null,
    rows: p.$$('expert-row').map((r) => r.querySelector('.id')!.textContent),
  };
}

test('the page hands each view change to the host, with the values the user set', () => {
  const p = open();
  setUp(p);
  const last = views(p).at(-1)!;
  assert.equal(last.filter.site, SITE);
  assert.equal(last.filter.aurocMin, 0.6);
  assert.deepEqual(last.sort, { column: 'layer', dir: 'desc' });
  assert.equal(last.prompt, 'You are such a nice');
  assert.equal(last.selected!.site, SITE);
  // The selected row is one the filter lets through: AUROC >= 0.6 on SITE.
  assert.ok(p.app.store.state.ui.selected!.neuron >= 0);
});

test('a reloaded page (same panel: vscode.getState) shows the same filter, sort, prompt and selection', () => {
  const first = open();
  setUp(first);
  const before = shown(first);
  assert.equal(before.site, SITE);
  assert.equal(before.min, '0.6');
  assert.equal(before.sort, 'layer descending');
  assert.ok(before.selected?.startsWith(`${SITE}:`));

  const second = open(first.state());
  feed(second);
  assert.deepEqual(shown(second), before);
  // It asked the host for the selected neuron's detail again.
  const sel = first.app.store.state.ui.selected!;
  assert.ok(second.posted.some((m) => m.type === 'selectNeuron' && m.site === sel.site && m.neuron === sel.neuron));
});

test('a new panel (no getState) takes the view the host kept, and shows the same UI', () => {
  const first = open();
  setUp(first);
  const before = shown(first);
  const kept = views(first).at(-1)!;

  const second = open();
  assert.equal(second.posted[0]!.type, 'ready');
  second.fromHost({ type: 'didRestoreView', view: kept });
  feed(second);
  assert.deepEqual(shown(second), before);
  // And it is now the page's own state, for the next reload.
  assert.deepEqual(open(second.state()).app.store.state.ui, kept);
});

test("a page with its own state ignores the host's kept view; a new one keeps what changed before it came", () => {
  const first = open();
  setUp(first);
  const kept = views(first).at(-1)!;

  const reloaded = open({ version: 1, ui: { search: 'c_proj' } });
  reloaded.fromHost({ type: 'didRestoreView', view: kept });
  assert.equal(reloaded.app.store.state.ui.search, 'c_proj');
  assert.equal(reloaded.app.store.state.ui.prompt, 'You are such a');

  const fresh = open();
  input(fresh, 'preview-prompt', 'typed first');
  fresh.fromHost({ type: 'didRestoreView', view: kept });
  assert.equal(fresh.app.store.state.ui.prompt, 'typed first');
  assert.equal(fresh.app.store.state.ui.filter.site, SITE);

  // A neuron the host opened (a hover link) before the kept view arrived stays selected.
  const linked = open();
  feed(linked);
  const detail = { site: 'transformer.h.0.mlp.c_proj', neuron: 5, layer: 0, auroc: 0.7, gain: 0.6, applied: 0.6, meanPositive: 1, meanNegative: 0.5, maxPositive: 2, maxNegative: 1, positive: [1, 2], negative: [0.5, 1], topExamples: [] };
  linked.fromHost({ type: 'didSelectNeuron', detail, reveal: true });
  assert.deepEqual(linked.app.store.state.ui.selected, { site: 'transformer.h.0.mlp.c_proj', neuron: 5 }, 'a detail from the host selects its row');
  linked.fromHost({ type: 'didRestoreView', view: kept });
  assert.deepEqual(linked.app.store.state.ui.selected, { site: 'transformer.h.0.mlp.c_proj', neuron: 5 });
  assert.equal(linked.app.store.state.ui.prompt, 'You are such a nice');
  // Only once: a second kept view does not replace what the page now shows.
  linked.fromHost({ type: 'didRestoreView', view: { ...kept, prompt: 'later' } });
  assert.equal(linked.app.store.state.ui.prompt, 'You are such a nice');
});

test('a reloaded window keeps the selection while the experts are not back yet', () => {
  const first = open();
  setUp(first);
  const sel = first.app.store.state.ui.selected!;
  const second = open(first.state());
  // What a reload sends before the session restore has re-opened the profile.
  second.fromHost({ type: 'didChangeModel', model: null });
  second.fromHost({ type: 'didChangeExperts', experts: null });
  assert.deepEqual(second.app.store.state.ui.selected, sel);
  feed(second);
  assert.deepEqual(second.posted.at(-1), { type: 'selectNeuron', site: sel.site, neuron: sel.neuron });
  // A profile without that neuron drops it.
  second.fromHost({ type: 'didChangeExperts', experts: { ...experts, sites: experts.sites.map((s) => ({ ...s, id: `other.${s.id}` })) } });
  assert.equal(second.app.store.state.ui.selected, null);
});

test('a new page keeps its restored prompt over a preview that finished while it was away', () => {
  const p = open({ version: 1, ui: { prompt: 'my unsent prompt' } });
  feed(p);
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 4, prompt: 'an older prompt', original: ' x', intervened: ' y', done: true } });
  assert.equal((p.$('preview-prompt') as HTMLTextAreaElement).value, 'my unsent prompt');
  // A run started while the page is open (Test Prompt From Selection) still shows its prompt.
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 5, prompt: 'from the editor', original: '', intervened: '', done: false } });
  assert.equal((p.$('preview-prompt') as HTMLTextAreaElement).value, 'from the editor');
});

test('scrolling alone reaches the host once, after a pause', async () => {
  const p = open();
  feed(p);
  const before = views(p).length;
  for (let y = 10; y <= 50; y += 10) p.app.store.setUi({ scrollTop: y });
  assert.equal(views(p).length, before);
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(views(p).length, before + 1);
  assert.equal(views(p).at(-1)!.scrollTop, 50);
});

test('a saved state from an older or damaged page: good fields kept, the rest defaulted, nothing thrown', () => {
  assert.equal(open({ version: 99, ui: { search: 'x' } }).app.store.state.ui.search, '');
  const q = open({ version: 1, ui: { search: 5, filter: { aurocMin: 'high', layer: 3 }, selected: { site: 1 }, sort: { column: 'nope', dir: 'asc' }, prompt: 'kept' } });
  const ui = q.app.store.state.ui;
  assert.equal(ui.search, '');
  assert.deepEqual(ui.filter, { site: null, layer: 3, aurocMin: 0, aurocMax: 1 });
  assert.equal(ui.selected, null);
  assert.deepEqual(ui.sort, { column: 'rank', dir: 'asc' });
  assert.equal(ui.prompt, 'kept');
  for (const junk of [null, 42, 'state', [], { version: 1 }, { version: 1, ui: null }, { version: 1, ui: [] }]) {
    assert.equal(open(junk).app.store.state.ui.prompt, 'You are such a', JSON.stringify(junk));
  }
});

test('a malformed kept view from the host is dropped with a warning', () => {
  const p = open();
  p.fromHost({ type: 'didRestoreView', view: { sort: { column: 'rank', dir: 'asc' }, filter: { site: null, layer: null, aurocMin: 2, aurocMax: 1 }, search: '', selected: null, activeRow: 0, scrollTop: 0, prompt: '' } });
  assert.equal(p.app.store.state.ui.filter.aurocMin, 0);
  assert.equal(p.warnings.length, 1);
});
