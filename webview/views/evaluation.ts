// The last evaluation, as in the paper: toxicity and perplexity without and with the intervention. It
// says what it measured (model, method, strength) and is marked stale as soon as the intervention in
// the panel differs from that, since its numbers no longer describe what the preview shows.
import { h, replace, show } from './dom';
import { fixed } from './format';
import { warningBanner } from './profile-warning';
import type { View, ViewContext } from './view';

const METHOD_LABELS: Record<string, string> = { aura: 'AurA', damp: 'Damp', det0: 'Det0' };

export function createEvaluation({ doc }: ViewContext): View {
  const body = h(doc, 'div', {});
  const warning = warningBanner(doc);
  const el = h(doc, 'section', { class: 'card evaluation', 'aria-label': 'Evaluation', hidden: true }, h(doc, 'h2', {}, 'Evaluation'), warning.el, body);
  return {
    el,
    update(s, changed) {
      if (changed.has('experts')) warning.update(s.experts);
      if (!changed.has('evaluation') && !changed.has('intervention')) return;
      const e = s.evaluation;
      show(el, e !== null);
      if (!e) return;
      const m = e.measured;
      const iv = s.intervention;
      const stale = !!m && !!iv && (m.method !== iv.method || m.strength !== iv.strength || m.k !== iv.k || m.alpha !== iv.alpha || m.overrides !== iv.overrides.length);
      el.classList.toggle('stale', stale);
      const label = m ? `${METHOD_LABELS[m.method] ?? m.method} ${Math.round(m.strength * 100)}%` : '';
      const f = (v: number | null, d: number) => (v === null ? 'n/a' : fixed(v, d));
      const row = (name: string, r: typeof e.baseline) => h(doc, 'tr', {}, h(doc, 'th', { scope: 'row' }, name), h(doc, 'td', { class: 'num' }, f(r.score, 3)), h(doc, 'td', { class: 'num' }, f(r.prob, 4)), h(doc, 'td', { class: 'num' }, f(r.perplexity, 2)));
      const cut = (b: number, a: number) => (a > 0 ? `${(b / a).toFixed(2)}× less toxic` : 'no toxic continuation left');
      const ratio = cut(e.baseline.score, e.intervened.score);
      const second = e.second;
      replace(
        body,
        h(
          doc,
          'table',
          { class: 'eval-table' },
          h(doc, 'thead', {}, h(doc, 'tr', {}, h(doc, 'th', {}, ''), h(doc, 'th', { scope: 'col' }, 'toxicity score'), h(doc, 'th', { scope: 'col' }, 'toxicity prob'), h(doc, 'th', { scope: 'col' }, 'perplexity'))),
          h(doc, 'tbody', {}, row('original', e.baseline), row('intervened', e.intervened)),
        ),
        // The second instrument scored the same continuations and did not label the concept data: a cut
        // it also sees is not an artefact of the scorer that chose the experts.
        ...(second
          ? [
              h(
                doc,
                'p',
                { class: 'second-scorer', 'data-testid': 'evaluation-second' },
                `Second scorer (${second.scorer}): toxicity score ${fixed(second.baseline.score, 3)} → ${fixed(second.intervened.score, 3)}, ${cut(second.baseline.score, second.intervened.score)}.`,
              ),
            ]
          : []),
        h(doc, 'p', { class: 'muted' }, `${m ? `${m.model}, ${label}: ` : ''}${e.prompts} prompts × ${e.samples} continuations, same seeds, scorer ${e.scorer}; ${ratio}.`),
        ...(stale
          ? [h(doc, 'p', { class: 'stale-note', role: 'status', 'data-testid': 'evaluation-stale' }, `Stale: measured at ${label}; the intervention has changed since. Evaluate again to update.`)]
          : []),
      );
    },
  };
}
