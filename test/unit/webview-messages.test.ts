// The page validates what the host sends (invalid messages are ignored, with a warning), says
// 'ready' on load, and restores its view after a reload from vscode.getState.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bigExperts, feedProfile, modelOf, pagesClosedAfterEach } from '../helpers/page';

const experts = bigExperts(5_000);
const open = pagesClosedAfterEach();

test('the page says ready on load', () => {
  const p = open();
  assert.deepEqual(p.posted, [{ type: 'ready' }]);
});

test('invalid host messages are ignored, valid ones after them still apply', () => {
  const p = open();
  p.fromHost({ type: 'didChangeExperts', experts: { site: [1], neuron: [], auroc: [], sites: [] } });
  p.fromHost({ type: 'didChangeIntervention', intervention: 42 });
  p.fromHost('didError');
  p.fromHost({ type: 'didTakeOver' });
  assert.equal(p.app.store.state.experts, null);
  assert.equal(p.app.store.state.intervention, null);
  assert.equal(p.warnings.length, 4);
  assert.equal(p.$$('expert-row').length, 0);
  p.fromHost({ type: 'didChangeExperts', experts });
  assert.ok(p.$$('expert-row').length > 0);
});

test('errors and progress from the host are shown, and the error can be dismissed', () => {
  const p = open();
  p.fromHost({ type: 'didChangeProgress', progress: { task: 'Profiling the concept', done: 3, total: 10 } });
  assert.equal(p.$('progress').hidden, false);
  assert.match(p.$('progress').textContent!, /Profiling the concept \(3\/10\)/);
  p.fromHost({ type: 'didChangeProgress', progress: { task: null, done: 0, total: 0 } });
  assert.equal(p.$('progress').hidden, true);
  p.fromHost({ type: 'didError', message: 'model.onnx: not an ONNX model' });
  assert.equal(p.$('error').hidden, false);
  assert.match(p.$('error').textContent!, /not an ONNX model/);
  (p.$('error').querySelector('[role=button]') as HTMLElement).click();
  assert.equal(p.$('error').hidden, true);
});

test('after a reload the page restores its filters, prompt and selection, and asks for the detail again', () => {
  const first = open();
  first.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  first.fromHost({ type: 'didChangeExperts', experts });
  const search = first.$('search-neuron') as HTMLInputElement;
  search.value = 'c_proj';
  search.dispatchEvent(new first.win.Event('input') as unknown as Event);
  const prompt = first.$('preview-prompt') as HTMLTextAreaElement;
  prompt.value = 'my prompt';
  prompt.dispatchEvent(new first.win.Event('input') as unknown as Event);
  const row = first.$$('expert-row')[2]!;
  row.click();
  const selected = first.app.store.state.ui.selected!;
  const saved = first.state();

  const second = open(saved);
  // 'ready', then the view it restored, for the host to keep.
  assert.deepEqual(second.posted.map((m) => m.type), ['ready', 'saveView']);
  assert.equal((second.posted[1] as { view: { search: string } }).view.search, 'c_proj');
  assert.equal((second.$('search-neuron') as HTMLInputElement).value, 'c_proj');
  assert.equal((second.$('preview-prompt') as HTMLTextAreaElement).value, 'my prompt');
  feedProfile(second, experts);
  assert.deepEqual(second.posted.at(-1), { type: 'selectNeuron', ...selected });
  assert.ok(second.$$('expert-row').every((r) => r.querySelector('.site')!.textContent!.includes('c_proj')));
  assert.equal(second.root.querySelector('[aria-selected="true"] .id')!.textContent, `${selected.site}:${selected.neuron}`);
});

test('a saved state from another version, or garbage, falls back to defaults', () => {
  const p = open({ version: 99, ui: { search: 'x' } });
  assert.equal(p.app.store.state.ui.search, '');
  const q = open({ version: 1, ui: { search: 5, filter: { aurocMin: 'high' }, selected: { site: 1 } } });
  assert.equal(q.app.store.state.ui.search, '');
  assert.equal(q.app.store.state.ui.filter.aurocMin, 0);
  assert.equal(q.app.store.state.ui.selected, null);
});

test('packed experts draw the same rows as the unpacked ones, and preview appends extend the shown text', async () => {
  const { packExperts } = await import('../../src/shared/experts-packed');
  const a = open();
  a.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  a.fromHost({ type: 'didChangeExperts', experts });
  const b = open();
  b.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  b.fromHost({ type: 'didChangeExpertsPacked', experts: packExperts(experts) });
  assert.equal(b.warnings.length, 0);
  const ids = (p: ReturnType<typeof open>) => p.$$('expert-row').map((r) => r.querySelector('.id')!.textContent);
  assert.ok(ids(b).length > 0);
  assert.deepEqual(ids(b), ids(a));

  b.fromHost({ type: 'didUpdatePreview', preview: { runId: 3, prompt: 'You', original: '', intervened: '', done: false, seq: 0 } });
  b.fromHost({ type: 'didAppendPreview', append: { runId: 3, seq: 1, side: 'intervened', text: ' are' } });
  b.fromHost({ type: 'didAppendPreview', append: { runId: 3, seq: 2, side: 'intervened', text: ' kind' } });
  assert.equal(b.app.store.state.preview?.intervened, ' are kind');
  // seq 4 after 2: a gap, refused, and the page asks for the whole snapshot.
  b.fromHost({ type: 'didAppendPreview', append: { runId: 3, seq: 4, side: 'intervened', text: ' today' } });
  assert.equal(b.app.store.state.preview?.intervened, ' are kind');
  assert.deepEqual(b.posted.at(-1), { type: 'resyncPreview' });
});
