// Where the experts live: the share of each layer's neurons with AUROC > 0.5.
import { axisBottom, axisLeft, format, max, scaleBand, scaleLinear } from 'd3';
import { frame } from './frame';
import type { ExpertsSnapshot } from '../../../src/shared/protocol';

const W = 440;
const H = 150;

export function drawPerLayer(svg: SVGSVGElement, perLayer: ExpertsSnapshot['perLayer']): void {
  const f = frame(svg, W, H, 'Share of expert neurons per layer');
  const x = scaleBand<number>()
    .domain(perLayer.map((l) => l.layer))
    .range([0, f.width])
    .padding(0.2);
  const share = (l: (typeof perLayer)[number]) => (l.neurons ? l.experts / l.neurons : 0);
  const y = scaleLinear()
    .domain([0, Math.max(0.05, max(perLayer, share) ?? 0)])
    .nice()
    .range([f.height, 0]);
  f.g
    .selectAll('rect')
    .data(perLayer)
    .join('rect')
    .attr('class', 'bar expert')
    .attr('x', (l) => x(l.layer) ?? 0)
    .attr('width', x.bandwidth())
    .attr('y', (l) => y(share(l)))
    .attr('height', (l) => f.height - y(share(l)))
    .append('title')
    .text((l) => `layer ${l.layer}: ${l.experts} of ${l.neurons} neurons are experts (${(100 * share(l)).toFixed(1)}%)`);
  const every = Math.ceil(perLayer.length / 12);
  f.g
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${f.height})`)
    .call(axisBottom(x).tickValues(perLayer.map((l) => l.layer).filter((_, i) => i % every === 0)));
  f.g.append('g').attr('class', 'axis').call(axisLeft(y).ticks(4, format('.0%')));
}
