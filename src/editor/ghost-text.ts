// How a continuation reads as ghost text on one line: an `after` decoration cannot break lines, so
// line breaks show as a return mark, and the text is cut with an ellipsis where it would run past the
// editor's edge (the hover shows it whole, with the original beside it).

export const MAX_CHARS = 400;

export function ghostText(continuation: string, maxChars = MAX_CHARS): string {
  const oneLine = continuation.replace(/\r?\n/g, ' ⏎ ');
  const max = Math.max(1, maxChars);
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** The last column the ghost text may reach: the wrap column when the editor wraps there, else the first ruler, else 80. */
export function edgeColumn(o: { wordWrap?: string; wordWrapColumn?: number; rulers?: readonly (number | { column: number })[] }): number {
  if ((o.wordWrap === 'wordWrapColumn' || o.wordWrap === 'bounded') && o.wordWrapColumn && o.wordWrapColumn > 0) return o.wordWrapColumn;
  const r = o.rulers?.[0];
  const ruler = typeof r === 'number' ? r : r?.column;
  return ruler && ruler > 0 ? ruler : 80;
}

/** Characters left for ghost text after `lineLength`, never fewer than `min` (a line at the edge still shows a start). */
export function ghostBudget(lineLength: number, edge: number, min = 24): number {
  return Math.max(min, edge - lineLength);
}
