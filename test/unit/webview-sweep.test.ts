// The sweep card draws a series per method and control, the Pareto front, and asks the host to export
// the points (issue 9, item 4).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { mountPage } from '../helpers/page';
import { sweepPoints as points } from '../helpers/sweep-points';

let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

test('the page draws a series per method and control, the front, and asks the host to export', () => {
  page = mountPage();
  const p = page;
  assert.equal(p.$('sweep').hidden, true);
  const pts = points();
  p.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: pts } });
  assert.equal(p.$('sweep').hidden, false);
  const chart = p.$('pareto-chart');
  assert.deepEqual(
    [...chart.querySelectorAll('.series')].map((g) => g.getAttribute('data-series')),
    ['aura', 'det0', 'linear-act', 'aura (random control)', 'aura (lowest control)', 'mean-act'],
  );
  assert.equal(chart.querySelectorAll('path.point').length, pts.length - 1, 'the point without a perplexity is not drawn');
  assert.ok(chart.querySelector('.pareto-front')!.getAttribute('d'));
  assert.deepEqual([...chart.querySelectorAll('.axis-label')].map((t) => t.textContent), ['perplexity', 'toxicity (lexicon)']);
  assert.match(p.$('sweep').textContent!, /1 without a perplexity are not drawn/);
  p.$('sweep-export-csv').click();
  p.$('sweep-export-json').click();
  assert.deepEqual(p.posted.slice(-2), [
    { type: 'exportSweep', format: 'csv' },
    { type: 'exportSweep', format: 'json' },
  ]);
});

