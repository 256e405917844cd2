// The panel's title bar: the model in use and the actions that start long work on the host.
import { button, setDisabled, tag } from '../ui-kit';
import { h, replace } from './dom';
import { int } from './format';
import type { View, ViewContext } from './view';

export function createHeader({ doc, send }: ViewContext): View {
  const model = h(doc, 'div', { class: 'model-line' });
  const actions = h(
    doc,
    'div',
    { class: 'actions', role: 'toolbar', 'aria-label': 'Model actions' },
    button(doc, 'Use Demo Model', { onClick: () => send({ type: 'useDemoModel' }), title: 'Load the embedded model and profile its concept data' }),
    button(doc, 'Open Model…', { onClick: () => send({ type: 'openModelFolder' }), title: 'Open a folder with an ONNX language model' }),
    button(doc, 'Profile…', { onClick: () => send({ type: 'profile' }), title: 'Profile a concept from labelled examples' }),
  );
  const el = h(doc, 'header', { class: 'app-header' }, h(doc, 'div', { class: 'title' }, h(doc, 'h1', {}, 'AurA Experts'), model), actions);
  return {
    el,
    update(s, changed) {
      // Starting other long work while one runs would only queue behind it: the buttons wait too.
      if (changed.has('progress')) for (const b of actions.querySelectorAll<HTMLElement>('[role=button]')) setDisabled(b, s.progress.task !== null);
      if (!changed.has('model') && !changed.has('experts')) return;
      const m = s.model;
      if (!m) return replace(model, h(doc, 'span', { class: 'muted' }, 'No model open'));
      const neurons = m.sites.reduce((a, x) => a + x.neurons, 0);
      replace(
        model,
        h(doc, 'span', { class: 'model-name', title: m.path }, m.name),
        m.isDemo ? tag(doc, 'demo') : null,
        h(doc, 'span', { class: 'muted' }, `${m.architecture} · ${m.layers} layers · ${m.sites.length} sites · ${int(neurons)} neurons`),
      );
    },
  };
}
