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

/** One row of the inline preview: the text shown after document line `line`, `indent` columns after its end. */
export interface GhostRow {
  line: number;
  text: string;
  indent: number;
}

/** The most rows a continuation takes below its first line (generations are short; this is a bound). */
export const MAX_ROWS = 12;

/**
 * The continuation laid out over the selection's line and the lines under it, as a block of ghost text:
 * the first row right after the selection, up to the edge; each further row after the next document
 * line, indented so that it starts in the selection's end column (a longer line pushes its row to the
 * right); words wrap at the edge, the model's own line breaks start a new row, and what does not fit in
 * the rows the document has below (at most MAX_ROWS) is cut with an ellipsis (the hover shows it whole).
 * `lineLengths[i]` is the length of document line `line + i`; `column` is where the selection ends.
 */
export function layoutContinuation(continuation: string, o: { line: number; column: number; lineLengths: readonly number[]; edge: number; maxRows?: number; minWidth?: number }): GhostRow[] {
  const min = o.minWidth ?? 24;
  const rows = Math.max(1, Math.min(o.lineLengths.length, 1 + (o.maxRows ?? MAX_ROWS)));
  const widthOf = (r: number) => (r === 0 ? ghostBudget(o.lineLengths[0] ?? 0, o.edge, min) : Math.max(min, o.edge - o.column));
  const out: string[] = [];
  let cut = false;
  const paragraphs = continuation.replace(/\r\n?/g, '\n').split('\n');
  for (let p = 0; p < paragraphs.length && !cut; p++) {
    let rest = paragraphs[p]!;
    do {
      if (out.length === rows) {
        cut = true;
        break;
      }
      const width = widthOf(out.length);
      if (rest.length <= width) {
        out.push(rest);
        rest = '';
        break;
      }
      // Break at the last space that keeps the row within the width; a longer word is split.
      const space = rest.lastIndexOf(' ', width);
      const at = space > 0 ? space : width;
      out.push(rest.slice(0, at));
      rest = rest.slice(space > 0 ? at + 1 : at);
    } while (rest.length > 0);
  }
  if (cut) {
    const last = out.length - 1;
    const width = widthOf(last);
    const row = out[last]!;
    out[last] = row.length + 1 > width ? `${row.slice(0, width - 1)}…` : `${row}…`;
  }
  return out.map((text, r) => ({ line: o.line + r, text, indent: r === 0 ? 0 : Math.max(0, o.column - (o.lineLengths[r] ?? 0)) }));
}
