// The summary draws with d3: an AUROC histogram of <rect> bars over every neuron, and one bar per
// layer; the welcome card shows until a profile exists.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, feedProfile, mountPage, type MountedPage } from '../helpers/page';

let page: MountedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

test('the AUROC histogram counts every neuron; the per-layer chart has a bar per layer', () => {
  const experts = bigExperts(20_000);
  page = mountPage();
  feedProfile(page, experts, null);
  const bars = [...page.$('auroc-histogram').querySelectorAll('rect')];
  assert.ok(bars.length >= 20);
  const counted = bars.reduce((n, r) => n + Number(/: (\d+) neurons/.exec(r.querySelector('title')!.textContent!)![1]), 0);
  assert.equal(counted, 20_000);
  assert.ok(bars.some((r) => r.getAttribute('class') === 'bar expert'));
  assert.equal(page.$('per-layer-chart').querySelectorAll('rect').length, experts.perLayer.length);
  assert.match(page.$('summary').textContent!, /20,000neurons profiled/);
});

test('a new user sees the welcome card with Use Demo Model, which asks the host', () => {
  page = mountPage();
  assert.equal(page.$('summary').hidden, true);
  const welcome = page.root.querySelector('.welcome') as HTMLElement;
  assert.equal(welcome.hidden, false);
  const demo = [...welcome.querySelectorAll('[role=button]')].find((b) => b.textContent === 'Use Demo Model') as HTMLElement;
  demo.click();
  assert.deepEqual(page.posted.at(-1), { type: 'useDemoModel' });
});
