// The ranked neurons, virtualised so a million rows scroll as smoothly as 50 (see virtual-list.ts).
// Keyboard: arrows, Page Up/Down, Home/End move the active row; Enter or Space selects it. Every
// column header sorts (click, Enter or Space; again to reverse).
import { TestIds } from '../../src/shared/ids';
import { filterRows } from '../state/filter';
import { gainOrderKey, sortRows } from '../state/sort';
import { createFilters } from './filters';
import { h, setText } from './dom';
import { int } from './format';
import { createRow, fillRow, gainContext, HELD_OUT_TITLE } from './expert-row';
import { VirtualList } from './virtual-list';
import type { ExpertsSnapshot } from '../../src/shared/protocol';
import type { Filter, Sort, SortColumn } from '../state/ui-state';
import { warningBanner } from './profile-warning';
import type { PageState } from '../state/store';
import type { View, ViewContext } from './view';
import type { GainContext } from './expert-row';

export const ROW_HEIGHT = 26;
export const OVERSCAN = 4;

interface Rows {
  experts: ExpertsSnapshot;
  filter: Filter;
  search: string;
  sort: Sort;
  /** The intervention the gain order was computed for (other orders do not depend on it). */
  intervention: string;
  indices: Uint32Array;
}

const COLUMNS: { column: SortColumn; label: string; title: string }[] = [
  { column: 'rank', label: 'Rank', title: 'Rank by AUROC (1 = best)' },
  { column: 'id', label: 'Neuron (site:index)', title: 'Site, then neuron number' },
  { column: 'layer', label: 'Layer', title: 'Layer' },
  { column: 'auroc', label: 'AUROC', title: 'AUROC, with its confidence interval where the profile has one' },
  { column: 'heldOut', label: 'Held-out', title: HELD_OUT_TITLE },
  { column: 'gain', label: 'Gain', title: 'Gain the intervention applies now' },
];

export function createExpertsTable(ctx: ViewContext): View & { visibleRange(): [number, number] } {
  const { doc, store } = ctx;
  const filters = createFilters(ctx);
  const count = h(doc, 'span', { class: 'muted count', 'aria-live': 'polite' });
  let rows: Rows | undefined;
  let gains: GainContext = gainContext(null);
  /** Bumped for every new experts snapshot: a row showing the same index of an older profile is rebuilt. */
  let generation = 0;
  let generationOf: ExpertsSnapshot | null = null;
  const warning = warningBanner(doc);
  const list = new VirtualList(
    doc,
    {
      rowHeight: ROW_HEIGHT,
      overscan: OVERSCAN,
      fallbackViewport: 390,
      createRow: () => createRow(doc, { role: 'row', 'data-testid': TestIds.expertRow, class: 'row' }),
      renderRow: (el, i) => fillRow(el, rows!.experts, rows!.indices[i]!, i, gains, store.state.ui, generation),
    },
    { tabindex: 0, 'aria-label': 'Expert neurons, ranked by AUROC' },
  );
  const heads = COLUMNS.map(({ column, label, title }) => {
    const cell = h(doc, 'div', { role: 'columnheader', class: `cell sortable ${column}`, tabindex: 0, title: `${title}; click to sort`, 'aria-sort': 'none', 'data-column': column }, label, h(doc, 'span', { class: 'sort-arrow', 'aria-hidden': 'true' }));
    const toggle = () => {
      const cur = store.state.ui.sort;
      // A new column starts in its natural direction: best first for rank and the AUROCs, smallest gain first.
      const first: Sort['dir'] = column === 'auroc' || column === 'heldOut' ? 'desc' : 'asc';
      const dir = cur.column === column ? (cur.dir === 'asc' ? 'desc' : 'asc') : first;
      store.setUi({ sort: { column, dir }, activeRow: 0, scrollTop: 0 });
    };
    cell.addEventListener('click', toggle);
    cell.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        toggle();
      }
    });
    return cell;
  });
  const header = h(doc, 'div', { class: 'row head', role: 'row' }, ...heads);
  const table = h(doc, 'div', { class: 'table', role: 'grid', testid: TestIds.expertsTable, 'aria-rowcount': 0, 'aria-colcount': COLUMNS.length }, header, list.scroller);
  const empty = h(doc, 'p', { class: 'muted empty', hidden: true }, 'No neuron matches the filters.');
  const el = h(doc, 'section', { class: 'card experts', 'aria-label': 'Experts' }, h(doc, 'div', { class: 'card-title' }, h(doc, 'h2', {}, 'Experts'), count), warning.el, filters.el, table, empty);
  wireKeyboard(ctx, list, () => rows);
  wireScrollMemory(ctx, list);

  let restoredScroll = false;
  return {
    el,
    visibleRange: () => list.range,
    update(s, changed) {
      filters.update(s, changed);
      if (!changed.has('experts') && !changed.has('ui') && !changed.has('intervention')) return;
      el.hidden = !s.experts;
      if (s.experts !== generationOf) {
        generationOf = s.experts;
        generation++;
        warning.update(s.experts);
      }
      for (const cell of heads) {
        if (cell.dataset.column === 'heldOut') cell.title = `${heldOutTitle(s.experts)}; click to sort`;
        const on = cell.dataset.column === s.ui.sort.column;
        cell.setAttribute('aria-sort', on ? (s.ui.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
        setText(cell.lastElementChild!, on ? (s.ui.sort.dir === 'asc' ? ' ▲' : ' ▼') : '');
      }
      const next = filtered(rows, s);
      const refiltered = next !== rows;
      rows = next;
      gains = gainContext(s.intervention);
      const n = rows?.indices.length ?? 0;
      const total = s.experts?.auroc.length ?? 0;
      setText(count, rows ? (n === total ? `${int(total)} neurons` : `${int(n)} of ${int(total)} neurons`) : '');
      empty.hidden = !rows || n > 0;
      table.setAttribute('aria-rowcount', String(n + 1));
      list.setCount(n);
      if (refiltered && rows && !restoredScroll) {
        // First data after a reload: back to where the user was.
        restoredScroll = true;
        list.scroller.scrollTop = s.ui.scrollTop;
      } else if (refiltered && s.ui.scrollTop === 0) list.scroller.scrollTop = 0;
      list.render();
    },
  };
}

/** The column's explanation, with the share held out when the profile says it. */
function heldOutTitle(e: ExpertsSnapshot | null): string {
  const f = e?.stats?.heldOutFraction;
  if (!e?.stats?.heldOut) return `${HELD_OUT_TITLE} (this profile has none)`;
  return f === undefined ? HELD_OUT_TITLE : `${HELD_OUT_TITLE} (${Math.round(f * 100)}% of each class held out)`;
}

/** The filtered, sorted rows, recomputed only when the data, the filter, the search or the order changed. */
function filtered(previous: Rows | undefined, s: PageState): Rows | undefined {
  const e = s.experts;
  if (!e) return undefined;
  const { filter, search, sort } = s.ui;
  const iv = sort.column === 'gain' ? s.intervention : null;
  const ivKey = gainOrderKey(iv);
  if (previous && previous.experts === e && previous.filter === filter && previous.search === search && previous.sort === sort && previous.intervention === ivKey) return previous;
  const kept = previous && previous.experts === e && previous.filter === filter && previous.search === search ? previous : undefined;
  const base = kept && kept.sort.column === 'rank' && kept.sort.dir === 'asc' ? kept.indices : filterRows(e, filter, search);
  return { experts: e, filter, search, sort, intervention: ivKey, indices: sortRows(e, base, sort, iv) };
}

function wireKeyboard({ store, send }: ViewContext, list: VirtualList, rows: () => Rows | undefined): void {
  const moveTo = (i: number) => {
    const n = rows()?.indices.length ?? 0;
    if (n === 0) return;
    const target = Math.max(0, Math.min(n - 1, i));
    list.reveal(target);
    store.setUi({ activeRow: target, scrollTop: list.scroller.scrollTop });
    list.element(target)?.focus();
  };
  const select = (i: number) => {
    const r = rows();
    const idx = r?.indices[i];
    if (!r || idx === undefined) return;
    const site = r.experts.sites[r.experts.site[idx]!]!.id;
    const neuron = r.experts.neuron[idx]!;
    store.setUi({ activeRow: i, selected: { site, neuron } });
    send({ type: 'selectNeuron', site, neuron });
  };
  list.scroller.addEventListener('keydown', (e) => {
    const page = Math.max(1, Math.floor(list.viewport / ROW_HEIGHT) - 1);
    const at = store.state.ui.activeRow;
    const last = (rows()?.indices.length ?? 1) - 1;
    const moves: Record<string, number> = { ArrowDown: at + 1, ArrowUp: at - 1, PageDown: at + page, PageUp: at - page, Home: 0, End: last };
    if (e.key in moves) {
      e.preventDefault();
      moveTo(moves[e.key]!);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select(at);
    }
  });
  list.scroller.addEventListener('click', (e) => {
    const row = (e.target as Element).closest(`[data-testid=${TestIds.expertRow}]`);
    const i = row ? list.indexOf(row) : undefined;
    if (i === undefined) return;
    select(i);
    (row as HTMLElement).focus();
  });
}

/** The scroll position is saved for a reload, but not on every scroll event. */
function wireScrollMemory({ store }: ViewContext, list: VirtualList): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  list.scroller.addEventListener('scroll', () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => store.setUi({ scrollTop: list.scroller.scrollTop }), 250);
  });
}
