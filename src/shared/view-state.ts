// The panel's view (filter, sort, search, selected neuron, typed prompt, scroll): what the page keeps
// in vscode.setState and also hands to the host (saveView), so a panel closed and opened again, which
// starts with an empty getState, gets it back (didRestoreView). One schema for both sides: a message
// is checked with ViewStateSchema; a saved state read back (possibly written by an older version)
// goes through parseSavedView, which keeps each well-formed field and defaults the others.
import * as v from 'valibot';

export const SORT_COLUMNS = ['rank', 'id', 'layer', 'auroc', 'heldOut', 'gain'] as const;
export type SortColumn = (typeof SORT_COLUMNS)[number];

const SortSchema = v.object({ column: v.picklist(SORT_COLUMNS), dir: v.picklist(['asc', 'desc']) });
const unit = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1));
const FilterSchema = v.object({
  /** Site id, or null for every site. */
  site: v.nullable(v.pipe(v.string(), v.maxLength(500))),
  layer: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
  aurocMin: unit,
  aurocMax: unit,
});
const nonNegative = v.pipe(v.number(), v.finite(), v.minValue(0));
const SelectedSchema = v.nullable(v.object({ site: v.pipe(v.string(), v.minLength(1), v.maxLength(500)), neuron: v.pipe(v.number(), v.integer(), v.minValue(0)) }));

export const ViewStateSchema = v.object({
  sort: SortSchema,
  filter: FilterSchema,
  search: v.pipe(v.string(), v.maxLength(500)),
  selected: SelectedSchema,
  /** Index into the filtered rows of the row with keyboard focus. */
  activeRow: v.pipe(nonNegative, v.integer()),
  scrollTop: nonNegative,
  prompt: v.pipe(v.string(), v.maxLength(20_000)),
});
export type ViewState = v.InferOutput<typeof ViewStateSchema>;
export type Sort = ViewState['sort'];
export type Filter = ViewState['filter'];

export const DEFAULT_FILTER: Filter = { site: null, layer: null, aurocMin: 0, aurocMax: 1 };
export const DEFAULT_SORT: Sort = { column: 'rank', dir: 'asc' };
export const DEFAULT_VIEW: ViewState = { sort: DEFAULT_SORT, filter: DEFAULT_FILTER, search: '', selected: null, activeRow: 0, scrollTop: 0, prompt: 'You are such a' };

/** Bumped only when a field changes meaning; a state of another version is not read at all. */
export const VIEW_STATE_VERSION = 1;

// Field by field: a state missing a field, or holding one of the wrong shape (an older or newer page),
// loses that field only.
const f = <S extends v.GenericSchema>(schema: S, fallback: v.InferOutput<S>) => v.fallback(v.optional(schema, fallback), fallback as never);
const LenientViewSchema = v.object({
  sort: f(SortSchema, DEFAULT_SORT),
  filter: f(
    v.object({
      site: f(FilterSchema.entries.site, null),
      layer: f(FilterSchema.entries.layer, null),
      aurocMin: f(unit, 0),
      aurocMax: f(unit, 1),
    }),
    DEFAULT_FILTER,
  ),
  search: f(ViewStateSchema.entries.search, ''),
  selected: f(SelectedSchema, null),
  activeRow: f(ViewStateSchema.entries.activeRow, 0),
  scrollTop: f(nonNegative, 0),
  prompt: f(ViewStateSchema.entries.prompt, DEFAULT_VIEW.prompt),
});
const SavedSchema = v.object({ version: v.literal(VIEW_STATE_VERSION), ui: LenientViewSchema });

/** What vscode.setState is given: the view under a version. */
export function savedView(view: ViewState): unknown {
  return { version: VIEW_STATE_VERSION, ui: view };
}

/** A saved state read back: its well-formed fields over the defaults; undefined when it is not one (none, garbage, another version). */
export function parseSavedView(saved: unknown): ViewState | undefined {
  const r = v.safeParse(SavedSchema, saved);
  return r.success ? (r.output.ui as ViewState) : undefined;
}
