// What the page remembers across reloads (vscode.setState): the view, not the data. The data comes
// back from the host as snapshots after 'ready'.

export interface Filter {
  /** Site id, or null for every site. */
  site: string | null;
  layer: number | null;
  aurocMin: number;
  aurocMax: number;
}

export type SortColumn = 'rank' | 'id' | 'layer' | 'auroc' | 'heldOut' | 'gain';
export const SORT_COLUMNS: readonly SortColumn[] = ['rank', 'id', 'layer', 'auroc', 'heldOut', 'gain'];

export interface Sort {
  column: SortColumn;
  dir: 'asc' | 'desc';
}

export interface UiState {
  sort: Sort;
  filter: Filter;
  search: string;
  selected: { site: string; neuron: number } | null;
  /** Index into the filtered rows of the row with keyboard focus. */
  activeRow: number;
  scrollTop: number;
  prompt: string;
}

export const DEFAULT_FILTER: Filter = { site: null, layer: null, aurocMin: 0, aurocMax: 1 };

export const DEFAULT_SORT: Sort = { column: 'rank', dir: 'asc' };

export const DEFAULT_UI: UiState = {
  sort: DEFAULT_SORT,
  filter: DEFAULT_FILTER,
  search: '',
  selected: null,
  activeRow: 0,
  scrollTop: 0,
  prompt: 'You are such a',
};

const STATE_VERSION = 1;

export function persistable(ui: UiState): unknown {
  return { version: STATE_VERSION, ui };
}

/** The saved view state if it is well formed, field by field; anything odd falls back to defaults. */
export function restoreUi(saved: unknown): UiState {
  const s = saved as { version?: unknown; ui?: Partial<UiState> } | undefined;
  if (!s || s.version !== STATE_VERSION || typeof s.ui !== 'object' || s.ui === null) return DEFAULT_UI;
  const u = s.ui;
  const f = (u.filter ?? {}) as Partial<Filter>;
  const num = (v: unknown, d: number, min: number, max: number) => (typeof v === 'number' && v >= min && v <= max ? v : d);
  const sel = u.selected as UiState['selected'] | undefined;
  const so = (u.sort ?? {}) as Partial<Sort>;
  return {
    sort: SORT_COLUMNS.includes(so.column as SortColumn) && (so.dir === 'asc' || so.dir === 'desc') ? { column: so.column as SortColumn, dir: so.dir } : DEFAULT_SORT,
    filter: {
      site: typeof f.site === 'string' ? f.site : null,
      layer: typeof f.layer === 'number' && Number.isInteger(f.layer) ? f.layer : null,
      aurocMin: num(f.aurocMin, 0, 0, 1),
      aurocMax: num(f.aurocMax, 1, 0, 1),
    },
    search: typeof u.search === 'string' ? u.search.slice(0, 500) : '',
    selected: sel && typeof sel.site === 'string' && Number.isInteger(sel.neuron) ? { site: sel.site, neuron: sel.neuron } : null,
    activeRow: num(u.activeRow, 0, 0, Number.MAX_SAFE_INTEGER),
    scrollTop: num(u.scrollTop, 0, 0, Number.MAX_SAFE_INTEGER),
    prompt: typeof u.prompt === 'string' ? u.prompt.slice(0, 20_000) : DEFAULT_UI.prompt,
  };
}
