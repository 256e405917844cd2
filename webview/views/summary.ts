// The profile at a glance: counts, the AUROC histogram and where the experts sit by layer.
import { TestIds } from '../../src/shared/ids';
import { drawAurocHistogram } from './charts/auroc-histogram';
import { drawPerLayer } from './charts/per-layer-chart';
import { svgElement } from './charts/frame';
import { h, replace, show } from './dom';
import { fixed, int } from './format';
import type { View, ViewContext } from './view';

export function createSummary({ doc }: ViewContext): View {
  const stats = h(doc, 'div', { class: 'stats' });
  const source = h(doc, 'p', { class: 'muted source' });
  const histogram = svgElement(doc, TestIds.histogram);
  const perLayer = svgElement(doc, TestIds.perLayer);
  const el = h(
    doc,
    'section',
    { class: 'card summary', testid: TestIds.summary, 'aria-label': 'Profile summary' },
    h(doc, 'h2', {}, 'Summary'),
    stats,
    source,
    h(
      doc,
      'div',
      { class: 'charts' },
      h(doc, 'figure', {}, histogram, h(doc, 'figcaption', {}, 'AUROC of every neuron (experts right of 0.5)')),
      h(doc, 'figure', {}, perLayer, h(doc, 'figcaption', {}, 'Share of experts per layer')),
    ),
  );
  return {
    el,
    update(s, changed) {
      if (!changed.has('experts') && !changed.has('model')) return;
      const e = s.experts;
      show(el, e !== null);
      if (!e) return;
      const experts = e.auroc.reduce((n, a) => n + (a > 0.5 ? 1 : 0), 0);
      const best = e.auroc[0] ?? 0;
      replace(
        stats,
        stat(doc, s.model?.name ?? '–', 'model'),
        stat(doc, int(e.sites.length), 'sites'),
        stat(doc, int(e.auroc.length), 'neurons profiled'),
        stat(doc, int(experts), 'experts (AUROC > 0.5)'),
        stat(doc, fixed(best), 'best AUROC'),
      );
      // The file name reads better than a long path; the path stays in the tooltip.
      source.textContent = `${int(e.positives)} toxic and ${int(e.negatives)} non-toxic examples from ${baseName(e.source)} · ${e.pooling} pooling`;
      source.title = e.source;
      drawAurocHistogram(histogram, e.auroc);
      drawPerLayer(perLayer, e.perLayer);
    },
  };
}

function stat(doc: Document, value: string, label: string): HTMLElement {
  return h(doc, 'div', { class: 'stat' }, h(doc, 'div', { class: 'value', title: value }, value), h(doc, 'div', { class: 'label' }, label));
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
