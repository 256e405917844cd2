// Two profiles' AUROCs per neuron: A on x, B on y, with the 0.5 lines that split each axis into
// "expert for that concept" (above 0.5) and not. Neurons in the upper right are experts of both.
// The top-k points of each side are drawn last and larger, so the sample does not hide them.
import { axisBottom, axisLeft, scaleLinear } from 'd3';
import { frame } from './frame';

const W = 380;
const H = 340;
const TOP_CLASS = ['sample', 'top-a', 'top-b', 'top-both'] as const;

export interface ScatterData {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** 0 sampled, 1 top k of A, 2 of B, 3 of both. */
  top: ArrayLike<number>;
}

export function drawAurocScatter(svg: SVGSVGElement, d: ScatterData, names: { a: string; b: string }): void {
  const f = frame(svg, W, H, `AUROC per neuron in ${names.a} against ${names.b}`, { x: `AUROC in A`, y: `AUROC in B` });
  const x = scaleLinear().domain([0, 1]).range([0, f.width]);
  const y = scaleLinear().domain([0, 1]).range([f.height, 0]);
  f.g.append('line').attr('class', 'chance-line x').attr('x1', x(0.5)).attr('x2', x(0.5)).attr('y1', 0).attr('y2', f.height);
  f.g.append('line').attr('class', 'chance-line y').attr('x1', 0).attr('x2', f.width).attr('y1', y(0.5)).attr('y2', y(0.5));
  const order = Array.from({ length: d.x.length }, (_, i) => i).sort((i, j) => (d.top[i]! === 0 ? 0 : 1) - (d.top[j]! === 0 ? 0 : 1));
  f.g.append('g')
    .attr('class', 'points')
    .selectAll('circle')
    .data(order)
    .join('circle')
    .attr('class', (i) => `point ${TOP_CLASS[d.top[i]!] ?? 'sample'}`)
    .attr('cx', (i) => x(d.x[i]!))
    .attr('cy', (i) => y(d.y[i]!))
    .attr('r', (i) => (d.top[i]! === 0 ? 1.6 : 2.6));
  f.g.append('g').attr('class', 'axis x').attr('transform', `translate(0,${f.height})`).call(axisBottom(x).ticks(5));
  f.g.append('g').attr('class', 'axis y').call(axisLeft(y).ticks(5));
}
