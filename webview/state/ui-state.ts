// What the page remembers across reloads (vscode.setState): the view, not the data. The data comes
// back from the host as snapshots after 'ready'. The schema is shared with the host
// (src/shared/view-state.ts), which keeps a copy for a panel that is closed and opened again.
import { DEFAULT_VIEW, parseSavedView, savedView } from '../../src/shared/view-state';
import type { ViewState } from '../../src/shared/view-state';

export { DEFAULT_FILTER, DEFAULT_SORT, SORT_COLUMNS } from '../../src/shared/view-state';
export type { Filter, Sort, SortColumn } from '../../src/shared/view-state';

export type UiState = ViewState;

export const DEFAULT_UI: UiState = DEFAULT_VIEW;

export function persistable(ui: UiState): unknown {
  return savedView(ui);
}

/** The saved view state, each well-formed field kept and anything odd defaulted; none or another version: the defaults. */
export function restoreUi(saved: unknown): UiState {
  return parseSavedView(saved) ?? DEFAULT_UI;
}
