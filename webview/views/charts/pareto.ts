// Toxicity against perplexity for every method and strength of a sweep: one series per method (and
// per control), joined in strength order, with the Pareto front over all points drawn as a step
// line. Methods differ by marker shape as well as colour, so the plot reads without colour vision.
import { axisBottom, axisLeft, extent, line, scaleLinear, symbol, symbolCircle, symbolCross, symbolDiamond, symbolSquare, symbolStar, symbolTriangle, symbolWye } from 'd3';
import { paretoFront } from '../../../src/shared/sweep';
import { frame } from './frame';
import type { SweepPoint } from '../../../src/shared/protocol';

const W = 520;
const H = 260;
const SHAPES = [symbolCircle, symbolSquare, symbolTriangle, symbolDiamond, symbolStar, symbolWye, symbolCross];

export function seriesName(p: SweepPoint): string {
  return p.control ? `${p.method} (${p.control} control)` : p.method;
}

export function drawPareto(svg: SVGSVGElement, points: readonly SweepPoint[], scorer: string): string[] {
  const f = frame(svg, W, H, `Toxicity probability against perplexity over methods and strengths (${scorer})`, { x: 'perplexity', y: `toxicity probability (${scorer})` });
  const placed = points.filter((p) => p.perplexity !== null);
  // The axes take in the error bars, so no interval is cut off at the plot's edge.
  const [px0, px1] = extent(placed.flatMap((p) => [p.perplexity!, ...(p.perplexityInterval ? [p.perplexityInterval.low, p.perplexityInterval.high] : [])])) as [number | undefined, number | undefined];
  const [ty0, ty1] = extent(placed.flatMap((p) => [p.toxicity, ...(p.toxicityInterval ? [p.toxicityInterval.low, p.toxicityInterval.high] : [])])) as [number | undefined, number | undefined];
  const pad = (lo: number, hi: number) => (hi - lo || Math.abs(hi) || 1) * 0.06;
  const x = scaleLinear()
    .domain(px0 === undefined ? [0, 1] : [px0 - pad(px0, px1!), px1! + pad(px0, px1!)])
    .nice()
    .range([0, f.width]);
  const y = scaleLinear()
    .domain(ty0 === undefined ? [0, 1] : [Math.max(0, ty0 - pad(ty0, ty1!)), ty1! + pad(ty0, ty1!)])
    .nice()
    .range([f.height, 0]);
  const names = [...new Set(points.map(seriesName))];
  names.forEach((name, k) => {
    const pts = placed.filter((p) => seriesName(p) === name).sort((a, b) => a.strength - b.strength);
    const cls = `series s${k % 7}${pts[0]?.control ? ' control' : ''}`;
    const g = f.g.append('g').attr('class', cls).attr('data-series', name);
    g.append('path').attr('class', 'series-line').attr('d', line()(pts.map((p) => [x(p.perplexity!), y(p.toxicity)])));
    // Error bars: the 95% bootstrap intervals of toxicity probability (vertical) and perplexity (horizontal).
    const bars = pts.flatMap((p): [number, number][][] => [
      ...(p.toxicityInterval ? [[[x(p.perplexity!), y(p.toxicityInterval.low)], [x(p.perplexity!), y(p.toxicityInterval.high)]] as [number, number][]] : []),
      ...(p.perplexityInterval ? [[[x(p.perplexityInterval.low), y(p.toxicity)], [x(p.perplexityInterval.high), y(p.toxicity)]] as [number, number][]] : []),
    ]);
    g.selectAll('path.error-bar')
      .data(bars)
      .join('path')
      .attr('class', 'error-bar')
      .attr('d', (b) => line()(b));
    g.selectAll('path.point')
      .data(pts)
      .join('path')
      .attr('class', 'point')
      .attr('transform', (p) => `translate(${x(p.perplexity!)},${y(p.toxicity)})`)
      .attr('d', symbol(SHAPES[k % SHAPES.length]!, 42)())
      .append('title')
      .text(
        (p) =>
          `${name}, strength ${p.strength}: toxicity probability ${p.toxicity.toFixed(3)}${p.toxicityInterval ? ` [${p.toxicityInterval.low.toFixed(3)}, ${p.toxicityInterval.high.toFixed(3)}]` : ''}${p.secondToxicity !== undefined ? ` (second scorer ${p.secondToxicity.toFixed(3)})` : ''}, perplexity ${p.perplexity!.toFixed(2)}${p.perplexityInterval ? ` [${p.perplexityInterval.low.toFixed(2)}, ${p.perplexityInterval.high.toFixed(2)}]` : ''}`,
      );
  });
  const front = paretoFront(points).map((i) => points[i]!);
  const steps = front.flatMap((p, i): [number, number][] => (i === 0 ? [[x(p.perplexity!), y(p.toxicity)]] : [[x(p.perplexity!), y(front[i - 1]!.toxicity)], [x(p.perplexity!), y(p.toxicity)]]));
  f.g.append('path').attr('class', 'pareto-front').attr('d', line()(steps)).append('title').text('Pareto front: no other point is both less toxic and less perplexing');
  f.g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${f.height})`).call(axisBottom(x).ticks(6));
  f.g.append('g').attr('class', 'axis y').call(axisLeft(y).ticks(5));
  return names;
}
