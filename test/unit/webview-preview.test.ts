// The preview pane: Run sends the prompt, streamed snapshots render side by side, the newest run wins,
// and where the intervened text departs from the original is marked.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function ready() {
  const experts = bigExperts(500);
  page = mountPage();
  page.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  page.fromHost({ type: 'didChangeExperts', experts });
  page.fromHost({ type: 'didChangeIntervention', intervention: intervention({ strength: 0.6 }) });
  return page;
}

test('Run sends the prompt in the box', () => {
  const p = ready();
  const prompt = p.$('preview-prompt') as HTMLTextAreaElement;
  prompt.value = 'You are such a';
  prompt.dispatchEvent(new p.win.Event('input') as unknown as Event);
  p.$('preview-run').click();
  assert.deepEqual(p.posted.at(-1), { type: 'runPreview', prompt: 'You are such a' });
});

test('streamed snapshots render both continuations side by side; stale runs are ignored', () => {
  const p = ready();
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 2, prompt: 'Hi', original: ' you', intervened: '', done: false } });
  assert.equal(p.$('preview-original').textContent, 'Hi you');
  assert.equal(p.$('preview-intervened').textContent, 'Hi');
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 2, prompt: 'Hi', original: ' you fool', intervened: ' you friend', done: true } });
  assert.equal(p.$('preview-original').textContent, 'Hi you fool');
  assert.equal(p.$('preview-intervened').textContent, 'Hi you friend');
  assert.equal(p.$('preview-intervened').querySelector('mark.diverged')!.textContent, 'riend');
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 1, prompt: 'Old', original: ' stale', intervened: ' stale', done: true } });
  assert.equal(p.$('preview-original').textContent, 'Hi you fool', 'an older run never replaces a newer one');
  assert.equal(p.$('preview-intervened').previousElementSibling!.textContent, 'Intervened (AurA 60%)');
});

test('a run started from the editor shows its prompt in the box', () => {
  const p = ready();
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 5, prompt: 'selected text', original: '', intervened: '', done: false } });
  assert.equal((p.$('preview-prompt') as HTMLTextAreaElement).value, 'selected text');
});

test('a rerun of the same prompt (the intervention changed) leaves a typed prompt alone; a new prompt from the editor replaces it', () => {
  const p = ready();
  const box = p.$('preview-prompt') as HTMLTextAreaElement;
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 5, prompt: 'from the editor', original: ' a', intervened: '', done: false } });
  assert.equal(box.value, 'from the editor');
  box.value = 'typed here';
  box.dispatchEvent(new p.win.Event('input') as unknown as Event);
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 6, prompt: 'from the editor', original: ' a', intervened: '', done: false } });
  assert.equal(box.value, 'typed here', 'the rerun did not replace what was typed');
  assert.equal(p.app.store.state.ui.prompt, 'typed here');
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 7, prompt: 'another selection', original: '', intervened: '', done: false } });
  assert.equal(box.value, 'another selection');
});

test('a page that opens during a run it did not start keeps its own prompt (the host replays that run)', () => {
  const p = ready();
  const box = p.$('preview-prompt') as HTMLTextAreaElement;
  const before = box.value;
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 9, prompt: 'older run', original: ' a', intervened: '', done: false, replayed: true } });
  assert.equal(box.value, before);
});

test('a rerun the host marks (the intervention changed) never replaces the prompt of a page that has seen no run yet', () => {
  const p = ready();
  const box = p.$('preview-prompt') as HTMLTextAreaElement;
  const before = box.value;
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 3, prompt: 'an earlier prompt', original: '', intervened: '', done: false, rerun: true } });
  assert.equal(box.value, before);
});
