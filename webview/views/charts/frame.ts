// A chart's drawing area inside a fixed viewBox: the SVG scales with its container (width: 100% in
// CSS) without measuring the page, which also keeps the charts testable in a DOM without layout.
// Every chart names its axes: a bare number line leaves the reader guessing what is counted.
import { select } from 'd3';
import type { Selection } from 'd3';

export interface Frame {
  g: Selection<SVGGElement, unknown, null, undefined>;
  width: number;
  height: number;
}

export const MARGIN = { top: 12, right: 10, bottom: 34, left: 48 };

export function frame(svg: SVGSVGElement, width: number, height: number, label: string, axes?: { x: string; y: string }): Frame {
  const root = select(svg);
  root.selectAll('*').remove();
  root.attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img').attr('aria-label', label).attr('preserveAspectRatio', 'xMidYMid meet');
  root.append('title').text(label);
  const w = width - MARGIN.left - MARGIN.right;
  const h = height - MARGIN.top - MARGIN.bottom;
  if (axes) {
    root.append('text').attr('class', 'axis-label x').attr('x', MARGIN.left + w / 2).attr('y', height - 3).attr('text-anchor', 'middle').text(axes.x);
    root
      .append('text')
      .attr('class', 'axis-label y')
      .attr('transform', `translate(11,${MARGIN.top + h / 2}) rotate(-90)`)
      .attr('text-anchor', 'middle')
      .text(axes.y);
  }
  const g = root.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  return { g, width: w, height: h };
}

export function svgElement(doc: Document, testId?: string): SVGSVGElement {
  const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'chart');
  if (testId) svg.setAttribute('data-testid', testId);
  return svg;
}
