// The intervention: method, strength, top-k and alpha where the method uses them, and the live count
// of affected neurons (from the host, which fits with the same code the exports use). Before a method
// or a top-k is applied, the page says how many neurons it will touch (Det0 with an empty top-k zeroes
// every expert: often half the model). Linear-AcT and Mean-AcT are offered once the host lists them.
import { is } from 'valibot';
import { TestIds } from '../../src/shared/ids';
import { InterventionSettingsSchema } from '../../src/shared/protocol';
import { button } from '../ui-kit';
import { h, setText, show, uid } from './dom';
import { METHOD_LABELS, int, pct } from './format';
import { touchedBy } from '../state/touched';
import type { InterventionSettings, MethodName, TransportMethodName } from '../../src/shared/protocol';
import type { View, ViewContext } from './view';

type AnyMethod = MethodName | TransportMethodName;
const ALL_METHODS: readonly AnyMethod[] = ['aura', 'damp', 'det0', 'linear-act', 'mean-act'];
const label = (m: AnyMethod) => METHOD_LABELS[m];

const DESCRIPTIONS: Record<AnyMethod, string> = {
  aura: 'Each expert (AUROC > 0.5) is multiplied by 1 − 2·(AUROC − 0.5): the better it separates, the more it is dampened. No hyperparameter.',
  damp: 'The top-k neurons by AUROC (over all sites) are multiplied by one fixed alpha. An empty top-k means every expert (AUROC > 0.5).',
  det0: 'The top-k neurons by AUROC (over all sites) are set to zero. An empty top-k means every expert (AUROC > 0.5).',
  'linear-act': 'Linear-AcT (apple/ml-act): per neuron, an affine map that transports the toxic responses onto the non-toxic ones, applied inside the toxic range; the strength interpolates.',
  'mean-act': 'Mean-AcT: per neuron, a shift of the toxic mean onto the non-toxic mean; the strength interpolates.',
};

export function createControls({ doc, store, send }: ViewContext): View {
  const options = ALL_METHODS.map((m) => h(doc, 'option', { value: m }, label(m)));
  const method = h(doc, 'select', { testid: TestIds.method, id: uid('method') }, ...options);
  const touches = h(doc, 'p', { class: 'touches', testid: 'touch-count', 'aria-live': 'polite' });
  const description = h(doc, 'p', { class: 'muted description' });
  const strength = h(doc, 'input', { type: 'range', min: 0, max: 1, step: 0.01, testid: TestIds.strength, id: uid('strength'), 'aria-describedby': '' });
  const strengthOut = h(doc, 'output', { for: strength.id, class: 'num' });
  const topK = h(doc, 'input', { type: 'number', min: 1, step: 1, testid: TestIds.topK, id: uid('k'), placeholder: 'all with AUROC > 0.5', class: 'narrow' });
  const alpha = h(doc, 'input', { type: 'number', step: 0.05, testid: TestIds.alpha, id: uid('alpha'), class: 'narrow' });
  const affected = h(doc, 'strong', { testid: TestIds.affected, class: 'num' }, '0');
  const overrides = h(doc, 'span', { class: 'muted' });
  const imported = h(doc, 'p', { class: 'muted imported' });
  const kField = h(doc, 'div', { class: 'field' }, h(doc, 'label', { for: topK.id }, 'Top k'), topK);
  const alphaField = h(doc, 'div', { class: 'field' }, h(doc, 'label', { for: alpha.id }, 'Alpha'), alpha);
  const el = h(
    doc,
    'section',
    { class: 'card controls', 'aria-label': 'Intervention' },
    h(doc, 'h2', {}, 'Intervention'),
    h(doc, 'div', { class: 'field' }, h(doc, 'label', { for: method.id }, 'Method'), method),
    description,
    touches,
    h(doc, 'div', { class: 'field slider' }, h(doc, 'label', { for: strength.id }, 'Strength'), strength, strengthOut),
    h(doc, 'div', { class: 'row-fields' }, kField, alphaField),
    h(doc, 'p', { class: 'affected', 'aria-live': 'polite' }, affected, ' neurons affected ', overrides),
    imported,
    h(
      doc,
      'div',
      { class: 'actions wrap' },
      button(doc, 'Export JSON', { title: 'Versioned intervention file', onClick: () => send({ type: 'export', format: 'json' }) }),
      button(doc, 'Export safetensors', { title: 'Per-module gain tensors for PyTorch hooks', onClick: () => send({ type: 'export', format: 'safetensors' }) }),
      button(doc, 'Export ONNX', { title: 'The model with the intervention folded in', onClick: () => send({ type: 'export', format: 'onnx' }) }),
      button(doc, 'Import…', { onClick: () => send({ type: 'importIntervention' }) }),
      button(doc, 'Evaluate…', { onClick: () => send({ type: 'evaluate' }) }),
    ),
  );

  const current = (): InterventionSettings => {
    const iv = store.state.intervention;
    return { method: iv?.method ?? 'aura', strength: iv?.strength ?? 1, k: iv?.k ?? null, alpha: iv?.alpha ?? null };
  };
  const emit = (patch: Partial<InterventionSettings>) => {
    const next = { ...current(), ...patch };
    if (next.method === 'aura') Object.assign(next, { k: null, alpha: null });
    if (next.method === 'det0') next.alpha = null;
    if (next.method === 'damp' && next.alpha === null) next.alpha = 0.5;
    send({ type: 'setIntervention', settings: next });
  };
  method.addEventListener('change', () => emit({ method: method.value as MethodName }));
  strength.addEventListener('input', () => {
    setText(strengthOut, pct(strength.valueAsNumber));
    emit({ strength: strength.valueAsNumber });
  });
  topK.addEventListener('change', () => {
    const v = topK.valueAsNumber;
    emit({ k: Number.isInteger(v) && v > 0 ? v : null });
  });
  alpha.addEventListener('change', () => {
    // The protocol's own check, as the host applies it: an imported Damp alpha above 1 stays editable.
    const v = alpha.valueAsNumber;
    if (is(InterventionSettingsSchema.entries.alpha, v)) emit({ alpha: v });
  });

  // The counts depend on the ranking and the method's parameters, not on the strength: remembered, so
  // dragging the slider over a million rows costs nothing here.
  let countsOf: unknown = null;
  const counts = new Map<string, number>();
  const touched = (settings: InterventionSettings, auroc: ArrayLike<number>) => {
    if (countsOf !== auroc) {
      countsOf = auroc;
      counts.clear();
    }
    const key = `${settings.method}|${settings.k}|${settings.alpha}`;
    let n = counts.get(key);
    if (n === undefined) counts.set(key, (n = touchedBy(settings, auroc)));
    return n;
  };
  return {
    el,
    update(s, changed) {
      if (!changed.has('intervention') && !changed.has('experts')) return;
      const iv = s.intervention;
      show(el, s.experts !== null || !!iv?.importedFrom);
      if (!iv) return;
      sync(method, iv.method);
      const available = new Set(iv.methods ?? ['aura', 'damp', 'det0']);
      options.forEach((o, i) => {
        const m = ALL_METHODS[i]!;
        o.disabled = !available.has(m);
        const n = s.experts && m !== 'linear-act' && m !== 'mean-act' ? touched({ method: m as MethodName, k: iv.method === m ? iv.k : null, alpha: m === 'damp' ? (iv.alpha ?? 0.5) : null, strength: 1 }, s.experts.auroc) : null;
        o.textContent = label(m) + (o.disabled ? ' (not available in this build)' : n !== null ? ` · touches ${int(n)}` : '');
      });
      sync(strength, String(iv.strength));
      setText(strengthOut, pct(iv.strength));
      sync(topK, iv.k === null ? '' : String(iv.k));
      sync(alpha, iv.alpha === null ? '' : String(iv.alpha));
      const transport = iv.method === 'linear-act' || iv.method === 'mean-act';
      show(kField, iv.method !== 'aura' && !transport);
      show(alphaField, iv.method === 'damp');
      setText(description, DESCRIPTIONS[iv.method as AnyMethod] ?? '');
      const total = s.experts?.auroc.length ?? 0;
      // A transport map's count is the host's (neurons whose map is not the identity), not a top-k rule.
      const n = s.experts ? (transport ? iv.affected : touched(iv, s.experts.auroc)) : null;
      setText(touches, n === null ? '' : `${label(iv.method)}${iv.k === null && iv.method !== 'aura' && !transport ? ' with an empty top-k (every expert)' : ''} touches ${int(n)} of ${int(total)} neurons (${pct(total ? n / total : 0)})${iv.method === 'det0' ? ', zeroing them at full strength' : ''}.`);
      topK.placeholder = s.experts ? `all ${int(touched({ method: 'det0', k: null, alpha: null, strength: 1 }, s.experts.auroc))} experts` : 'all with AUROC > 0.5';
      setText(affected, int(iv.affected));
      affected.setAttribute('data-value', String(iv.affected));
      setText(overrides, iv.overrides.length ? `· ${int(iv.overrides.length)} set by hand` : '');
      setText(imported, iv.importedFrom ? `Imported from ${iv.importedFrom}` : '');
    },
  };
}

/** The host echoes every change; an input the user is dragging or typing in keeps its own value. */
function sync(el: HTMLInputElement | HTMLSelectElement, value: string): void {
  if (el.ownerDocument.activeElement === el && el.tagName === 'INPUT') return;
  if (el.value !== value) el.value = value;
}
