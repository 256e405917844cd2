import { AuraUserError, describeValue } from '../errors';
import { getPath, keysOf } from './json-path';
import { LABEL_FORMS, parseLabel } from './labels';
import { readTextLines } from './text-file';
import { MAX_TEXT_CHARS } from './types';
import type { ExampleSink } from './types';

export interface JsonlOptions {
  /** Key of the text; dots reach into nested objects. Default 'text'. */
  textKey?: string;
  /** Key of the label. Default 'label'. */
  labelKey?: string;
}

/** A JSON line may be large (its text is cut only after parsing); beyond this the file is not JSONL. */
const MAX_JSON_LINE_CHARS = 64 * 1024 * 1024;

/** Reads labelled JSONL: one object per line, blank lines ignored. */
export async function readJsonl(path: string, options: JsonlOptions, sink: ExampleSink): Promise<void> {
  const textKey = options.textKey ?? 'text';
  const labelKey = options.labelKey ?? 'label';
  for await (const { value, lineNo } of readJsonValues(path)) {
    const where = `${path}:${lineNo}`;
    const text = getPath(value, textKey);
    if (typeof text !== 'string') {
      throw new AuraUserError(
        text === undefined
          ? `${where}: no "${textKey}" field (keys found: ${keysOf(value)})`
          : `${where}: "${textKey}" is not a string`,
      );
    }
    const raw = getPath(value, labelKey);
    if (raw === undefined) throw new AuraUserError(`${where}: no "${labelKey}" field (keys found: ${keysOf(value)})`);
    const label = parseLabel(raw);
    if (label === undefined) {
      throw new AuraUserError(`${where}: label ${describeValue(raw)} is not ${LABEL_FORMS}`);
    }
    // A blank text is left out, as CSV, plain text and in-memory examples do (it has no tokens to profile).
    if (text.trim() === '') {
      sink.leaveOut('skipped');
      continue;
    }
    const truncated = text.length > MAX_TEXT_CHARS;
    sink.add(truncated ? text.slice(0, MAX_TEXT_CHARS) : text, label, truncated);
  }
}

/** The parsed values of a JSONL file with their line numbers. */
export async function* readJsonValues(path: string): AsyncGenerator<{ value: unknown; lineNo: number }> {
  for await (const line of readTextLines(path, { maxChars: MAX_JSON_LINE_CHARS, onLong: 'error' })) {
    if (line.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (e) {
      const detail = e instanceof Error ? e.message.split('\n')[0] : '';
      throw new AuraUserError(`${path}:${line.lineNo}: not valid JSON (${detail?.slice(0, 120)}); expected one JSON object per line`);
    }
    yield { value, lineNo: line.lineNo };
  }
}
