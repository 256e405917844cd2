// Where the experts live, layer by layer. The share of neurons above 0.5 is flat (~50%) everywhere and
// says nothing, so the chart shows what differs between layers: the count of significant experts
// when the profile carries q-values, otherwise the best AUROC in each layer.
import { axisBottom, axisLeft, format, max, scaleBand, scaleLinear } from 'd3';
import { frame } from './frame';
import type { ExpertsSnapshot } from '../../../src/shared/protocol';

const W = 440;
const H = 170;

export interface LayerValue {
  layer: number;
  value: number;
}

export interface PerLayerData {
  measure: 'best' | 'significant';
  values: LayerValue[];
  /** The q bound of "significant", when that is the measure. */
  qBound?: number;
}

/** From the ranked columns: the first row of each layer is its best (rows are sorted by AUROC). */
export function perLayerData(e: ExpertsSnapshot): PerLayerData {
  const layers = [...new Set(e.sites.map((s) => s.layer))].sort((a, b) => a - b);
  const at = new Map(layers.map((l, i) => [l, i]));
  const layerOfSite = e.sites.map((s) => at.get(s.layer)!);
  const q = e.stats?.qValue;
  const bound = e.stats?.qBound ?? 0.05;
  // The packed wire leaves q-values out and counts each layer's significant rows on the host instead.
  if (!q && e.perLayer.length > 0 && e.perLayer.every((l) => l.significant !== undefined)) {
    const counted = new Map(e.perLayer.map((l) => [l.layer, l.significant!]));
    return { measure: 'significant', values: layers.map((layer) => ({ layer, value: counted.get(layer) ?? 0 })), qBound: bound };
  }
  const values = layers.map((layer) => ({ layer, value: q ? 0 : Number.NaN }));
  for (let i = 0; i < e.auroc.length; i++) {
    const v = values[layerOfSite[e.site[i]!]!]!;
    if (q) {
      if (q[i]! <= bound && e.auroc[i]! > 0.5) v.value++;
    } else if (Number.isNaN(v.value)) v.value = e.auroc[i]!;
  }
  return q ? { measure: 'significant', values, qBound: bound } : { measure: 'best', values: values.map((v) => ({ ...v, value: Number.isNaN(v.value) ? 0.5 : v.value })) };
}

export function drawPerLayer(svg: SVGSVGElement, d: PerLayerData): void {
  const best = d.measure === 'best';
  const title = best ? 'Best AUROC in each layer' : `Significant experts per layer (q ≤ ${d.qBound})`;
  const f = frame(svg, W, H, title, { x: 'layer', y: best ? 'best AUROC' : 'significant experts' });
  const x = scaleBand<number>()
    .domain(d.values.map((l) => l.layer))
    .range([0, f.width])
    .padding(0.2);
  // Best AUROC bars start at chance (0.5): a bar's length is the separation above chance.
  const base = best ? 0.5 : 0;
  const top = max(d.values, (l) => l.value) ?? 1;
  const y = scaleLinear()
    .domain(best ? [0.5, Math.max(0.55, Math.min(1, top + 0.02))] : [0, Math.max(1, top)])
    .nice(4)
    .range([f.height, 0]);
  f.g
    .selectAll('rect')
    .data(d.values)
    .join('rect')
    .attr('class', 'bar expert')
    .attr('x', (l) => x(l.layer) ?? 0)
    .attr('width', x.bandwidth())
    .attr('y', (l) => y(Math.max(base, l.value)))
    .attr('height', (l) => Math.max(0, y(base) - y(Math.max(base, l.value))))
    .append('title')
    .text((l) => (best ? `layer ${l.layer}: best AUROC ${l.value.toFixed(3)}` : `layer ${l.layer}: ${l.value} significant experts`));
  const every = Math.ceil(d.values.length / 12);
  f.g
    .append('g')
    .attr('class', 'axis x')
    .attr('transform', `translate(0,${f.height})`)
    .call(axisBottom(x).tickValues(d.values.map((l) => l.layer).filter((_, i) => i % every === 0)));
  f.g.append('g').attr('class', 'axis y').call(best ? axisLeft(y).ticks(4, format('.2f')) : axisLeft(y).ticks(4, '~s'));
}
