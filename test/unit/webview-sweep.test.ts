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
  assert.deepEqual([...chart.querySelectorAll('.axis-label')].map((t) => t.textContent), ['perplexity', 'toxicity probability (lexicon)']);
  assert.match(p.$('sweep').textContent!, /1 without a perplexity are not drawn/);
  p.$('sweep-export-csv').click();
  p.$('sweep-export-json').click();
  assert.deepEqual(p.posted.slice(-2), [
    { type: 'exportSweep', format: 'csv' },
    { type: 'exportSweep', format: 'json' },
  ]);
});


test('error bars for each interval, the sample size, and a warning when compared intervals overlap (issue 20, item 5)', () => {
  page = mountPage();
  const p = page;
  const pts = points().map((pt) => (pt.perplexity === null ? pt : { ...pt, toxicityInterval: { low: pt.toxicity - 0.05, high: pt.toxicity + 0.05 }, perplexityInterval: { low: pt.perplexity - 1, high: pt.perplexity + 1 } }));
  const warning = 'aura at 1 and its random control: the 95% intervals of toxicity probability overlap';
  p.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: pts, prompts: 100, samplesPerPrompt: 10, warnings: [warning] } });
  const chart = p.$('pareto-chart');
  const drawn = pts.filter((pt) => pt.perplexity !== null).length;
  assert.equal(chart.querySelectorAll('path.error-bar').length, 2 * drawn, 'a vertical and a horizontal bar per drawn point');
  assert.match(p.$('sweep').textContent!, /on 100 prompts × k = 10/);
  assert.match(p.$('sweep').textContent!, /Bars: 95% bootstrap intervals/);
  assert.equal(p.doc.querySelector('[data-testid="sweep-warning"]')?.textContent, `Warning: ${warning}`);
  assert.match(chart.querySelector('path.point title')!.textContent!, /toxicity probability \d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\]/);
});
