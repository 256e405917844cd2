// The last sweep (`evaluate --sweep` or the host's sweep): toxicity against perplexity for every
// method, control and strength, the Pareto front, and export of the points as CSV or JSON (the host
// writes the file, from the same points). By the rule of shared/provenance.ts the plot is marked out
// of date, with a "Sweep again" button, once another profile has landed.
import { button } from '../ui-kit';
import { inputsOf, staleMark } from '../../src/shared/provenance';
import { drawPareto } from './charts/pareto';
import { svgElement } from './charts/frame';
import { h, replace, show } from './dom';
import { warningBanner } from './profile-warning';
import type { View, ViewContext } from './view';

export function createSweep({ doc, send }: ViewContext): View {
  const chart = svgElement(doc, 'pareto-chart');
  const legend = h(doc, 'div', { class: 'pareto-legend' });
  const caption = h(doc, 'p', { class: 'muted' });
  const notes = h(doc, 'div', {});
  const staleNote = h(doc, 'div', { class: 'stale-note', role: 'status', testid: 'sweep-stale', hidden: true });
  const warning = warningBanner(doc);
  const el = h(
    doc,
    'section',
    { class: 'card sweep', 'aria-label': 'Sweep', hidden: true, testid: 'sweep' },
    h(doc, 'h2', {}, 'Toxicity against perplexity'),
    warning.el,
    staleNote,
    h(doc, 'figure', {}, chart, legend),
    caption,
    notes,
    h(
      doc,
      'div',
      { class: 'actions' },
      button(doc, 'Export CSV', { testId: 'sweep-export-csv', onClick: () => send({ type: 'exportSweep', format: 'csv' }) }),
      button(doc, 'Export JSON', { testId: 'sweep-export-json', onClick: () => send({ type: 'exportSweep', format: 'json' }) }),
    ),
  );
  return {
    el,
    update(s, changed) {
      if (changed.has('experts')) warning.update(s.experts);
      if (!changed.has('sweep') && !changed.has('experts')) return;
      const w = s.sweep;
      show(el, w !== null && w.points.length > 0);
      if (!w) return;
      const stale = staleMark('sweep', w.madeWith, inputsOf(s.experts, s.intervention));
      el.classList.toggle('stale', stale !== undefined);
      staleNote.hidden = stale === undefined;
      replace(staleNote, ...(stale ? [h(doc, 'span', {}, `${stale} `), button(doc, 'Sweep again', { testId: 'sweep-rerun', onClick: () => send({ type: 'sweep' }) })] : []));
      if (!changed.has('sweep')) return;
      const names = drawPareto(chart, w.points, w.scorer);
      replace(legend, ...names.map((n, k) => h(doc, 'span', { class: `key s${k % 7}${/control\)$/.test(n) ? ' control' : ''}` }, h(doc, 'span', { class: 'mark', 'aria-hidden': 'true' }), n)), h(doc, 'span', { class: 'key front' }, h(doc, 'span', { class: 'mark', 'aria-hidden': 'true' }), 'Pareto front'));
      const unplaced = w.points.filter((p) => p.perplexity === null).length;
      const size = w.prompts !== undefined && w.samplesPerPrompt ? ` on ${w.prompts} prompts × k = ${w.samplesPerPrompt}` : '';
      const bars = w.points.some((p) => p.toxicityInterval) ? ' Bars: 95% bootstrap intervals over prompts.' : '';
      caption.textContent = `${w.points.length} points scored by ${w.scorer}${size}; toxicity probability is the share of prompts with at least one toxic continuation${w.secondScorer ? ` (the second scorer, ${w.secondScorer}, is in each point's tooltip and the exports)` : ''}; lower left is better.${bars}${unplaced ? ` ${unplaced} without a perplexity are not drawn.` : ''}`;
      replace(notes, ...(w.warnings ?? []).map((t) => h(doc, 'p', { class: 'stale-note', role: 'status', 'data-testid': 'sweep-warning' }, `Warning: ${t}`)));
    },
  };
}
