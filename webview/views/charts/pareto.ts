// Toxicity against perplexity for every method and strength of a sweep: one series per method (and
// per control), joined in strength order, with the Pareto front over all points drawn as a step
// line. Every series has its own colour AND its own marker shape (methods filled, controls hollow),
// so the plot reads without colour vision and the legend names each one with the same mark.
// A method that wrecks the model (Det0 at full strength: perplexity in the thousands) would stretch a
// linear x axis so far that every other point crams into a tenth of it: when some perplexities are
// more than OUTLIER_RATIO times the median, the x axis is logarithmic and those points are labelled.
import {
  axisBottom,
  axisLeft,
  extent,
  line,
  scaleLinear,
  scaleLog,
  symbol,
  symbolAsterisk,
  symbolCircle,
  symbolCross,
  symbolDiamond,
  symbolDiamond2,
  symbolPlus,
  symbolSquare,
  symbolSquare2,
  symbolStar,
  symbolTimes,
  symbolTriangle,
  symbolTriangle2,
  symbolWye,
} from 'd3';
import { paretoFront } from '../../../src/shared/sweep';
import { frame } from './frame';
import type { SymbolType } from 'd3';
import type { SweepPoint } from '../../../src/shared/protocol';

const W = 520;
const H = 260;
/** Filled shapes for methods, outlines for controls; no two series of a kind share one. */
const METHOD_SHAPES = [symbolCircle, symbolSquare, symbolTriangle, symbolDiamond, symbolStar, symbolWye, symbolCross];
const CONTROL_SHAPES = [symbolTimes, symbolPlus, symbolTriangle2, symbolSquare2, symbolDiamond2, symbolAsterisk];
/** Colours in panel.css (--p0 … --p7). */
export const SERIES_COLOURS = 8;
export const MARKER_SIZE = 42;
/** A perplexity this many times the median makes the x axis logarithmic. */
export const OUTLIER_RATIO = 3;

export function seriesName(p: SweepPoint): string {
  return p.control ? `${p.method} (${p.control} control)` : p.method;
}

/** How one series is drawn: the legend uses the same colour class and shape. */
export interface SeriesStyle {
  name: string;
  control: boolean;
  /** 'p0' … 'p7': the colour class. */
  colour: string;
  shape: SymbolType;
}

export interface ParetoDrawn {
  series: SeriesStyle[];
  xScale: 'linear' | 'log';
  /** The points labelled as outliers (perplexity > OUTLIER_RATIO × the median). */
  outliers: SweepPoint[];
}

export function seriesStyles(points: readonly SweepPoint[]): SeriesStyle[] {
  let methods = 0;
  let controls = 0;
  return [...new Map(points.map((p) => [seriesName(p), p.control !== null])).entries()].map(([name, control], k) => ({
    name,
    control,
    colour: `p${k % SERIES_COLOURS}`,
    shape: control ? CONTROL_SHAPES[controls++ % CONTROL_SHAPES.length]! : METHOD_SHAPES[methods++ % METHOD_SHAPES.length]!,
  }));
}

/** Points whose perplexity is more than OUTLIER_RATIO times the median of all drawn points. */
export function perplexityOutliers(points: readonly SweepPoint[]): SweepPoint[] {
  const v = points.flatMap((p) => (p.perplexity !== null && p.perplexity > 0 ? [p.perplexity] : [])).sort((a, b) => a - b);
  if (v.length < 3) return [];
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  return points.filter((p) => p.perplexity !== null && p.perplexity > OUTLIER_RATIO * median);
}

/** The marker path for a style, centred on 0,0 (chart and legend). */
export function markerPath(s: SeriesStyle): string {
  return symbol(s.shape, MARKER_SIZE)() ?? '';
}

export function drawPareto(svg: SVGSVGElement, points: readonly SweepPoint[], scorer: string): ParetoDrawn {
  const placed = points.filter((p) => p.perplexity !== null);
  const outliers = perplexityOutliers(placed);
  const log = outliers.length > 0;
  const f = frame(svg, W, H, `Toxicity probability against perplexity over methods and strengths (${scorer})`, { x: log ? 'perplexity (log scale)' : 'perplexity', y: `toxicity probability (${scorer})` });
  // The axes take in the error bars, so no interval is cut off at the plot's edge.
  const xs = placed.flatMap((p) => [p.perplexity!, ...(p.perplexityInterval ? [p.perplexityInterval.low, p.perplexityInterval.high] : [])]).filter((v) => !log || v > 0);
  const [px0, px1] = extent(xs) as [number | undefined, number | undefined];
  const [ty0, ty1] = extent(placed.flatMap((p) => [p.toxicity, ...(p.toxicityInterval ? [p.toxicityInterval.low, p.toxicityInterval.high] : [])])) as [number | undefined, number | undefined];
  const pad = (lo: number, hi: number) => (hi - lo || Math.abs(hi) || 1) * 0.06;
  const x = log
    ? scaleLog()
        .domain([px0! / 1.08, px1! * 1.08])
        .range([0, f.width])
    : scaleLinear()
        .domain(px0 === undefined ? [0, 1] : [px0 - pad(px0, px1!), px1! + pad(px0, px1!)])
        .nice()
        .range([0, f.width]);
  const y = scaleLinear()
    .domain(ty0 === undefined ? [0, 1] : [Math.max(0, ty0 - pad(ty0, ty1!)), ty1! + pad(ty0, ty1!)])
    .nice()
    .range([f.height, 0]);
  const series = seriesStyles(points);
  for (const s of series) {
    const pts = placed.filter((p) => seriesName(p) === s.name).sort((a, b) => a.strength - b.strength);
    const g = f.g.append('g').attr('class', `series ${s.colour}${s.control ? ' control' : ''}`).attr('data-series', s.name);
    g.append('path').attr('class', 'series-line').attr('d', line()(pts.map((p) => [x(p.perplexity!), y(p.toxicity)])));
    // Error bars: the 95% bootstrap intervals of toxicity probability (vertical) and perplexity (horizontal).
    const bars = pts.flatMap((p): { dir: 'toxicity' | 'perplexity'; d: [number, number][] }[] => [
      ...(p.toxicityInterval ? [{ dir: 'toxicity' as const, d: [[x(p.perplexity!), y(p.toxicityInterval.low)], [x(p.perplexity!), y(p.toxicityInterval.high)]] as [number, number][] }] : []),
      ...(p.perplexityInterval ? [{ dir: 'perplexity' as const, d: [[x(p.perplexityInterval.low), y(p.toxicity)], [x(p.perplexityInterval.high), y(p.toxicity)]] as [number, number][] }] : []),
    ]);
    g.selectAll('path.error-bar')
      .data(bars)
      .join('path')
      .attr('class', (b) => `error-bar ${b.dir}`)
      .attr('d', (b) => line()(b.d));
    g.selectAll('path.point')
      .data(pts)
      .join('path')
      .attr('class', 'point')
      .attr('transform', (p) => `translate(${x(p.perplexity!)},${y(p.toxicity)})`)
      .attr('d', markerPath(s))
      .append('title')
      .text(
        (p) =>
          `${s.name}, strength ${p.strength}: toxicity probability ${p.toxicity.toFixed(3)}${p.toxicityInterval ? ` [${p.toxicityInterval.low.toFixed(3)}, ${p.toxicityInterval.high.toFixed(3)}]` : ''}${p.secondToxicity !== undefined ? ` (second scorer ${p.secondToxicity.toFixed(3)})` : ''}, perplexity ${p.perplexity!.toFixed(2)}${p.perplexityInterval ? ` [${p.perplexityInterval.low.toFixed(2)}, ${p.perplexityInterval.high.toFixed(2)}]` : ''}`,
      );
  }
  // Outliers named where they sit, text anchored away from the right edge.
  f.g.append('g')
    .attr('class', 'outlier-labels')
    .selectAll('text')
    .data(outliers)
    .join('text')
    .attr('class', 'outlier-label')
    .attr('x', (p) => x(p.perplexity!) - 7)
    .attr('y', (p) => y(p.toxicity) - 6)
    .attr('text-anchor', 'end')
    .text((p) => `${seriesName(p)} ${Math.round(p.strength * 100)}%: ${Math.round(p.perplexity!).toLocaleString('en-US')}`);
  const front = paretoFront(points).map((i) => points[i]!);
  const steps = front.flatMap((p, i): [number, number][] => (i === 0 ? [[x(p.perplexity!), y(p.toxicity)]] : [[x(p.perplexity!), y(front[i - 1]!.toxicity)], [x(p.perplexity!), y(p.toxicity)]]));
  f.g.append('path').attr('class', 'pareto-front').attr('d', line()(steps)).append('title').text('Pareto front: no other point is both less toxic and less perplexing');
  const xAxis = log ? axisBottom(x).ticks(6, '~s') : axisBottom(x).ticks(6);
  f.g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${f.height})`).call(xAxis);
  f.g.append('g').attr('class', 'axis y').call(axisLeft(y).ticks(5));
  return { series, xScale: log ? 'log' : 'linear', outliers };
}
