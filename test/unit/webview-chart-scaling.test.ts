// Charts scaled to the data that matters (issue 23, item 6): the histogram's y axis is set by the bars,
// not by the permutation null; the Pareto plot turns logarithmic when a few perplexities are outliers
// and labels them; each series has its own colour and shape and its own legend entry; error bars are
// the intervals fed in, read back through the drawn axes.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { Window } from 'happy-dom';
import { drawAurocHistogram } from '../../webview/views/charts/auroc-histogram';
import { svgElement } from '../../webview/views/charts/frame';
import { mountPage } from '../helpers/page';
import { sweepPoints } from '../helpers/sweep-points';
import type { SweepPoint } from '../../src/shared/protocol';

let page: ReturnType<typeof mountPage> | undefined;
let win: Window | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
  await win?.happyDOM.close();
  win = undefined;
});

/** The numbers in a path's d attribute, as [x, y] pairs. */
function pairs(d: string): [number, number][] {
  const n = (d.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < n.length; i += 2) out.push([n[i]!, n[i + 1]!]);
  return out;
}

/** An axis's ticks as (value, pixel) pairs, read from the drawn <g class="tick" transform=...>; d3
 * draws ticks half a pixel off on 1x screens (crisp lines), which is taken off again here. */
function ticks(axis: Element, dir: 'x' | 'y'): { value: number; px: number }[] {
  return [...axis.querySelectorAll('.tick')].map((t) => {
    const m = /translate\(([-\d.e]+),\s*([-\d.e]+)\)/.exec(t.getAttribute('transform')!)!;
    return { value: Number(t.querySelector('text')!.textContent!.replace(/[,\u2212]/g, (c) => (c === ',' ? '' : '-'))), px: Number(dir === 'x' ? m[1] : m[2]) - 0.5 };
  });
}

/** The linear map pixel -> value through two of an axis's ticks. */
function inverse(t: { value: number; px: number }[]): (px: number) => number {
  const [a, b] = [t[0]!, t.at(-1)!];
  return (px) => a.value + ((px - a.px) * (b.value - a.value)) / (b.px - a.px);
}

test('the histogram y axis fits the bars; the null is clipped under the axis top and never under the chance label', () => {
  win = new Window();
  const doc = win.document as unknown as Document;
  const svg = svgElement(doc, 'h');
  // 400 AUROCs evenly spaced by 0.00125 from 0.3: the bins (0.28–0.82 in 40, width 0.0135) hold 10 or
  // 11 each, so the tallest bar is 11. The null: 4,000 values at 0.5, rescaled to 400 neurons, all in
  // one bin, 36 times the tallest bar.
  const aurocs = Float64Array.from({ length: 400 }, (_, i) => 0.3 + i * 0.00125);
  const drawn = drawAurocHistogram(svg, aurocs, new Float64Array(4000).fill(0.5));
  const yTicks = ticks(svg.querySelector('.axis.y')!, 'y');
  const top = Math.max(...yTicks.map((t) => t.value));
  assert.ok(top >= 11 && top <= 20, `y axis top tick ${top}: set by the bars (max 11), not the null (400)`);
  assert.ok(drawn.yTop >= 11 && drawn.yTop <= 20);
  const heights = [...svg.querySelectorAll('rect.bar')].map((r) => Number(r.getAttribute('height')));
  const plot = Math.max(...yTicks.map((t) => t.px));
  assert.ok(Math.max(...heights) >= 0.5 * plot, `tallest bar ${Math.max(...heights)} of a ${plot}px plot`);
  const nullYs = pairs(svg.querySelector('.null-line')!.getAttribute('d')!).map(([, y]) => y);
  assert.ok(Math.min(...nullYs) >= 0, 'the null line stays inside the plot (clipped at its top)');
  assert.equal(drawn.nullClipped, 1);
  assert.match(svg.querySelector('.null-line title')!.textContent!, /clipped at the axis top, its peak is 400 neurons/);
  const label = svg.querySelector('.threshold-label')!;
  assert.equal(label.textContent, '0.5 chance');
  assert.ok(Number(label.getAttribute('y')) < 0, 'the label sits above the plot area, where the null line cannot run');
});

test('without a null, or with a null below the bars, nothing is clipped', () => {
  win = new Window();
  const doc = win.document as unknown as Document;
  const aurocs = Float64Array.from({ length: 400 }, (_, i) => 0.3 + i * 0.00125);
  // 400 null values spread like the profile: about 11 per bin, at or under the bars' axis top.
  const drawn = drawAurocHistogram(svgElement(doc), aurocs, Float64Array.from({ length: 400 }, (_, i) => 0.3 + i * 0.00125));
  assert.equal(drawn.nullClipped, 0);
  assert.equal(drawAurocHistogram(svgElement(doc), aurocs).nullClipped, 0);
});

/** Seven series between perplexity 100 and 240, with Det0 at 1,300 and 1,400 at strengths 0.5 and 1. */
function withOutliers(): SweepPoint[] {
  const pts: SweepPoint[] = [];
  const arms = [['aura', null], ['damp', null], ['det0', null], ['linear-act', null], ['mean-act', null], ['aura', 'random'], ['aura', 'lowest']] as const;
  arms.forEach(([method, control], a) => {
    for (const strength of [0.25, 0.5, 1]) {
      const perplexity = method === 'det0' && strength >= 0.5 ? (strength === 1 ? 1400 : 1300) : 100 + a * 20 + strength * 20;
      pts.push({ method, control, strength, toxicity: 0.4 - 0.3 * strength + a * 0.01, perplexity, toxicityInterval: { low: 0.35 - 0.3 * strength + a * 0.01, high: 0.45 - 0.3 * strength + a * 0.01 } });
    }
  });
  return pts;
}

test('perplexities within 3x of the median keep a linear x axis and no outlier labels', () => {
  page = mountPage();
  page.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: sweepPoints() } });
  const chart = page.$('pareto-chart');
  assert.equal(chart.querySelector('.axis-label.x')!.textContent, 'perplexity');
  assert.equal(chart.querySelectorAll('.outlier-label').length, 0);
  assert.doesNotMatch(page.$('sweep').textContent!, /log scale/);
});

test('two Det0 outliers make the x axis logarithmic and are labelled; the rest spreads over the plot', () => {
  page = mountPage();
  const pts = withOutliers();
  page.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: pts } });
  const chart = page.$('pareto-chart');
  assert.equal(chart.querySelector('.axis-label.x')!.textContent, 'perplexity (log scale)');
  assert.deepEqual([...chart.querySelectorAll('.outlier-label')].map((t) => t.textContent), ['det0 50%: 1,300', 'det0 100%: 1,400']);
  assert.match(page.$('sweep').textContent!, /log scale: 2 points above 3× the median/);
  // Positions of the lowest (105) and highest non-outlier (240) perplexity, as drawn.
  const xs = [...chart.querySelectorAll('path.point')].map((p) => Number(/translate\(([-\d.e]+),/.exec(p.getAttribute('transform')!)![1]));
  const tickPx = ticks(chart.querySelector('.axis.x')!, 'x').map((t) => t.px);
  const width = Math.max(...xs, ...tickPx) - Math.min(0, ...xs);
  const sorted = [...xs].sort((a, b) => a - b);
  const spread = sorted.at(-3)! - sorted[0]!;
  // On a linear axis from ~100 to ~1,400, 105..240 is ~10% of the width; on the log axis
  // ln(240/105) / ln(1512/92.6) = 0.827 / 2.793, about 30%.
  assert.ok(spread / width > 0.25, `the non-outliers span ${((100 * spread) / width).toFixed(0)}% of the plot`);
});

test('every series has its own colour and its own marker shape, and its own legend entry with the same mark', () => {
  page = mountPage();
  page.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: withOutliers() } });
  const chart = page.$('pareto-chart');
  const series = [...chart.querySelectorAll('g.series')];
  assert.equal(series.length, 7);
  const colourOf = (el: Element) => [...el.classList].find((c) => /^p\d$/.test(c));
  const shapeOf = (g: Element) => g.querySelector('path.point')!.getAttribute('d');
  assert.equal(new Set(series.map(colourOf)).size, 7, 'seven colours');
  assert.equal(new Set(series.map(shapeOf)).size, 7, 'seven shapes');
  assert.deepEqual(series.filter((g) => g.classList.contains('control')).map((g) => g.getAttribute('data-series')), ['aura (random control)', 'aura (lowest control)']);
  const keys = [...page.root.querySelectorAll('.pareto-legend .key')].filter((k) => !k.classList.contains('front'));
  assert.deepEqual(keys.map((k) => k.textContent), series.map((g) => g.getAttribute('data-series')));
  keys.forEach((k, i) => {
    assert.equal(colourOf(k), colourOf(series[i]!));
    assert.equal(k.querySelector('path.point')!.getAttribute('d'), shapeOf(series[i]!));
    assert.equal(k.classList.contains('control'), series[i]!.classList.contains('control'));
  });
  assert.equal(page.root.querySelectorAll('.pareto-legend .key.front').length, 1);
});

test('error bars are the intervals fed in, read back through the drawn axes', () => {
  page = mountPage();
  const pts = sweepPoints()
    .filter((p) => p.perplexity !== null)
    .map((p, i) => ({ ...p, toxicityInterval: { low: Math.max(0, p.toxicity - 0.02 - (i % 5) * 0.01), high: p.toxicity + 0.03 }, perplexityInterval: { low: p.perplexity! - 0.5 - (i % 3) * 0.4, high: p.perplexity! + 0.8 } }));
  page.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: pts } });
  const chart = page.$('pareto-chart');
  const yv = inverse(ticks(chart.querySelector('.axis.y')!, 'y'));
  const xv = inverse(ticks(chart.querySelector('.axis.x')!, 'x'));
  const read = (sel: string) =>
    [...chart.querySelectorAll(sel)].map((b) => {
      const [[x1, y1], [x2, y2]] = pairs(b.getAttribute('d')!) as [[number, number], [number, number]];
      return sel.includes('toxicity') ? [yv(Math.max(y1, y2)), yv(Math.min(y1, y2))] : [xv(Math.min(x1, x2)), xv(Math.max(x1, x2))];
    });
  const near = (got: number[][], want: number[][], tol: number) => {
    assert.equal(got.length, want.length);
    const order = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]!;
    const [g, w] = [[...got].sort(order), [...want].sort(order)];
    g.forEach((v, i) => assert.ok(Math.abs(v[0]! - w[i]![0]!) < tol && Math.abs(v[1]! - w[i]![1]!) < tol, `bar ${v} against interval ${w[i]}`));
  };
  near(read('path.error-bar.toxicity'), pts.map((p) => [p.toxicityInterval.low, p.toxicityInterval.high]), 0.001);
  near(read('path.error-bar.perplexity'), pts.map((p) => [p.perplexityInterval.low, p.perplexityInterval.high]), 0.01);
});
