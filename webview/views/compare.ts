// "Compare concepts": the open profile (A) against a second profile of the same model (B), picked
// with "AurA: Compare With Profile…" or this card's button. Counts and Jaccard of the two expert sets
// (AUROC > 0.5, and the top k of each) as `aura-lens compare` prints them, and a scatter of the
// AUROCs; a profile of another model or other sites is shown as the host's one-line refusal.
import { button } from '../ui-kit';
import { drawAurocScatter } from './charts/auroc-scatter';
import { svgElement } from './charts/frame';
import { h, replace, show } from './dom';
import { int } from './format';
import type { View, ViewContext } from './view';

export function createCompare({ doc, send }: ViewContext): View {
  const chart = svgElement(doc, 'compare-scatter');
  const body = h(doc, 'div', { 'data-testid': 'compare-body' });
  const figure = h(doc, 'figure', { class: 'compare-figure' }, chart);
  const caption = h(doc, 'p', { class: 'muted', 'data-testid': 'compare-caption' });
  // The host fits the current method on B's AUROCs too and makes the combination the current intervention.
  const combine = h(
    doc,
    'div',
    { class: 'actions', 'data-testid': 'compare-combine', hidden: true },
    button(doc, 'Combine with this concept (product)', { testId: 'compare-combine-product', onClick: () => send({ type: 'combineWithComparison', rule: 'product' }) }),
    button(doc, 'Combine with this concept (min)', { testId: 'compare-combine-min', onClick: () => send({ type: 'combineWithComparison', rule: 'min' }) }),
  );
  const el = h(
    doc,
    'section',
    { class: 'card compare', 'aria-label': 'Compare concepts', hidden: true, testid: 'compare' },
    h(doc, 'h2', {}, 'Compare concepts'),
    body,
    figure,
    caption,
    combine,
    h(doc, 'div', { class: 'actions' }, button(doc, 'Compare with profile…', { testId: 'compare-run', onClick: () => send({ type: 'compareProfile' }) })),
  );
  return {
    el,
    update(s, changed) {
      if (!changed.has('comparison') && !changed.has('experts')) return;
      const c = s.comparison;
      show(el, s.experts !== null || c !== null);
      if (!changed.has('comparison')) return;
      show(combine, c !== null && !('refused' in c));
      if (c === null) {
        replace(body, h(doc, 'p', { class: 'muted' }, 'Compare the open profile with a second profile of the same model (another concept): how many experts they share, and each neuron\'s AUROC in both.'));
        show(figure, false);
        caption.textContent = '';
        return;
      }
      if ('refused' in c) {
        replace(body, h(doc, 'p', { class: 'stale-note', role: 'alert', 'data-testid': 'compare-refused' }, `Cannot compare: ${c.refused}`));
        show(figure, false);
        caption.textContent = '';
        return;
      }
      const j = (v: number | null) => (v === null ? 'n/a' : v.toFixed(3));
      const row = (name: string, o: { a: number; b: number; both: number; jaccard: number | null }, id: string) =>
        h(doc, 'tr', { 'data-testid': `compare-${id}` }, h(doc, 'th', { scope: 'row' }, name), h(doc, 'td', { class: 'num' }, int(o.a)), h(doc, 'td', { class: 'num' }, int(o.b)), h(doc, 'td', { class: 'num' }, int(o.both)), h(doc, 'td', { class: 'num' }, j(o.jaccard)));
      replace(
        body,
        h(doc, 'p', {}, h(doc, 'strong', {}, 'A: '), c.a, h(doc, 'br', {}), h(doc, 'strong', {}, 'B: '), c.b, h(doc, 'span', { class: 'muted' }, ` — ${int(c.neurons)} neurons`)),
        h(
          doc,
          'table',
          { class: 'compare-table' },
          h(doc, 'thead', {}, h(doc, 'tr', {}, h(doc, 'th', {}, ''), h(doc, 'th', { scope: 'col' }, 'in A'), h(doc, 'th', { scope: 'col' }, 'in B'), h(doc, 'th', { scope: 'col' }, 'in both'), h(doc, 'th', { scope: 'col', title: 'shared / union' }, 'Jaccard'))),
          h(doc, 'tbody', {}, row('experts (AUROC > 0.5)', c.experts, 'experts'), row(`top ${int(c.topK.k)}`, c.topK, 'topk')),
        ),
      );
      show(figure, true);
      drawAurocScatter(chart, c, c);
      const all = c.x.length === c.neurons;
      caption.textContent = all
        ? `All ${int(c.neurons)} neurons; larger dots are the top ${int(c.topK.k)} of A, of B, or of both. Lines at AUROC 0.5: experts of A lie right of the vertical one, experts of B above the horizontal one.`
        : `${int(c.x.length)} of ${int(c.neurons)} neurons drawn: a seeded random sample of ${int(c.sample.random)} (seed ${c.sample.seed}) plus the ${int(c.sample.top)} top-${int(c.topK.k)} experts of A or B (larger dots); the counts above are over all neurons. Lines at AUROC 0.5: experts of A lie right of the vertical one, experts of B above the horizontal one.`;
    },
  };
}
