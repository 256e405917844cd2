// The intervention: method, strength, top-k and alpha where the method uses them, and the live count
// of affected neurons (from the host, which fits with the same code the exports use). Before a method
// or a top-k is applied, the page says how many neurons it will touch (Det0 with an empty top-k zeroes
// every expert: often half the model). The picker lists the methods the host's registry sends
// (didListMethods); transport maps (Linear-AcT, Mean-AcT) are offered once the host lists them as fitted.
import { is } from 'valibot';
import { TestIds } from '../../src/shared/ids';
import { InterventionSettingsSchema } from '../../src/shared/protocol';
import { button } from '../ui-kit';
import { h, setText, show, uid } from './dom';
import { int, pct } from './format';
import { BUILTIN_METHODS, methodDisplayName } from '../../src/shared/method-labels';
import { touchedBy, touchedByMirrored } from '../state/touched';
import type { InterventionSettings, MethodInfo } from '../../src/shared/protocol';
import type { View, ViewContext } from './view';

export function createControls({ doc, store, send }: ViewContext): View {
  const method = h(doc, 'select', { testid: TestIds.method, id: uid('method') });
  // One option per listed method, rebuilt when the host's list changes.
  let listed: readonly MethodInfo[] = [];
  let options: HTMLOptionElement[] = [];
  const list = (methods: readonly MethodInfo[]) => {
    if (methods === listed) return;
    listed = methods;
    options = methods.map((m) => h(doc, 'option', { value: m.id }, m.label));
    method.textContent = '';
    method.append(...options);
  };
  list(BUILTIN_METHODS);
  const infoOf = (id: string) => (store.state.methods ?? BUILTIN_METHODS).find((m) => m.id === id);
  const label = (id: string) => methodDisplayName(id, store.state.methods);
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
    // The slider right under the method, before the explanations: beside the editor it must be on the first screen.
    h(doc, 'div', { class: 'field slider' }, h(doc, 'label', { for: strength.id }, 'Strength'), strength, strengthOut),
    description,
    touches,
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
    const info = infoOf(next.method);
    if (info && !info.transport && !info.takesK) next.k = null;
    if (info && !info.transport && !info.takesAlpha) next.alpha = null;
    if (info?.takesAlpha && next.alpha === null) next.alpha = info.defaultAlpha;
    send({ type: 'setIntervention', settings: next });
  };
  method.addEventListener('change', () => emit({ method: method.value }));
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
  const counts = new Map<string, number | null>();
  const touched = (settings: InterventionSettings, auroc: ArrayLike<number>): number | null => {
    if (countsOf !== auroc) {
      countsOf = auroc;
      counts.clear();
    }
    const key = `${settings.method}|${settings.k}|${settings.alpha}`;
    if (!counts.has(key)) counts.set(key, touchedByMirrored(settings, auroc));
    return counts.get(key)!;
  };
  return {
    el,
    update(s, changed) {
      if (!changed.has('intervention') && !changed.has('experts') && !changed.has('methods')) return;
      const iv = s.intervention;
      show(el, s.experts !== null || !!iv?.importedFrom);
      if (!iv) return;
      list(s.methods ?? BUILTIN_METHODS);
      sync(method, iv.method);
      const available = new Set(iv.methods ?? listed.filter((m) => !m.transport).map((m) => m.id));
      options.forEach((o, i) => {
        const m = listed[i]!;
        o.disabled = !available.has(m.id);
        const settings = { method: m.id, k: iv.method === m.id ? iv.k : null, alpha: m.takesAlpha ? (iv.alpha ?? m.defaultAlpha) : null, strength: 1 };
        const n = s.experts && !m.transport ? touched(settings, s.experts.auroc) : null;
        o.textContent = m.label + (o.disabled ? ' (not available in this build)' : n !== null ? ` · touches ${int(n)}` : '');
      });
      sync(strength, String(iv.strength));
      setText(strengthOut, pct(iv.strength));
      sync(topK, iv.k === null ? '' : String(iv.k));
      sync(alpha, iv.alpha === null ? '' : String(iv.alpha));
      const info = infoOf(iv.method);
      const transport = !!info?.transport;
      show(kField, !!info?.takesK);
      show(alphaField, !!info?.takesAlpha);
      setText(description, info?.description ?? '');
      const total = s.experts?.auroc.length ?? 0;
      // A transport map's count, and a method's the page does not mirror, is the host's (neurons whose gain or map changes).
      const n = s.experts ? (transport ? iv.affected : (touched(iv, s.experts.auroc) ?? iv.affected)) : null;
      setText(touches, n === null ? '' : `${label(iv.method)}${iv.k === null && info?.takesK ? ' with an empty top-k (every expert)' : ''} touches ${int(n)} of ${int(total)} neurons (${pct(total ? n / total : 0)})${iv.method === 'det0' ? ', zeroing them at full strength' : ''}.`);
      topK.placeholder = s.experts ? `all ${int(touchedBy({ method: 'det0', k: null, alpha: null }, s.experts.auroc))} experts` : 'all with AUROC > 0.5';
      setText(affected, int(iv.affected));
      affected.setAttribute('data-value', String(iv.affected));
      setText(overrides, iv.overrides.length ? `· ${int(iv.overrides.length)} set by hand` : '');
      setText(imported, [iv.importedFrom ? `Imported from ${iv.importedFrom}` : '', iv.combined ? `combined: ${iv.combined}` : ''].filter(Boolean).join(' · '));
    },
  };
}

/** The host echoes every change; an input the user is dragging or typing in keeps its own value. */
function sync(el: HTMLInputElement | HTMLSelectElement, value: string): void {
  if (el.ownerDocument.activeElement === el && el.tagName === 'INPUT') return;
  if (el.value !== value) el.value = value;
}
