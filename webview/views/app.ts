// The page: builds the views, feeds host snapshots into the store, and restores the view state.
import { HostConnection } from '../host-connection';
import { rowOf } from '../state/filter';
import { applyAppend } from '../state/preview-stream';
import { unpackExperts } from '../../src/shared/experts-packed';
import { Store } from '../state/store';
import { parseSavedView } from '../../src/shared/view-state';
import { DEFAULT_UI } from '../state/ui-state';
import { createCompare } from './compare';
import { createControls } from './controls';
import { createDetail } from './detail';
import { h } from './dom';
import { createEvaluation } from './evaluation';
import { createExpertsTable } from './experts-table';
import { createHeader } from './header';
import { createPreview } from './preview';
import { createSweep } from './sweep';
import { createStatus } from './status';
import { createSummary } from './summary';
import { createWelcome } from './welcome';
import type { ExpertsSnapshot, HostMessage } from '../../src/shared/protocol';
import type { ViewState } from '../../src/shared/view-state';
import type { StateKey } from '../state/store';
import type { VsCodeApi } from '../vscode-api';
import type { View, ViewContext } from './view';

export interface App {
  store: Store;
  table: ReturnType<typeof createExpertsTable>;
  dispose(): void;
}

export function mountApp(root: HTMLElement, api: VsCodeApi): App {
  const doc = root.ownerDocument;
  const win = doc.defaultView!;
  // A page of the same panel (a reload, a move to another group) finds its view in getState; a new
  // panel finds none and takes the one the host kept (didRestoreView), except what changed meanwhile.
  const own = parseSavedView(api.getState());
  const keeper = new ViewKeeper(win, (view) => connection.send({ type: 'saveView', view }), own ?? DEFAULT_UI, own === undefined);
  const store = new Store(own ?? DEFAULT_UI, (s) => {
    api.setState(s);
    keeper.changed(store.state.ui);
  });
  const connection = new HostConnection(api, win, (m) => (m.type === 'didRestoreView' ? keeper.restore(store, m.view) : receive(store, m, ctx)));
  const ctx: ViewContext = { doc, store, send: (m) => connection.send(m) };
  const table = createExpertsTable(ctx);
  const views: View[] = [createHeader(ctx), createStatus(ctx), createWelcome(ctx), createSummary(ctx), table, createControls(ctx), createDetail(ctx), createPreview(ctx), createEvaluation(ctx), createSweep(ctx), createCompare(ctx)];
  const [header, status, welcome, summary, , controls, detail, preview, evaluation, sweep, compare] = views.map((v) => v.el);
  // The intervention controls and the preview form one dock that stays in view (sticky beside the
  // table and the neuron detail on wide screens), so moving the slider and reading the new text never
  // needs a scroll. Narrow first (a panel beside the editor, ~780 px): the grid's order is the table,
  // then the dock (controls and preview side by side when they fit), then the detail, so the table and
  // the slider are on the first screen; the summary above them is a one-line, collapsed Overview.
  const dock = h(doc, 'div', { class: 'dock', testid: 'intervention-dock' }, controls!, preview!);
  root.replaceChildren(
    h(doc, 'div', { class: 'app' }, header!, status!, welcome!, summary!, h(doc, 'div', { class: 'main-grid' }, table.el, dock, detail!), evaluation!, sweep!, compare!),
  );
  trackHeaderHeight(header!);
  const all = new Set<StateKey>(['model', 'experts', 'intervention', 'detail', 'preview', 'progress', 'evaluation', 'sweep', 'comparison', 'error', 'ui']);
  const update = (changed: ReadonlySet<StateKey>) => {
    for (const v of views) v.update(store.state, changed);
  };
  const unsubscribe = store.subscribe((_, changed) => update(changed));
  update(all);
  connection.send({ type: 'ready' });
  // A page that restored its own view (a reload, a move) tells the host which one it shows.
  if (own) connection.send({ type: 'saveView', view: own });
  return {
    store,
    table,
    dispose() {
      unsubscribe();
      keeper.flush();
      connection.dispose();
    },
  };
}

/** Host snapshots into the store, keeping the view state consistent with them. */
function receive(store: Store, m: HostMessage, ctx: ViewContext): void {
  switch (m.type) {
    case 'didChangeModel': {
      const before = store.state.model;
      store.set('model', m.model);
      if (m.model?.path !== before?.path) store.set('detail', null);
      return;
    }
    case 'didChangeExperts':
      return setExperts(store, m.experts, ctx);
    case 'didChangeExpertsPacked':
      return setExperts(store, unpackExperts(m.experts), ctx);
    case 'didChangeIntervention':
      return store.set('intervention', m.intervention);
    case 'didListMethods':
      return store.set('methods', m.methods);
    case 'didSelectNeuron': {
      const sel = store.state.ui.selected;
      const same = sel?.site === m.detail.site && sel.neuron === m.detail.neuron;
      // A neuron the host chose (a highlight's hover link) becomes the selection: the detail card shows
      // only the selected neuron's detail, so without this the link brought the panel up unchanged.
      if (m.reveal && !same) store.setUi({ selected: { site: m.detail.site, neuron: m.detail.neuron } });
      // A late answer for a neuron no longer selected must not replace the selected one's detail.
      else if (!m.reveal && sel && !same) return;
      return store.set('detail', m.detail);
    }
    case 'didUpdatePreview': {
      const current = store.state.preview;
      if (current && m.preview.runId < current.runId) return;
      return store.set('preview', m.preview);
    }
    case 'didAppendPreview': {
      const r = applyAppend(store.state.preview, m.append);
      if (r.kind === 'applied') return store.set('preview', r.preview);
      if (r.kind === 'gap') ctx.send({ type: 'resyncPreview' });
      return;
    }
    case 'didChangeProgress':
      return store.set('progress', m.progress);
    case 'didEvaluate':
      return store.set('evaluation', m.evaluation);
    case 'didSweep':
      return store.set('sweep', m.sweep);
    case 'didCompare':
      return store.set('comparison', m.comparison);
    case 'didError':
      return store.set('error', m.message);
    case 'reveal':
      return revealCard(ctx.doc, m.target);
  }
}

/**
 * Hands the view to the host after each change: at once, except scrolling alone (the keyboard row
 * and scroll offset), which waits for a pause so a scroll is one message, not one per frame.
 */
class ViewKeeper {
  private timer: number | undefined;
  private latest: ViewState | undefined;

  constructor(
    private readonly win: Pick<Window, 'setTimeout' | 'clearTimeout'>,
    private readonly send: (view: ViewState) => void,
    /** The view the page started with: the host has it already (it kept it, or it is the default). */
    private sent: ViewState,
    /** True until the host's view is taken: the page restored none of its own. */
    private acceptsHostView: boolean,
  ) {
    this.initial = sent;
  }

  private readonly initial: ViewState;

  changed(view: ViewState): void {
    this.latest = view;
    if (this.timer !== undefined) this.win.clearTimeout(this.timer);
    this.timer = undefined;
    const s = this.sent;
    if (s.sort === view.sort && s.filter === view.filter && s.search === view.search && s.selected === view.selected && s.prompt === view.prompt) {
      this.timer = this.win.setTimeout(() => this.flush(), 300);
      return;
    }
    this.flush();
  }

  flush(): void {
    if (this.timer !== undefined) this.win.clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.latest || this.latest === this.sent) return;
    this.sent = this.latest;
    this.send(this.latest);
  }

  /** The host's view, under what changed since the page opened (typed, or a neuron the host opened). */
  restore(store: Store, view: ViewState): void {
    if (!this.acceptsHostView) return;
    this.acceptsHostView = false;
    const now = store.state.ui;
    const merged = { ...view } as Record<keyof ViewState, unknown>;
    for (const key of Object.keys(view) as (keyof ViewState)[]) if (now[key] !== this.initial[key]) merged[key] = now[key];
    store.setUi(merged as ViewState);
  }
}

function setExperts(store: Store, experts: ExpertsSnapshot | null, ctx: ViewContext): void {
  store.set('experts', experts);
  const sel = store.state.ui.selected;
  // No experts yet (a reloaded window before its profile is back) keeps the selection for when they come.
  if (sel && experts && rowOf(experts, sel.site, sel.neuron) < 0) store.setUi({ selected: null });
  // After a reload the host no longer holds the detail the page showed: ask again.
  else if (sel && experts && !store.state.detail) ctx.send({ type: 'selectNeuron', site: sel.site, neuron: sel.neuron });
}

/** A finished sweep or evaluation ("Show" in the host's notification): its card scrolled under the header and focused. */
function revealCard(doc: Document, target: 'sweep' | 'evaluation'): void {
  const card = doc.querySelector<HTMLElement>(target === 'sweep' ? '[data-testid="sweep"]' : 'section.evaluation');
  if (!card || card.hidden) return;
  if (!card.hasAttribute('tabindex')) card.setAttribute('tabindex', '-1');
  card.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
  card.focus({ preventScroll: true });
}

/** The sticky header's height as --header-h, so the dock and scrolled-to cards sit just below it. */
function trackHeaderHeight(header: HTMLElement): void {
  const win = header.ownerDocument.defaultView as (Window & { ResizeObserver?: typeof ResizeObserver }) | null;
  if (!win?.ResizeObserver) return;
  const root = header.ownerDocument.documentElement;
  new win.ResizeObserver(() => root.style.setProperty('--header-h', `${Math.ceil(header.getBoundingClientRect().height)}px`)).observe(header);
}
