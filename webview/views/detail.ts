// One neuron: AUROC (with its interval, held-out AUROC and q-value where the profile has them) and
// gain, whether it detects or writes the concept, its responses on toxic vs non-toxic examples, the
// tokens it fires on most (aggregated over many examples), what it writes into the residual stream,
// the examples that drive it most with their tokens shaded, and a per-neuron override of its gain.
import { TestIds } from '../../src/shared/ids';
import { appliedGain, fullGain, overrideKey, overrideMap } from '../../src/shared/row-gain';
import { rowOf } from '../state/filter';
import { button, tag } from '../ui-kit';
import { drawDistribution } from './charts/distribution';
import { svgElement } from './charts/frame';
import { h, replace, uid } from './dom';
import { warningBanner } from './profile-warning';
import { inputsOf, isCurrent } from '../../src/shared/provenance';
import { fixed, neuronId } from './format';
import type { NeuronDetail } from '../../src/shared/protocol';
import type { PageState } from '../state/store';
import type { View, ViewContext } from './view';

export function createDetail({ doc, send }: ViewContext): View {
  const body = h(doc, 'div', { class: 'detail-body' });
  const warning = warningBanner(doc);
  const el = h(doc, 'section', { class: 'card detail', testid: TestIds.neuronDetail, 'aria-label': 'Neuron detail', 'aria-live': 'polite' }, h(doc, 'h2', {}, 'Neuron'), warning.el, body);
  let last: { sel: string; d: NeuronDetail | null; iv: unknown; experts: unknown } | undefined;
  let revealed: NeuronDetail | null = null;
  return {
    el,
    update(s, changed) {
      if (changed.has('experts')) {
        el.hidden = !s.experts;
        warning.update(s.experts);
      }
      if (!changed.has('detail') && !changed.has('ui') && !changed.has('intervention') && !changed.has('experts')) return;
      const sel = s.ui.selected;
      const d = s.detail && sel && s.detail.site === sel.site && s.detail.neuron === sel.neuron ? s.detail : null;
      const selKey = sel ? neuronId(sel.site, sel.neuron) : '';
      if (last && last.sel === selKey && last.d === d && last.iv === s.intervention && last.experts === s.experts) return;
      last = { sel: selKey, d, iv: s.intervention, experts: s.experts };
      if (!sel) return replace(body, h(doc, 'p', { class: 'muted' }, 'Select a neuron in the table (click, or Enter on a row) to see how it responds.'));
      if (!d) return replace(body, h(doc, 'p', { class: 'muted' }, `Loading ${neuronId(sel.site, sel.neuron)}…`));
      // Made from another profile (shared/provenance.ts): the host is computing it again; its old
      // AUROC and q-value are not shown in the meantime.
      if (!isCurrent('detail', d.madeWith, inputsOf(s.experts, s.intervention))) {
        return replace(body, h(doc, 'p', { class: 'muted', testid: 'detail-rebuilding' }, `Loading ${neuronId(sel.site, sel.neuron)} from the new profile…`));
      }
      replace(body, ...renderDetail(doc, d, s, send));
      // A newly arrived neuron is brought into view; scroll-margin-top (panel.css) keeps its title
      // below the sticky header.
      // The examples arriving after the profile's part of the same neuron do not scroll again.
      const sameNeuron = revealed?.pending && revealed.site === d.site && revealed.neuron === d.neuron;
      if (d !== revealed && !sameNeuron) el.scrollIntoView?.({ block: 'nearest' });
      revealed = d;
    },
  };
}

/** docs/statistics.md's rule: in the top 100 of both seeded halves (stable), of one only (unstable). */
function stabilityBadge(doc: Document, badge: number | undefined): HTMLElement | null {
  if (badge === 1) return h(doc, 'span', { class: 'badge stable', testid: 'stable-badge', title: 'Among the top 100 experts of both halves of the data' }, 'stable');
  if (badge === 2) return h(doc, 'span', { class: 'badge unstable', testid: 'stable-badge', title: 'Among the top 100 experts of one half of the data but not the other' }, 'unstable');
  return null;
}

function renderDetail(doc: Document, d: NeuronDetail, s: PageState, send: ViewContext['send']): (Node | null)[] {
  const iv = s.intervention;
  const override = iv ? overrideMap(iv.overrides).get(overrideKey(d.site, d.neuron)) : undefined;
  // The detail was computed for the settings of its time; the gains follow the settings of now.
  const row = s.experts ? rowOf(s.experts, d.site, d.neuron) : -1;
  const full = override ?? (iv && row >= 0 ? fullGain(iv, row, d.auroc) : d.gain);
  const applied = iv ? appliedGain(full, iv.strength) : d.applied;
  const chart = svgElement(doc);
  drawDistribution(chart, d.positive, d.negative);
  const metric = (label: string, value: string, title?: string) => h(doc, 'div', { class: 'metric', ...(title ? { title } : {}) }, h(doc, 'span', { class: 'label' }, label), h(doc, 'span', { class: 'value num' }, value));
  const level = Math.round((d.level ?? s.experts?.stats?.level ?? 0.95) * 100);
  const nearChance = d.ci !== undefined && d.auroc > 0.5 && d.ci[0] <= 0.5;
  return [
    h(
      doc,
      'div',
      { class: 'detail-title' },
      h(doc, 'code', {}, neuronId(d.site, d.neuron)),
      tag(doc, `layer ${d.layer}`),
      d.auroc < 0.5 ? antiExpertTag(doc) : d.role ? roleTag(doc, d.role) : null,
      nearChance ? h(doc, 'span', { class: 'badge near-chance', testid: 'near-chance' }, 'near chance') : null,
      stabilityBadge(doc, row >= 0 ? s.experts?.stats?.stableBadge?.[row] : undefined),
      override !== undefined ? tag(doc, 'overridden') : null,
    ),
    h(
      doc,
      'div',
      { class: 'metrics', testid: 'detail-metrics' },
      metric('AUROC', fixed(d.auroc)),
      d.ci ? metric(`${level}% interval`, `${fixed(d.ci[0])}–${fixed(d.ci[1])}`, 'Bootstrap confidence interval of the AUROC (stratified resampling)') : null,
      d.heldOutAuroc !== undefined ? metric('held-out AUROC', heldOutValue(d), heldOutExplanation(d)) : null,
      d.qValue !== undefined ? metric('q-value', d.qValue < 0.001 ? d.qValue.toExponential(1) : fixed(d.qValue), 'Benjamini–Hochberg q of the label-permutation test') : null,
      metric('alpha (full strength)', fixed(full, 3)),
      metric('applied now', fixed(applied, 3)),
      metric('mean toxic / non-toxic', `${fixed(d.meanPositive, 2)} / ${fixed(d.meanNegative, 2)}`),
      metric('max toxic / non-toxic', `${fixed(d.maxPositive, 2)} / ${fixed(d.maxNegative, 2)}`),
    ),
    h(doc, 'figure', {}, chart, h(doc, 'figcaption', { class: 'legend' }, h(doc, 'span', { class: 'swatch positive' }), 'toxic ', h(doc, 'span', { class: 'swatch negative' }), 'non-toxic (share of each class per response)')),
    overrideEditor(doc, d, full, override, send),
    d.topTokens?.length ? h(doc, 'h3', {}, 'Tokens it fires on most') : null,
    d.topTokens?.length ? topTokenTable(doc, d.topTokens) : null,
    writesSection(doc, d.writes),
    h(doc, 'h3', {}, 'Examples that drive it most'),
    d.examplesNote ? h(doc, 'p', { class: 'muted', testid: 'examples-note' }, d.examplesNote) : null,
    d.pending ? h(doc, 'p', { class: 'muted', testid: 'detail-pending' }, 'Running the model over the top examples for their tokens…') : null,
    h(doc, 'ol', { class: 'examples' }, ...d.topExamples.map((ex) => exampleItem(doc, ex))),
  ];
}

/** The held-out AUROC, beside the AUROC of the split's other part where the profile has it. */
function heldOutValue(d: NeuronDetail): string {
  return d.rankAuroc === undefined ? fixed(d.heldOutAuroc!) : `${fixed(d.heldOutAuroc!)} (rest ${fixed(d.rankAuroc)})`;
}

function heldOutExplanation(d: NeuronDetail): string {
  const share = d.heldOutFraction === undefined ? 'a share' : `${Math.round(d.heldOutFraction * 100)}%`;
  const rest = d.rankAuroc === undefined ? '' : `; "rest" is its AUROC on the other texts, which chose it`;
  return `AUROC on texts the ranking did not see (${share} of each class, split as "aura-lens fit --held-out" splits)${rest}`;
}

const ROLE_TEXT = { detection: 'detection: fires on the concept', generation: 'generation: writes the concept', both: 'detection and generation' } as const;

/**
 * AUROC below 0.5: the neuron fires more on non-toxic text than on toxic. Its writes may still look
 * like a detector's or a writer's, but calling it one would invert what it does; AurA leaves it at 1.
 */
function antiExpertTag(doc: Document): HTMLElement {
  const t = tag(doc, 'anti-expert');
  t.classList.add('role', 'anti');
  t.setAttribute('data-testid', 'neuron-role');
  t.title = 'anti-expert: responds more to non-toxic than to toxic text (AUROC < 0.5); AurA leaves it unchanged';
  return t;
}

function roleTag(doc: Document, role: NonNullable<NeuronDetail['role']>): HTMLElement {
  const t = tag(doc, role === 'both' ? 'detects + writes' : role);
  t.classList.add('role');
  t.setAttribute('data-testid', 'neuron-role');
  t.title = ROLE_TEXT[role];
  return t;
}

function topTokenTable(doc: Document, tokens: NonNullable<NeuronDetail['topTokens']>): HTMLElement {
  return h(
    doc,
    'table',
    { class: 'token-table', testid: 'top-tokens' },
    h(doc, 'thead', {}, h(doc, 'tr', {}, h(doc, 'th', { scope: 'col' }, 'token'), h(doc, 'th', { scope: 'col' }, 'times at a peak'), h(doc, 'th', { scope: 'col' }, 'mean'), h(doc, 'th', { scope: 'col' }, 'max'))),
    h(doc, 'tbody', {}, ...tokens.map((t) => h(doc, 'tr', {}, h(doc, 'td', {}, h(doc, 'code', {}, JSON.stringify(t.text))), h(doc, 'td', { class: 'num' }, String(t.count)), h(doc, 'td', { class: 'num' }, fixed(t.mean, 2)), h(doc, 'td', { class: 'num' }, fixed(t.max, 2))))),
  );
}

/** LM-Debugger's view: the tokens its down-projection row promotes and suppresses through the unembedding. */
function writesSection(doc: Document, w: NeuronDetail['writes']): HTMLElement | null {
  if (!w) return null;
  if ('unavailable' in w) return h(doc, 'div', { class: 'writes', testid: 'neuron-writes' }, h(doc, 'h3', {}, 'What it writes'), h(doc, 'p', { class: 'muted' }, w.unavailable));
  const list = (title: string, items: typeof w.promoted, cls: string) =>
    h(doc, 'div', { class: `writes-list ${cls}` }, h(doc, 'h4', {}, title), h(doc, 'ol', {}, ...items.map((t) => h(doc, 'li', {}, h(doc, 'code', {}, JSON.stringify(t.token)), ' ', h(doc, 'span', { class: 'muted num' }, t.logit.toFixed(2))))));
  return h(
    doc,
    'div',
    { class: 'writes', testid: 'neuron-writes' },
    h(doc, 'h3', {}, 'What it writes (into the residual stream, read through the unembedding)'),
    h(doc, 'div', { class: 'writes-grid' }, list('promotes', w.promoted, 'promoted'), list('suppresses', w.suppressed, 'suppressed')),
  );
}

function overrideEditor(doc: Document, d: NeuronDetail, full: number, override: number | undefined, send: ViewContext['send']): HTMLElement {
  const input = h(doc, 'input', { type: 'number', min: 0, max: 2, step: 0.05, id: uid('override'), class: 'narrow', testid: TestIds.overrideGain });
  input.value = String(Math.round(full * 1000) / 1000);
  const set = (gain: number | null) => send({ type: 'setOverride', site: d.site, neuron: d.neuron, gain });
  return h(
    doc,
    'div',
    { class: 'override' },
    h(doc, 'label', { for: input.id }, 'Gain at full strength'),
    input,
    button(doc, 'Set', { testId: TestIds.overrideSet, onClick: () => Number.isFinite(input.valueAsNumber) && set(Math.min(2, Math.max(0, input.valueAsNumber))) }),
    button(doc, 'Set to 0', { title: 'Gain 0 at full strength; like every gain it scales with the strength slider', onClick: () => set(0) }),
    override !== undefined ? button(doc, 'Clear override', { onClick: () => set(null) }) : null,
    h(doc, 'p', { class: 'muted hint' }, 'Gains here are at full strength; the strength slider scales them: applied = 1 − strength × (1 − gain).'),
  );
}

function exampleItem(doc: Document, ex: NeuronDetail['topExamples'][number]): HTMLElement {
  const peak = Math.max(1e-6, ...ex.tokens.map((t) => t.value));
  const text = h(doc, 'p', { class: 'tokens' });
  for (const t of ex.tokens) {
    const span = h(doc, 'span', { class: 'tok', title: `${JSON.stringify(t.text)}: ${t.value.toFixed(3)}` }, t.text);
    span.style.setProperty('--heat', String(Math.max(0, t.value / peak).toFixed(3)));
    text.append(span);
  }
  return h(doc, 'li', {}, h(doc, 'div', { class: 'example-meta' }, tag(doc, ex.label === 1 ? 'toxic' : 'non-toxic'), h(doc, 'span', { class: 'muted num' }, `response ${fixed(ex.value, 3)}`)), text);
}
