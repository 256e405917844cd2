// While a profile (or a model load) runs, the "Profile a concept" card offers no enabled button and
// says what runs; the buttons come back when it ends (issue 11, item 4).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, modelOf, mountPage } from '../helpers/page';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

test('no enabled call to action while a profile runs', () => {
  page = mountPage();
  const p = page;
  p.fromHost({ type: 'didChangeModel', model: modelOf(bigExperts(100)) });
  const welcome = p.root.querySelector('.welcome') as HTMLElement;
  const cta = () => [...welcome.querySelectorAll<HTMLElement>('[role=button]')];
  assert.match(welcome.textContent!, /Profile a concept/);
  assert.ok(cta().length > 0 && cta().every((b) => !b.hasAttribute('disabled')));

  p.fromHost({ type: 'didChangeProgress', progress: { task: 'Profiling the concept', done: 2, total: 10 } });
  assert.ok(cta().every((b) => b.hasAttribute('disabled') && b.getAttribute('aria-disabled') === 'true'));
  const busy = welcome.querySelector('.busy') as HTMLElement;
  assert.equal(busy.hidden, false);
  assert.match(busy.textContent!, /Profiling the concept/);
  // A disabled button does nothing when clicked.
  cta()[0]!.click();
  assert.equal(p.posted.filter((m) => m.type === 'profile').length, 0);
  const header = [...p.root.querySelectorAll<HTMLElement>('.app-header [role=button]')];
  assert.ok(header.every((b) => b.hasAttribute('disabled')));

  p.fromHost({ type: 'didChangeProgress', progress: { task: null, done: 0, total: 0 } });
  assert.ok(cta().every((b) => !b.hasAttribute('disabled')));
  assert.equal(busy.hidden, true);
  cta()[0]!.click();
  assert.deepEqual(p.posted.at(-1), { type: 'profile' });
});

test('a profile finishing replaces the card with the results', () => {
  page = mountPage();
  const e = bigExperts(100);
  page.fromHost({ type: 'didChangeModel', model: modelOf(e) });
  page.fromHost({ type: 'didChangeProgress', progress: { task: 'Profiling the concept', done: 9, total: 10 } });
  page.fromHost({ type: 'didChangeExperts', experts: e });
  page.fromHost({ type: 'didChangeProgress', progress: { task: null, done: 0, total: 0 } });
  assert.equal((page.root.querySelector('.welcome') as HTMLElement).hidden, true);
  assert.equal(page.$('summary').hidden, false);
});
