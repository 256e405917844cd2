// How AUROCs spread over all profiled neurons: most sit near 0.5 (no signal); the experts are the
// bars right of the 0.5 line. The x range fits the data (real profiles rarely leave 0.3–0.8, so a
// fixed 0–1 axis squeezes everything into a few bars), and the permutation null, when the profile
// carries one, is drawn over the bars at the same total so the excess over chance is visible. The y
// axis fits the bars alone: the null piles up near 0.5 (often several times the tallest bar), and an
// axis set by it squashed the real bars into the bottom sixth, so the null line is clipped at the top
// of the plot (its peak is in its tooltip), and the "0.5 chance" label sits above the plot area.
import { axisBottom, axisLeft, format, line, scaleLinear } from 'd3';
import { frame } from './frame';

const W = 440;
const H = 170;
const BINS = 40;

export interface HistogramBins {
  lo: number;
  hi: number;
  width: number;
  counts: number[];
}

/** Equal-width bins over a range that contains every value and 0.5, padded and rounded to 0.01. */
export function aurocBins(aurocs: ArrayLike<number>, bins = BINS): HistogramBins {
  let min = 0.5;
  let max = 0.5;
  for (let i = 0; i < aurocs.length; i++) {
    const a = aurocs[i]!;
    if (a < min) min = a;
    if (a > max) max = a;
  }
  const pad = Math.max(0.01, (max - min) * 0.04);
  const lo = Math.max(0, Math.floor((min - pad) * 100) / 100);
  const hi = Math.min(1, Math.ceil((max + pad) * 100) / 100);
  const width = (hi - lo) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < aurocs.length; i++) counts[Math.min(bins - 1, Math.max(0, Math.floor((aurocs[i]! - lo) / width)))]!++;
  return { lo, hi, width, counts };
}

function countInto(b: HistogramBins, values: ArrayLike<number>): number[] {
  const counts = new Array<number>(b.counts.length).fill(0);
  for (let i = 0; i < values.length; i++) {
    const k = Math.floor((values[i]! - b.lo) / b.width);
    if (k >= 0 && k < counts.length) counts[k]!++;
  }
  return counts;
}

export interface HistogramDrawn extends HistogramBins {
  /** The y axis's top (a nice number at or above the tallest bar; the null never raises it). */
  yTop: number;
  /** Bins where the rescaled null rose above yTop and its line is clipped. */
  nullClipped: number;
}

export function drawAurocHistogram(svg: SVGSVGElement, aurocs: ArrayLike<number>, nullAuroc?: ArrayLike<number>): HistogramDrawn {
  const f = frame(svg, W, H, 'Histogram of AUROC over all profiled neurons', { x: 'AUROC', y: 'neurons' });
  const b = aurocBins(aurocs);
  // The null sample may be smaller than the profile: scale it to the same number of neurons.
  const nullCounts = nullAuroc && nullAuroc.length ? countInto(b, nullAuroc).map((c) => (c * aurocs.length) / nullAuroc.length) : undefined;
  const x = scaleLinear().domain([b.lo, b.hi]).range([0, f.width]);
  const y = scaleLinear().domain([0, Math.max(1, ...b.counts)]).nice(4).range([f.height, 0]);
  const yTop = y.domain()[1]!;
  const data = b.counts.map((n, i) => ({ x0: b.lo + i * b.width, x1: b.lo + (i + 1) * b.width, n }));
  f.g
    .selectAll('rect')
    .data(data)
    .join('rect')
    .attr('class', (d) => (d.x0 >= 0.5 - 1e-12 ? 'bar expert' : 'bar'))
    .attr('x', (d) => x(d.x0) + 0.5)
    .attr('width', (d) => Math.max(0, x(d.x1) - x(d.x0) - 1))
    .attr('y', (d) => y(d.n))
    .attr('height', (d) => f.height - y(d.n))
    .append('title')
    .text((d) => `AUROC ${d.x0.toFixed(3)}–${d.x1.toFixed(3)}: ${d.n} neurons`);
  let nullClipped = 0;
  if (nullCounts) {
    const peak = Math.max(...nullCounts);
    nullClipped = nullCounts.filter((n) => n > yTop).length;
    const pts = nullCounts.flatMap((n, i): [number, number][] => [
      [x(b.lo + i * b.width), y(Math.min(n, yTop))],
      [x(b.lo + (i + 1) * b.width), y(Math.min(n, yTop))],
    ]);
    const note = nullClipped ? `; clipped at the axis top, its peak is ${Math.round(peak)} neurons` : '';
    f.g.append('path').attr('class', 'null-line').attr('d', line()(pts)).append('title').text(`Label-permutation null (rescaled to the same number of neurons${note})`);
  }
  f.g.append('line').attr('class', 'threshold').attr('x1', x(0.5)).attr('x2', x(0.5)).attr('y1', 0).attr('y2', f.height);
  // In the top margin, where no bar or null line can run under it.
  f.g.append('text').attr('class', 'threshold-label').attr('x', x(0.5)).attr('y', -3).attr('text-anchor', 'middle').text('0.5 chance');
  f.g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${f.height})`).call(axisBottom(x).ticks(6).tickFormat(format('.2f')));
  f.g.append('g').attr('class', 'axis y').call(axisLeft(y).ticks(4, '~s'));
  return { ...b, yTop, nullClipped };
}
