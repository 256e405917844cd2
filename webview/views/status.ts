// Progress of long work on the host, and the last error (dismissable), announced to screen readers.
import { TestIds } from '../../src/shared/ids';
import { button } from '../ui-kit';
import { h, setText, show } from './dom';
import type { View, ViewContext } from './view';

export function createStatus({ doc, store }: ViewContext): View {
  const label = h(doc, 'span', { class: 'progress-label' });
  const fill = h(doc, 'div', { class: 'progress-fill' });
  const track = h(doc, 'div', { class: 'progress-track', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
  const progress = h(doc, 'div', { class: 'progress', testid: TestIds.progress, role: 'status', 'aria-live': 'polite' }, label, track);
  const message = h(doc, 'span', { class: 'error-message' });
  const error = h(
    doc,
    'div',
    { class: 'error', testid: TestIds.error, role: 'alert' },
    h(doc, 'span', { class: 'codicon-like', 'aria-hidden': 'true' }, '⚠'),
    message,
    button(doc, 'Dismiss', { appearance: 'icon', title: 'Dismiss', onClick: () => store.set('error', null) }),
  );
  const el = h(doc, 'div', { class: 'status-area' }, progress, error);
  return {
    el,
    update(s, changed) {
      if (changed.has('progress')) {
        const p = s.progress;
        show(progress, p.task !== null);
        setText(label, p.task ? (p.total > 1 ? `${p.task} (${p.done}/${p.total})` : `${p.task}…`) : '');
        const known = p.total > 0;
        track.classList.toggle('indeterminate', !known);
        fill.style.width = known ? `${Math.min(100, (100 * p.done) / p.total)}%` : '30%';
        if (known) track.setAttribute('aria-valuenow', String(Math.round((100 * p.done) / p.total)));
        else track.removeAttribute('aria-valuenow');
      }
      if (changed.has('error')) {
        show(error, s.error !== null);
        setText(message, s.error ?? '');
      }
    },
  };
}
