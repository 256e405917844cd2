// A chart's drawing area inside a fixed viewBox: the SVG scales with its container (width: 100% in
// CSS) without measuring the page, which also keeps the charts testable in a DOM without layout.
import { select } from 'd3';
import type { Selection } from 'd3';

export interface Frame {
  g: Selection<SVGGElement, unknown, null, undefined>;
  width: number;
  height: number;
}

export const MARGIN = { top: 10, right: 10, bottom: 24, left: 38 };

export function frame(svg: SVGSVGElement, width: number, height: number, label: string): Frame {
  const root = select(svg);
  root.selectAll('*').remove();
  root.attr('viewBox', `0 0 ${width} ${height}`).attr('role', 'img').attr('aria-label', label).attr('preserveAspectRatio', 'xMidYMid meet');
  root.append('title').text(label);
  const g = root.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  return { g, width: width - MARGIN.left - MARGIN.right, height: height - MARGIN.top - MARGIN.bottom };
}

export function svgElement(doc: Document, testId?: string): SVGSVGElement {
  const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'chart');
  if (testId) svg.setAttribute('data-testid', testId);
  return svg;
}
