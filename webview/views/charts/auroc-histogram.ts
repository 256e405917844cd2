// How AUROCs spread over all profiled neurons: most sit near 0.5 (no signal); the experts are the
// bars right of the 0.5 line.
import { axisBottom, axisLeft, bin, max, range, scaleLinear } from 'd3';
import { frame } from './frame';

const W = 440;
const H = 150;

export function drawAurocHistogram(svg: SVGSVGElement, aurocs: readonly number[]): void {
  const f = frame(svg, W, H, 'Histogram of AUROC over all profiled neurons');
  const bins = bin().domain([0, 1]).thresholds(range(0.025, 1, 0.025))(aurocs as number[]);
  const x = scaleLinear().domain([0, 1]).range([0, f.width]);
  const y = scaleLinear()
    .domain([0, max(bins, (b) => b.length) || 1])
    .nice()
    .range([f.height, 0]);
  f.g
    .selectAll('rect')
    .data(bins)
    .join('rect')
    .attr('class', (b) => ((b.x0 ?? 0) >= 0.5 ? 'bar expert' : 'bar'))
    .attr('x', (b) => x(b.x0 ?? 0) + 0.5)
    .attr('width', (b) => Math.max(0, x(b.x1 ?? 0) - x(b.x0 ?? 0) - 1))
    .attr('y', (b) => y(b.length))
    .attr('height', (b) => f.height - y(b.length))
    .append('title')
    .text((b) => `AUROC ${(b.x0 ?? 0).toFixed(3)}–${(b.x1 ?? 0).toFixed(3)}: ${b.length} neurons`);
  f.g.append('line').attr('class', 'threshold').attr('x1', x(0.5)).attr('x2', x(0.5)).attr('y1', 0).attr('y2', f.height);
  f.g.append('g').attr('class', 'axis').attr('transform', `translate(0,${f.height})`).call(axisBottom(x).ticks(5));
  f.g.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4, 's'));
}
