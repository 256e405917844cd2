import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { AuraUserError, describeValue } from '../errors';
import { LABEL_FORMS, parseLabel } from './labels';
import { Utf8Validator } from './text-file';
import { MAX_TEXT_CHARS } from './types';
import type { ExampleSink, Label } from './types';

export interface CsvOptions {
  /** Column holding the text. Default: 'text', else Jigsaw's 'comment_text'. */
  textColumn?: string;
  /** Column holding the label. Default: 'label', or 'toxic' in the Jigsaw layout. */
  labelColumn?: string;
  /** Default ',' ('\t' for .tsv files). */
  delimiter?: string;
}

/** The Jigsaw subtypes; a row labelled non-toxic with any of them set is dropped (apple/ml-aura's rule). */
export const JIGSAW_SUBTYPES = ['severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate'] as const;

/** A record may hold a long text; beyond this the file is more likely a missing closing quote. */
const MAX_RECORD_CHARS = 64 * 1024 * 1024;

export interface CsvRow {
  cells: string[];
  /** 1-based data record (the header is record 0) and the line it starts on. */
  record: number;
  line: number;
}

/** Streams the records of a UTF-8 CSV file; the first one is the header. */
export async function forEachCsvRecord(
  path: string,
  delimiter: string,
  onRecord: (row: CsvRow) => void,
): Promise<void> {
  const parser = parse({
    delimiter,
    bom: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: MAX_RECORD_CHARS,
  });
  let record = 0;
  let prevEnd = 0;
  let prevEmpty = 0;
  // An error thrown by onRecord stops the pipeline, which then rejects with an AbortError; keep the real one.
  let recordError: unknown;
  try {
    await pipeline(createReadStream(path), new Utf8Validator(path), parser, async (rows: AsyncIterable<unknown>) => {
      for await (const item of rows) {
        const { record: cells, info } = item as { record: string[]; info: { lines: number; empty_lines: number } };
        const line = prevEnd + 1 + (info.empty_lines - prevEmpty);
        prevEnd = info.lines;
        prevEmpty = info.empty_lines;
        try {
          onRecord({ cells, record: record++, line });
        } catch (e) {
          recordError = e;
          throw e;
        }
      }
    });
  } catch (e) {
    if (recordError !== undefined) throw recordError;
    if (e instanceof AuraUserError) throw e;
    const err = e as Error & { code?: string };
    // Most csv-parse codes start with CSV_, but not all (INVALID_OPENING_QUOTE): the class says it is the file's fault.
    if (e instanceof CsvError || (typeof err.code === 'string' && err.code.startsWith('CSV_'))) {
      throw new AuraUserError(`${path}: not valid CSV (${err.message.split('\n')[0]?.slice(0, 160)})${delimiterHint(firstLineCells(path, delimiter))}`);
    }
    throw e;
  }
}

/** Header names for a one-line message; a headerless file's first row may hold a 10 MB "name". */
export function columnList(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((n) => describeValue(n)).join(', ');
  return names.length > 20 ? `${shown}, … (${names.length} in all)` : shown;
}

/** The first line split at `delimiter` (for the hint only: quotes are not parsed). */
function firstLineCells(path: string, delimiter: string): string[] {
  const buf = Buffer.alloc(64 * 1024);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
  return (buf.subarray(0, n).toString('utf8').split(/\r?\n/)[0] ?? '').split(delimiter);
}

/** A header read as one column that holds another separator: the file uses that one. */
export function delimiterHint(names: readonly string[]): string {
  if (names.length !== 1) return '';
  const sep = [';', '\t', '|'].find((d) => names[0]!.includes(d));
  if (!sep) return '';
  const shown = sep === '\t' ? 'tab' : sep;
  return `; the header looks ${sep === ';' ? 'semicolon' : sep === '|' ? 'pipe' : 'tab'}-separated: pass --delimiter ${sep === '\t' ? 'tab' : `"${shown}"`}`;
}

export function defaultDelimiter(path: string): string {
  return path.toLowerCase().endsWith('.tsv') ? '\t' : ',';
}

/** Reads labelled CSV, recognising the Jigsaw layout by its `comment_text` and `toxic` columns. */
export async function readCsv(path: string, options: CsvOptions, sink: ExampleSink): Promise<void> {
  let layout: Layout | undefined;
  await forEachCsvRecord(path, options.delimiter ?? defaultDelimiter(path), (row) => {
    if (layout === undefined) {
      layout = resolveLayout(path, row.cells, options);
      return;
    }
    readRow(path, layout, row, sink);
  });
  if (layout === undefined) throw new AuraUserError(`${path}: the file has no rows; expected a header row, then one labelled example per row`);
}

interface Layout {
  text: number;
  label: number;
  labelName: string;
  names: string[];
  /** Indices of the Jigsaw subtype columns; empty outside the Jigsaw layout. */
  subtypes: number[];
  jigsaw: boolean;
}

function resolveLayout(path: string, header: string[], options: CsvOptions): Layout {
  const names = header.map((h) => h.trim());
  const found = columnList(names);
  const jigsaw =
    names.includes('comment_text') &&
    names.includes('toxic') &&
    (options.textColumn ?? 'comment_text') === 'comment_text' &&
    (options.labelColumn ?? 'toxic') === 'toxic';
  const textName = options.textColumn ?? (jigsaw || !names.includes('text') ? 'comment_text' : 'text');
  const text = names.indexOf(textName);
  if (text === -1) {
    const wanted = options.textColumn ? `"${textName}"` : '"text" (or Jigsaw\'s "comment_text")';
    throw new AuraUserError(`${path}: no text column ${wanted} (columns found: ${found})${delimiterHint(names)}`);
  }
  const labelName = options.labelColumn ?? (jigsaw ? 'toxic' : 'label');
  const label = names.indexOf(labelName);
  if (label === -1) throw new AuraUserError(`${path}: no label column "${labelName}" (columns found: ${found})${delimiterHint(names)}`);
  const subtypes = jigsaw ? JIGSAW_SUBTYPES.map((s) => names.indexOf(s)).filter((i) => i !== -1) : [];
  return { text, label, labelName, names, subtypes, jigsaw };
}

function readRow(path: string, layout: Layout, row: CsvRow, sink: ExampleSink): void {
  const where = `${path}: record ${row.record} (line ${row.line})`;
  const rawLabel = row.cells[layout.label] ?? '';
  let label: Label;
  if (layout.jigsaw) {
    const toxic = jigsawCell(where, layout.labelName, rawLabel);
    // -1 marks rows nobody annotated (Jigsaw's test split); the reference leaves them out too.
    if (toxic === -1) return sink.leaveOut('skipped');
    if (toxic !== 0 && toxic !== 1) {
      throw new AuraUserError(`${where}: ${layout.labelName} ${describeValue(rawLabel)} is not 0 or 1`);
    }
    // apple/ml-aura: drop rows with toxic == 0 and max(subtypes) != 0.
    if (toxic === 0 && layout.subtypes.length > 0) {
      const max = Math.max(...layout.subtypes.map((i) => jigsawCell(where, layout.names[i] ?? '', row.cells[i] ?? '')));
      if (max !== 0) return sink.leaveOut('subtype');
    }
    label = toxic === 1 ? 1 : 0;
  } else {
    const parsed = parseLabel(rawLabel);
    if (parsed === undefined) {
      throw new AuraUserError(`${where}: ${layout.labelName} ${describeValue(rawLabel)} is not ${LABEL_FORMS}`);
    }
    label = parsed;
  }
  const text = row.cells[layout.text] ?? '';
  if (text.trim() === '') return sink.leaveOut('skipped');
  const truncated = text.length > MAX_TEXT_CHARS;
  sink.add(truncated ? text.slice(0, MAX_TEXT_CHARS) : text, label, truncated);
}

function jigsawCell(where: string, column: string, cell: string): number {
  const v = cell.trim() === '' ? NaN : Number(cell);
  if (!Number.isFinite(v)) {
    throw new AuraUserError(`${where}: ${column} ${describeValue(cell)} is not a number (expected 0 or 1)`);
  }
  return v;
}
