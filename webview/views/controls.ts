// The intervention: method, strength, top-k and alpha where the method uses them, and the live count
// of affected neurons (from the host, which fits with the same code the exports use). Before a method
// or a top-k is applied, the page says how many neurons it will touch (Det0 with an empty top-k zeroes
// every expert: often half the model). The picker lists the methods the host's registry sends
// (didListMethods); transport maps (Linear-AcT, Mean-AcT) are offered once the host lists them as fitted.
import { TestIds } from '../../src/shared/ids';
import { button } from '../ui-kit';
import { h, setText, show, uid } from './dom';
import { int, pct } from './format';
import { sharePct } from '../../src/shared/format';
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
  // A value the page refuses stays in its field, marked, with the allowed range beside it; nothing is sent.
  const kError = fieldError(doc, 'top-k-error');
  const alphaError = fieldError(doc, 'alpha-error');
  topK.setAttribute('aria-describedby', kError.id);
  alpha.setAttribute('aria-describedby', alphaError.id);
  alpha.min = String(ALPHA_RANGE[0]);
  alpha.max = String(ALPHA_RANGE[1]);
  const kField = h(doc, 'div', { class: 'field' }, h(doc, 'label', { for: topK.id }, 'Top k'), topK, kError);
  const alphaField = h(doc, 'div', { class: 'field' }, h(doc, 'label', { for: alpha.id }, 'Alpha'), alpha, alphaError);
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

  // What the page last asked for, until the host's state says it took it. Without it, a change made
  // before the host answered the previous one (pick Damp, then drag the slider at once) was built on
  // the host's older state and undid the first (the slider's message carried the old method).
  let asked: { settings: InterventionSettings; at: number } | null = null;
  const pending = (): InterventionSettings | null => (asked && Date.now() - asked.at < ASK_PATIENCE_MS ? asked.settings : null);
  const current = (): InterventionSettings => {
    const iv = store.state.intervention;
    return pending() ?? { method: iv?.method ?? 'aura', strength: iv?.strength ?? 1, k: iv?.k ?? null, alpha: iv?.alpha ?? null };
  };
  const emit = (patch: Partial<InterventionSettings>) => {
    const next = { ...current(), ...patch };
    const info = infoOf(next.method);
    if (info && !info.transport && !info.takesK) next.k = null;
    if (info && !info.transport && !info.takesAlpha) next.alpha = null;
    if (info?.takesAlpha && next.alpha === null) next.alpha = info.defaultAlpha;
    asked = { settings: next, at: Date.now() };
    send({ type: 'setIntervention', settings: next });
  };
  method.addEventListener('change', () => emit({ method: method.value }));
  strength.addEventListener('input', () => {
    setText(strengthOut, pct(strength.valueAsNumber));
    emit({ strength: strength.valueAsNumber });
  });
  topK.addEventListener('change', () => {
    // Empty means every expert; anything else must be a count of neurons the profile has.
    if (topK.value.trim() === '') return accept(topK, kError, () => emit({ k: null }));
    const v = topK.valueAsNumber;
    const total = store.state.experts?.auroc.length ?? Infinity;
    if (!Number.isInteger(v) || v < 1 || v > total) {
      return refuse(topK, kError, `Top k must be a whole number from 1 to ${Number.isFinite(total) ? int(total) : 'the number of neurons'}; leave it empty for every expert.`);
    }
    accept(topK, kError, () => emit({ k: v }));
  });
  alpha.addEventListener('change', () => {
    const v = alpha.valueAsNumber;
    const [lo, hi] = ALPHA_RANGE;
    // An empty alpha is not "no alpha": Damp always multiplies by one.
    if (!Number.isFinite(v) || v < lo || v > hi) {
      return refuse(alpha, alphaError, `Alpha must be between ${lo} and ${hi}: 0 silences the top-k neurons, 1 leaves them unchanged, above 1 amplifies them.`);
    }
    accept(alpha, alphaError, () => emit({ alpha: v }));
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
      if (asked && sameSettings(iv, asked.settings)) asked = null;
      // An answer to an earlier request while a later one is on its way: the fields keep what the user set.
      const settled = pending() === null;
      if (settled) sync(method, iv.method);
      const available = new Set(iv.methods ?? listed.filter((m) => !m.transport).map((m) => m.id));
      options.forEach((o, i) => {
        const m = listed[i]!;
        o.disabled = !available.has(m.id);
        const settings = { method: m.id, k: iv.method === m.id ? iv.k : null, alpha: m.takesAlpha ? (iv.alpha ?? m.defaultAlpha) : null, strength: 1 };
        const n = s.experts && !m.transport ? touched(settings, s.experts.auroc) : null;
        o.textContent = m.label + (o.disabled ? ' (not available in this build)' : n !== null ? ` · touches ${int(n)}` : '');
      });
      if (settled) {
        sync(strength, String(iv.strength));
        setText(strengthOut, pct(iv.strength));
        if (sync(topK, iv.k === null ? '' : String(iv.k))) clearError(topK, kError);
        if (sync(alpha, iv.alpha === null ? '' : String(iv.alpha))) clearError(alpha, alphaError);
      }
      const info = infoOf(iv.method);
      const transport = !!info?.transport;
      show(kField, !!info?.takesK);
      show(alphaField, !!info?.takesAlpha);
      setText(description, info?.description ?? '');
      const total = s.experts?.auroc.length ?? 0;
      // A transport map's count, and a method's the page does not mirror, is the host's (neurons whose gain or map changes).
      const n = s.experts ? (transport ? iv.affected : (touched(iv, s.experts.auroc) ?? iv.affected)) : null;
      setText(touches, n === null ? '' : transport ? transportText(iv.method, label(iv.method), total) : `${label(iv.method)}${iv.k === null && info?.takesK ? ' with an empty top-k (every expert)' : ''} touches ${int(n)} of ${int(total)} neurons (${sharePct(n, total)})${iv.method === 'det0' ? ', zeroing them at full strength' : ''}.`);
      topK.placeholder = s.experts ? `all ${int(touchedBy({ method: 'det0', k: null, alpha: null }, s.experts.auroc))} experts` : 'all with AUROC > 0.5';
      setText(affected, int(iv.affected));
      affected.setAttribute('data-value', String(iv.affected));
      setText(overrides, iv.overrides.length ? `· ${int(iv.overrides.length)} set by hand` : '');
      setText(imported, [iv.importedFrom ? `Imported from ${iv.importedFrom}` : '', iv.combined ? `combined: ${iv.combined}` : ''].filter(Boolean).join(' · '));
    },
  };
}

/**
 * How long the page's own request outranks the host's state while no answer matches it. The host
 * answers every setIntervention at once (tens of ms); one that normalised or refused a request is
 * believed after this.
 */
const ASK_PATIENCE_MS = 2_000;

function sameSettings(a: InterventionSettings, b: InterventionSettings): boolean {
  return a.method === b.method && a.strength === b.strength && a.k === b.k && a.alpha === b.alpha;
}

/**
 * Damp's fixed factor as the page accepts it: the range of a hand-set gain (OverrideGainSchema), so an
 * imported file that amplifies (alpha above 1, as the CLI allows) stays editable. Beyond it, or
 * negative (which flips the sign of a neuron's output), is a typo far more often than an intent.
 */
const ALPHA_RANGE = [0, 2] as const;

/**
 * What a transport map does, rather than a count: it moves every profiled neuron's activations (the
 * affected count below says how many actually change at the current strength).
 */
function transportText(method: string, label: string, total: number): string {
  const what =
    method === 'mean-act'
      ? `shifts each of the ${int(total)} neurons' activations by the gap between its toxic and non-toxic means, toward the non-toxic mean`
      : method === 'linear-act'
        ? `transports all ${int(total)} neurons' activations toward the non-toxic distribution, with one affine map per neuron fitted from toxic to non-toxic responses`
        : `transports all ${int(total)} neurons' activations toward the non-toxic ones`;
  return `${label} ${what}.`;
}

function fieldError(doc: Document, testid: string): HTMLElement {
  const el = h(doc, 'p', { class: 'field-error', role: 'alert', testid, id: uid(testid) });
  el.hidden = true;
  return el;
}

function refuse(input: HTMLInputElement, error: HTMLElement, message: string): void {
  input.setAttribute('aria-invalid', 'true');
  setText(error, message);
  show(error, true);
}

function accept(input: HTMLInputElement, error: HTMLElement, send: () => void): void {
  clearError(input, error);
  send();
}

function clearError(input: HTMLInputElement, error: HTMLElement): void {
  input.removeAttribute('aria-invalid');
  setText(error, '');
  show(error, false);
}

/**
 * The host echoes every change; an input the user is dragging or typing in keeps its own value.
 * True when the field now shows the host's value.
 */
function sync(el: HTMLInputElement | HTMLSelectElement, value: string): boolean {
  if (el.ownerDocument.activeElement === el && el.tagName === 'INPUT') return el.value === value;
  if (el.value !== value) el.value = value;
  return true;
}
