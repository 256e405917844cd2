// One neuron's pooled responses on toxic vs non-toxic examples, as two overlaid histograms of
// shares (each class sums to 1), so classes of different sizes compare fairly.
import { axisBottom, axisLeft, bin, extent, format, max, scaleLinear } from 'd3';
import { frame } from './frame';

const W = 360;
const H = 170;

export function drawDistribution(svg: SVGSVGElement, positive: readonly number[], negative: readonly number[]): void {
  const f = frame(svg, W, H, 'Responses on toxic and non-toxic examples', { x: 'pooled response (activation)', y: 'share of examples' });
  const [lo, hi] = extent([...positive, ...negative]) as [number | undefined, number | undefined];
  const domain: [number, number] = lo === undefined || hi === undefined ? [0, 1] : lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
  const x = scaleLinear().domain(domain).nice().range([0, f.width]);
  const make = bin().domain(x.domain() as [number, number]).thresholds(x.ticks(30));
  const classes = [
    { name: 'non-toxic', cls: 'negative', bins: make(negative as number[]), n: negative.length },
    { name: 'toxic', cls: 'positive', bins: make(positive as number[]), n: positive.length },
  ];
  const share = (len: number, n: number) => (n ? len / n : 0);
  const top = max(classes, (c) => max(c.bins, (b) => share(b.length, c.n))) ?? 1;
  const y = scaleLinear().domain([0, top || 1]).nice().range([f.height, 0]);
  for (const c of classes) {
    f.g
      .append('g')
      .attr('class', `series ${c.cls}`)
      .selectAll('rect')
      .data(c.bins)
      .join('rect')
      .attr('class', `bar ${c.cls}`)
      .attr('x', (b) => x(b.x0 ?? 0) + 0.5)
      .attr('width', (b) => Math.max(0, x(b.x1 ?? 0) - x(b.x0 ?? 0) - 1))
      .attr('y', (b) => y(share(b.length, c.n)))
      .attr('height', (b) => f.height - y(share(b.length, c.n)))
      .append('title')
      .text((b) => `${c.name}: ${b.length} examples with a response in ${(b.x0 ?? 0).toFixed(3)}–${(b.x1 ?? 0).toFixed(3)}`);
  }
  f.g.append('g').attr('class', 'axis').attr('transform', `translate(0,${f.height})`).call(axisBottom(x).ticks(6));
  f.g.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4, format('.0%')));
}
