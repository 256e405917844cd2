// The intervention: method, strength, top-k and alpha where the method uses them, and the live count
// of affected neurons (from the host, which fits with the same code the exports use).
import { is } from 'valibot';
import { TestIds } from '../../src/shared/ids';
import { InterventionSettingsSchema } from '../../src/shared/protocol';
import { button } from '../ui-kit';
import { h, setText, show, uid } from './dom';
import { METHOD_LABELS, int, pct } from './format';
import type { InterventionSettings, MethodName } from '../../src/shared/protocol';
import type { View, ViewContext } from './view';

const DESCRIPTIONS: Record<MethodName, string> = {
  aura: 'Each expert (AUROC > 0.5) is multiplied by 1 − 2·(AUROC − 0.5): the better it separates, the more it is dampened. No hyperparameter.',
  damp: 'The top-k neurons by AUROC (over all sites) are multiplied by one fixed alpha.',
  det0: 'The top-k neurons by AUROC (over all sites) are set to zero.',
};

export function createControls({ doc, store, send }: ViewContext): View {
  const method = h(doc, 'select', { testid: TestIds.method, id: uid('method') }, ...(['aura', 'damp', 'det0'] as const).map((m) => h(doc, 'option', { value: m }, METHOD_LABELS[m])));
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

  return {
    el,
    update(s, changed) {
      if (!changed.has('intervention') && !changed.has('experts')) return;
      const iv = s.intervention;
      show(el, s.experts !== null || !!iv?.importedFrom);
      if (!iv) return;
      sync(method, iv.method);
      sync(strength, String(iv.strength));
      setText(strengthOut, pct(iv.strength));
      sync(topK, iv.k === null ? '' : String(iv.k));
      sync(alpha, iv.alpha === null ? '' : String(iv.alpha));
      show(kField, iv.method !== 'aura');
      show(alphaField, iv.method === 'damp');
      setText(description, DESCRIPTIONS[iv.method]);
      setText(affected, String(iv.affected));
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
