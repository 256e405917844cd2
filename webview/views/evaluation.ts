// The last evaluation, as in the paper: toxicity and perplexity without and with the intervention. It
// says what it measured (model, method, strength) and, by the rule of shared/provenance.ts, is marked
// out of date with an "Evaluate again" button once the profile or the intervention has changed since.
import { button } from '../ui-kit';
import { inputsOf, staleMark } from '../../src/shared/provenance';
import { h, replace, show } from './dom';
import { fixed } from './format';
import { methodDisplayName } from '../../src/shared/method-labels';
import { warningBanner } from './profile-warning';
import type { View, ViewContext } from './view';


export function createEvaluation({ doc, send }: ViewContext): View {
  const body = h(doc, 'div', {});
  const warning = warningBanner(doc);
  const el = h(doc, 'section', { class: 'card evaluation', 'aria-label': 'Evaluation', hidden: true }, h(doc, 'h2', {}, 'Evaluation'), warning.el, body);
  return {
    el,
    update(s, changed) {
      if (changed.has('experts')) warning.update(s.experts);
      if (!changed.has('evaluation') && !changed.has('intervention') && !changed.has('experts')) return;
      const e = s.evaluation;
      show(el, e !== null);
      if (!e) return;
      const m = e.measured;
      const stale = staleMark('evaluation', e.madeWith, inputsOf(s.experts, s.intervention));
      el.classList.toggle('stale', stale !== undefined);
      const label = m ? `${methodDisplayName(m.method, s.methods)} ${Math.round(m.strength * 100)}%` : '';
      const f = (v: number | null, d: number) => (v === null ? 'n/a' : fixed(v, d));
      type Iv = { low: number; high: number } | null | undefined;
      const span = (i: Iv, d: number) => (i ? `[${fixed(i.low, d)}, ${fixed(i.high, d)}]` : '');
      // Each figure with its 95% bootstrap interval under it, so no number is read without its uncertainty.
      const cell = (v: number | null, i: Iv, d: number) => h(doc, 'td', { class: 'num' }, f(v, d), ...(i ? [h(doc, 'div', { class: 'interval muted' }, span(i, d))] : []));
      const row = (name: string, r: typeof e.baseline) =>
        h(doc, 'tr', {}, h(doc, 'th', { scope: 'row' }, name), cell(r.toxicityProbability, r.intervals?.toxicityProbability, 3), cell(r.expectedMaxToxicity, r.intervals?.expectedMaxToxicity, 3), cell(r.meanToxicity, null, 4), cell(r.perplexity, r.intervals?.perplexity, 2));
      const cut = (b: number, a: number) => (a > 0 ? `${(b / a).toFixed(2)}× lower toxicity probability` : 'no prompt with a toxic continuation left');
      const ratio = cut(e.baseline.toxicityProbability, e.intervened.toxicityProbability);
      const d = e.difference;
      const second = e.second;
      const k = e.samples;
      replace(
        body,
        // First, so the mark is read before the numbers it qualifies.
        ...(stale
          ? [
              h(
                doc,
                'div',
                { class: 'stale-note', role: 'status', 'data-testid': 'evaluation-stale' },
                h(doc, 'span', {}, `${stale} `),
                button(doc, 'Evaluate again', { testId: 'evaluation-rerun', onClick: () => send({ type: 'evaluate' }) }),
              ),
            ]
          : []),
        h(
          doc,
          'table',
          { class: 'eval-table' },
          h(
            doc,
            'thead',
            {},
            h(
              doc,
              'tr',
              {},
              h(doc, 'th', {}, ''),
              h(doc, 'th', { scope: 'col', title: `Share of prompts with at least one of their k = ${k} continuations scored toxic` }, `toxicity probability (k=${k})`),
              h(doc, 'th', { scope: 'col', title: `Mean over prompts of the highest of their k = ${k} continuation scores` }, `expected max toxicity (k=${k})`),
              h(doc, 'th', { scope: 'col', title: 'Mean score of all continuations' }, 'mean toxicity'),
              h(doc, 'th', { scope: 'col' }, 'perplexity'),
            ),
          ),
          h(doc, 'tbody', {}, row('original', e.baseline), row('intervened', e.intervened)),
        ),
        ...(d
          ? [
              h(
                doc,
                'p',
                { class: 'difference', 'data-testid': 'evaluation-difference' },
                `Intervened − original, 95% paired bootstrap over prompts: toxicity probability ${span(d.toxicityProbability, 3)}, expected max toxicity ${span(d.expectedMaxToxicity, 3)}${d.perplexityChange ? `, perplexity ${span({ low: d.perplexityChange.low * 100, high: d.perplexityChange.high * 100 }, 1)}%` : ''}.`,
              ),
            ]
          : []),
        ...(e.warnings ?? []).map((w) => h(doc, 'p', { class: 'stale-note', role: 'status', 'data-testid': 'evaluation-warning' }, `Warning: ${w}`)),
        // The second instrument scored the same continuations and did not label the concept data: a cut
        // it also sees is not an artefact of the scorer that chose the experts.
        ...(second
          ? [
              h(
                doc,
                'p',
                { class: 'second-scorer', 'data-testid': 'evaluation-second' },
                `Second scorer (${second.scorer}): toxicity probability ${fixed(second.baseline.toxicityProbability, 3)} → ${fixed(second.intervened.toxicityProbability, 3)}, ${cut(second.baseline.toxicityProbability, second.intervened.toxicityProbability)}.`,
              ),
            ]
          : []),
        h(doc, 'p', { class: 'muted' }, `${m ? `${m.model}, ${label}: ` : ''}${e.prompts} prompts × ${e.samples} continuations, same seeds, scorer ${e.scorer}; ${ratio}.`),
      );
    },
  };
}
