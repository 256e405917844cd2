// What a new user sees first: one obvious way to get going, and what comes next once a model is open.
// While long work runs (a load or a profile) the card says so and offers nothing to click.
import { button, setDisabled } from '../ui-kit';
import { h, replace, show } from './dom';
import type { View, ViewContext } from './view';

export function createWelcome({ doc, send }: ViewContext): View {
  const el = h(doc, 'section', { class: 'card welcome', 'aria-label': 'Getting started' });
  let shown = '';
  return {
    el,
    update(s) {
      const busy = s.progress.task;
      const mode = !s.model ? 'no-model' : !s.experts ? 'no-profile' : 'ready';
      show(el, mode !== 'ready');
      if (mode === shown) return setBusy(el, busy);
      shown = mode;
      if (mode === 'no-model') {
        replace(
          el,
          h(doc, 'h2', {}, 'Find the neurons that carry toxicity'),
          h(doc, 'p', {}, 'AurA ranks every MLP neuron of a language model by how well it separates toxic from non-toxic text (AUROC), then dampens the experts in proportion. Start with the small demo model: it is profiled in well under a minute.'),
          h(doc, 'div', { class: 'actions' }, button(doc, 'Use Demo Model', { appearance: 'primary', onClick: () => send({ type: 'useDemoModel' }) }), button(doc, 'Open Model Folder…', { onClick: () => send({ type: 'openModelFolder' }) })),
        );
      } else if (mode === 'no-profile') {
        replace(
          el,
          h(doc, 'h2', {}, 'Profile a concept'),
          h(doc, 'p', {}, 'Run labelled toxic and non-toxic examples through the model to rank its neurons. Use a JSONL or CSV file, or gather sentences from the editor with "AurA: Add Selection as Toxic Example".'),
          h(doc, 'div', { class: 'actions' }, button(doc, 'Profile Concept…', { appearance: 'primary', onClick: () => send({ type: 'profile' }) })),
        );
      }
      el.append(h(doc, 'p', { class: 'busy muted', 'aria-live': 'polite', hidden: true }));
      setBusy(el, busy);
    },
  };
}

/** Long work running: every button off, and a line saying what runs (the progress bar has the detail). */
function setBusy(el: HTMLElement, task: string | null): void {
  for (const b of el.querySelectorAll<HTMLElement>('[role=button]')) setDisabled(b, task !== null);
  const line = el.querySelector<HTMLElement>('.busy');
  if (!line) return;
  line.hidden = task === null;
  line.textContent = task ? `${task}… the buttons come back when it finishes.` : '';
}
