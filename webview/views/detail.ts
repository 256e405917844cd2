// One neuron: AUROC and gain, its responses on toxic vs non-toxic examples, the examples that drive
// it most with their tokens shaded by activation, and a per-neuron override of its gain.
import { TestIds } from '../../src/shared/ids';
import { appliedGain, fullGain, overrideKey, overrideMap } from '../../src/shared/row-gain';
import { rowOf } from '../state/filter';
import { button, tag } from '../ui-kit';
import { drawDistribution } from './charts/distribution';
import { svgElement } from './charts/frame';
import { h, replace, uid } from './dom';
import { fixed, neuronId } from './format';
import type { NeuronDetail } from '../../src/shared/protocol';
import type { PageState } from '../state/store';
import type { View, ViewContext } from './view';

export function createDetail({ doc, send }: ViewContext): View {
  const body = h(doc, 'div', { class: 'detail-body' });
  const el = h(doc, 'section', { class: 'card detail', testid: TestIds.neuronDetail, 'aria-label': 'Neuron detail', 'aria-live': 'polite' }, h(doc, 'h2', {}, 'Neuron'), body);
  let last: { sel: string; d: NeuronDetail | null; iv: unknown } | undefined;
  return {
    el,
    update(s, changed) {
      if (changed.has('experts')) el.hidden = !s.experts;
      if (!changed.has('detail') && !changed.has('ui') && !changed.has('intervention')) return;
      const sel = s.ui.selected;
      const d = s.detail && sel && s.detail.site === sel.site && s.detail.neuron === sel.neuron ? s.detail : null;
      const selKey = sel ? neuronId(sel.site, sel.neuron) : '';
      if (last && last.sel === selKey && last.d === d && last.iv === s.intervention) return;
      last = { sel: selKey, d, iv: s.intervention };
      if (!sel) return replace(body, h(doc, 'p', { class: 'muted' }, 'Select a neuron in the table (click, or Enter on a row) to see how it responds.'));
      if (!d) return replace(body, h(doc, 'p', { class: 'muted' }, `Loading ${neuronId(sel.site, sel.neuron)}…`));
      replace(body, ...renderDetail(doc, d, s, send));
    },
  };
}

function renderDetail(doc: Document, d: NeuronDetail, s: PageState, send: ViewContext['send']): Node[] {
  const iv = s.intervention;
  const override = iv ? overrideMap(iv.overrides).get(overrideKey(d.site, d.neuron)) : undefined;
  // The detail was computed for the settings of its time; the gains follow the settings of now.
  const row = s.experts ? rowOf(s.experts, d.site, d.neuron) : -1;
  const full = override ?? (iv && row >= 0 ? fullGain(iv, row, d.auroc) : d.gain);
  const applied = iv ? appliedGain(full, iv.strength) : d.applied;
  const chart = svgElement(doc);
  drawDistribution(chart, d.positive, d.negative);
  const metric = (label: string, value: string) => h(doc, 'div', { class: 'metric' }, h(doc, 'span', { class: 'label' }, label), h(doc, 'span', { class: 'value num' }, value));
  return [
    h(doc, 'div', { class: 'detail-title' }, h(doc, 'code', {}, neuronId(d.site, d.neuron)), tag(doc, `layer ${d.layer}`), override !== undefined ? tag(doc, 'overridden') : null),
    h(
      doc,
      'div',
      { class: 'metrics' },
      metric('AUROC', fixed(d.auroc)),
      metric('alpha (full strength)', fixed(full, 3)),
      metric('applied now', fixed(applied, 3)),
      metric('mean toxic / non-toxic', `${fixed(d.meanPositive, 2)} / ${fixed(d.meanNegative, 2)}`),
      metric('max toxic / non-toxic', `${fixed(d.maxPositive, 2)} / ${fixed(d.maxNegative, 2)}`),
    ),
    h(doc, 'figure', {}, chart, h(doc, 'figcaption', { class: 'legend' }, h(doc, 'span', { class: 'swatch positive' }), 'toxic ', h(doc, 'span', { class: 'swatch negative' }), 'non-toxic (share of examples per response)')),
    overrideEditor(doc, d, full, override, send),
    h(doc, 'h3', {}, 'Examples that drive it most'),
    h(doc, 'ol', { class: 'examples' }, ...d.topExamples.map((ex) => exampleItem(doc, ex))),
  ];
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
    button(doc, 'Silence', { title: 'Set this neuron to 0', onClick: () => set(0) }),
    override !== undefined ? button(doc, 'Clear override', { onClick: () => set(null) }) : null,
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
