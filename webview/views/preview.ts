// Original and intervened continuations side by side, streaming, same seed. The host re-runs the last
// prompt shortly after the intervention changes; the page only shows the newest run. When the host
// sends several samples, each scored by the evaluation's scorer, they are listed with the mean score
// of each side. A run started from the editor brings the preview into view.
import { TestIds } from '../../src/shared/ids';
import { button, setDisabled } from '../ui-kit';
import { h, replace, setText, uid } from './dom';
import { fixed, pct } from './format';
import { methodDisplayName } from '../../src/shared/method-labels';
import { warningBanner } from './profile-warning';
import { inputsOf, staleness } from '../../src/shared/provenance';
import type { PreviewSnapshot } from '../../src/shared/protocol';
import type { PageState } from '../state/store';
import type { View, ViewContext } from './view';

export function createPreview({ doc, store, send }: ViewContext): View {
  const prompt = h(doc, 'textarea', { testid: TestIds.previewPrompt, id: uid('prompt'), rows: 3, spellcheck: 'false', placeholder: 'A prompt to continue' });
  const run = () => {
    const text = prompt.value;
    if (text.trim() !== '') send({ type: 'runPreview', prompt: text });
  };
  const runButton = button(doc, 'Run', { appearance: 'primary', testId: TestIds.previewRun, title: 'Generate both continuations (Ctrl+Enter)', onClick: run });
  const cancel = button(doc, 'Cancel', { onClick: () => send({ type: 'cancelPreview' }) });
  const status = h(doc, 'span', { class: 'muted status', 'aria-live': 'polite' });
  const original = h(doc, 'div', { class: 'completion', testid: TestIds.previewOriginal, 'aria-label': 'Original continuation' });
  const intervened = h(doc, 'div', { class: 'completion', testid: TestIds.previewIntervened, 'aria-label': 'Intervened continuation' });
  const intervenedTitle = h(doc, 'h3', {}, 'Intervened');
  const samples = h(doc, 'div', { class: 'samples', testid: 'preview-samples', hidden: true });
  const warning = warningBanner(doc);
  prompt.addEventListener('input', () => store.setUi({ prompt: prompt.value }));
  prompt.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      run();
    }
  });
  const el = h(
    doc,
    'section',
    { class: 'card preview', 'aria-label': 'Preview' },
    h(doc, 'h2', {}, 'Preview'),
    warning.el,
    h(doc, 'label', { for: prompt.id, class: 'block' }, 'Prompt'),
    prompt,
    h(doc, 'div', { class: 'actions' }, runButton, cancel, status),
    h(doc, 'div', { class: 'side-by-side' }, h(doc, 'div', { class: 'pane' }, h(doc, 'h3', {}, 'Original'), original), h(doc, 'div', { class: 'pane' }, intervenedTitle, intervened)),
    samples,
  );
  let lastRun = -1;
  /** The prompt of the last run shown: a rerun of it (the intervention changed) is not a new prompt. */
  let lastPrompt: string | undefined;
  return {
    el,
    update(s, changed) {
      if (changed.has('ui') && prompt.value !== s.ui.prompt && doc.activeElement !== prompt) prompt.value = s.ui.prompt;
      if (changed.has('experts')) warning.update(s.experts);
      if (changed.has('intervention') || changed.has('methods') || changed.has('preview') || changed.has('experts')) setText(intervenedTitle, intervenedHeading(s));
      if (changed.has('model')) {
        el.hidden = !s.model;
        setDisabled(runButton, !s.model);
      }
      // A change of the profile or intervention makes the shown run out of date before the host's rerun arrives.
      if (!changed.has('preview')) {
        if (s.preview && (changed.has('intervention') || changed.has('experts'))) setText(status, statusText(s.preview, staleness('preview', s.preview.madeWith, inputsOf(s.experts, s.intervention))));
        return;
      }
      const p = s.preview;
      setDisabled(cancel, !p || p.done);
      if (!p) return;
      // A page that just opened keeps the prompt it restored over a run that finished while it was away,
      // or one still going that began before it opened (a rerun after the intervention changed).
      const fresh = lastRun === -1 && (p.done || p.replayed === true);
      if (p.runId !== lastRun && !fresh && p.rerun !== true && p.prompt !== lastPrompt && p.prompt !== prompt.value && doc.activeElement !== prompt) {
        // A run started elsewhere (Test Prompt From Selection): show its prompt here too, and the
        // preview itself (scroll-margin-top in panel.css keeps it below the sticky header).
        prompt.value = p.prompt;
        store.setUi({ prompt: p.prompt });
        el.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
      }
      lastRun = p.runId;
      lastPrompt = p.prompt;
      setText(status, statusText(p, staleness('preview', p.madeWith, inputsOf(s.experts, s.intervention))));
      renderCompletion(original, p.prompt, p.original);
      renderCompletion(intervened, p.prompt, p.intervened, p.original, p.done);
      renderSamples(samples, p);
    },
  };
}

/**
 * The heading names what the text beside it was generated with (the run's provenance), not what the
 * controls say now: after a change the old text is never shown under the new intervention's name.
 */
function intervenedHeading(s: PageState): string {
  const made = s.preview?.madeWith;
  if (made) return `Intervened (${made.interventionLabel})`;
  return s.intervention ? `Intervened (${methodDisplayName(s.intervention.method, s.methods)} ${pct(s.intervention.strength)})` : 'Intervened';
}

function statusText(p: PreviewSnapshot, stale: 'profile' | 'intervention' | null): string {
  if (stale && p.error === 'cancelled') return `Run ${p.runId} cancelled · made with an older ${stale}: Run again to update`;
  if (stale) return `Run ${p.runId} · made with an older ${stale}: running again…`;
  if (p.error === 'cancelled') return `Run ${p.runId} cancelled`;
  if (p.error) return `Run ${p.runId} failed: ${p.error}`;
  return p.done ? `Run ${p.runId} · same seed for both` : `Run ${p.runId} · generating…`;
}

/** The prompt dimmed, then the continuation; where it departs from the original, marked. */
function renderCompletion(el: HTMLElement, prompt: string, text: string, compareTo?: string, done = true): void {
  const doc = el.ownerDocument;
  const same = compareTo === undefined ? text.length : commonPrefix(text, compareTo);
  const diverged = compareTo !== undefined && same < text.length && (done || same < compareTo.length);
  replace(
    el,
    h(doc, 'span', { class: 'prompt-text' }, prompt),
    h(doc, 'span', {}, diverged ? text.slice(0, same) : text),
    diverged ? h(doc, 'mark', { class: 'diverged', title: 'Differs from the original from here on' }, text.slice(same)) : null,
  );
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Every sample with its scores, and the mean per side; hidden when the host sent one sample only. */
function renderSamples(el: HTMLElement, p: PreviewSnapshot): void {
  const list = p.samples ?? [];
  el.hidden = list.length < 2;
  if (el.hidden) return replace(el);
  const doc = el.ownerDocument;
  const score = (v: number | undefined) => h(doc, 'td', { class: 'num score' }, v === undefined ? '…' : fixed(v, 3));
  const text = (t: string) => h(doc, 'td', { class: 'sample-text' }, t);
  const mean = p.mean;
  replace(
    el,
    h(doc, 'h3', {}, `${list.length} samples${p.scorer ? `, scored by ${p.scorer}` : ''}`),
    h(
      doc,
      'table',
      { class: 'samples-table' },
      h(doc, 'thead', {}, h(doc, 'tr', {}, h(doc, 'th', { scope: 'col' }, '#'), h(doc, 'th', { scope: 'col' }, 'original'), h(doc, 'th', { scope: 'col' }, 'score'), h(doc, 'th', { scope: 'col' }, 'intervened'), h(doc, 'th', { scope: 'col' }, 'score'))),
      h(doc, 'tbody', {}, ...list.map((x, i) => h(doc, 'tr', {}, h(doc, 'td', { class: 'num' }, String(i + 1)), text(x.original), score(x.originalScore), text(x.intervened), score(x.intervenedScore)))),
      mean
        ? h(doc, 'tfoot', {}, h(doc, 'tr', { testid: 'preview-mean' }, h(doc, 'th', { scope: 'row' }, 'mean'), h(doc, 'td', {}), score(mean.original), h(doc, 'td', {}), score(mean.intervened)))
        : null,
    ),
  );
}
