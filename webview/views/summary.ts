// The profile at a glance: counts, the AUROC histogram (with the permutation null when the profile
// carries one) and what differs between layers. It is an "Overview" that starts collapsed to one line
// (model, neurons, experts, best AUROC): beside the editor (~780 px) the cards and charts filled the
// first screen and pushed the table and the intervention controls below the fold.
import { TestIds } from '../../src/shared/ids';
import { drawAurocHistogram } from './charts/auroc-histogram';
import { drawPerLayer, perLayerData } from './charts/per-layer-chart';
import { svgElement } from './charts/frame';
import { h, replace, setText, show } from './dom';
import { fixed, int } from './format';
import { warningBanner } from './profile-warning';
import { expertCount } from '../state/touched';
import type { ExpertsSnapshot } from '../../src/shared/protocol';
import type { View, ViewContext } from './view';

export function createSummary({ doc }: ViewContext): View {
  const stats = h(doc, 'div', { class: 'stats' });
  const source = h(doc, 'p', { class: 'muted source' });
  const histogram = svgElement(doc, TestIds.histogram);
  const perLayer = svgElement(doc, TestIds.perLayer);
  const histCaption = h(doc, 'figcaption', {});
  const layerCaption = h(doc, 'figcaption', {});
  const warning = warningBanner(doc);
  const line = h(doc, 'span', { class: 'overview-line', testid: 'overview-line' });
  const details = h(
    doc,
    'details',
    { class: 'overview' },
    h(doc, 'summary', { testid: 'overview-toggle', title: 'Show or hide the profile summary and its charts' }, h(doc, 'h2', {}, 'Overview'), line),
    stats,
    source,
    h(doc, 'div', { class: 'charts' }, h(doc, 'figure', {}, histogram, histCaption), h(doc, 'figure', {}, perLayer, layerCaption)),
  );
  // The warning is outside the details: a collapsed overview still says when the profile is too small.
  const el = h(doc, 'section', { class: 'card summary', testid: TestIds.summary, 'aria-label': 'Profile summary' }, details, warning.el);
  return {
    el,
    update(s, changed) {
      if (!changed.has('experts') && !changed.has('model')) return;
      const e = s.experts;
      show(el, e !== null);
      warning.update(e);
      if (!e) return;
      const experts = expertCount(e.auroc);
      const best = e.auroc[0] ?? 0;
      const st = e.stats;
      setText(line, [s.model?.name ?? '–', `${int(e.auroc.length)} neurons`, `${int(experts)} experts`, `best AUROC ${fixed(best)}`].join(' · '));
      line.title = line.textContent ?? '';
      replace(
        stats,
        modelStat(doc, s.model?.name ?? '–'),
        stat(doc, int(e.sites.length), 'sites'),
        stat(doc, int(e.auroc.length), 'neurons profiled'),
        stat(doc, int(experts), 'experts (AUROC > 0.5)'),
        st?.significant !== undefined ? stat(doc, int(st.significant), `significant (q ≤ ${st.qBound ?? 0.05})`) : null,
        stat(doc, fixed(best), 'best AUROC'),
        st?.stability ? stabilityStat(doc, st.stability) : null,
      );
      // The file name reads better than a long path; the path stays in the tooltip.
      source.textContent = `${int(e.positives)} toxic and ${int(e.negatives)} non-toxic examples from ${baseName(e.source)} · ${e.pooling} pooling`;
      source.title = e.source;
      const hasNull = !!st?.nullAuroc?.length;
      drawAurocHistogram(histogram, e.auroc, st?.nullAuroc);
      setText(histCaption, `AUROC of every neuron; bars right of 0.5 are experts${hasNull ? '; the dashed line is the label-permutation null at the same total, clipped at the top' : ''}`);
      const layers = perLayerData(e);
      drawPerLayer(perLayer, layers);
      setText(layerCaption, layers.measure === 'best' ? 'Best AUROC in each layer (bars start at chance, 0.5)' : `Significant experts per layer (q ≤ ${layers.qBound})`);
    },
  };
}

/** The split-half verdict: the top-100 (or capped) Jaccard of two halves, stable or not, the rule as a tooltip. */
function stabilityStat(doc: Document, s: NonNullable<NonNullable<ExpertsSnapshot['stats']>['stability']>): HTMLElement {
  const at = s.topK.find((t) => t.k >= 100) ?? s.topK[s.topK.length - 1];
  const el = stat(doc, at ? fixed(at.jaccard) : '–', `top-${at?.k ?? 100} overlap of two halves: ${s.stable ? 'stable' : 'unstable'}`);
  el.dataset.testid = 'stability';
  el.title = `${s.rule}. Jaccard ${s.topK.map((t) => `top-${t.k} ${fixed(t.jaccard)}`).join(', ')}; Spearman of the halves' AUROCs ${s.spearman === null ? 'n/a' : fixed(s.spearman)}`;
  return el;
}

/** The model's name wraps rather than being cut: names like "aura-demo-…" differ only at the end. */
function modelStat(doc: Document, name: string): HTMLElement {
  const el = stat(doc, name, 'model');
  el.classList.add('model');
  el.firstElementChild!.setAttribute('data-testid', 'summary-model');
  return el;
}

function stat(doc: Document, value: string, label: string): HTMLElement {
  return h(doc, 'div', { class: 'stat' }, h(doc, 'div', { class: 'value', title: value }, value), h(doc, 'div', { class: 'label' }, label));
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}
