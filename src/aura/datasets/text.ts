import { readTextLines } from './text-file';
import { MAX_TEXT_CHARS } from './types';
import type { ExampleSink, Label } from './types';

/** Reads a plain text file, one text per line, all of one class; blank lines are ignored. */
export async function readTextClass(path: string, label: Label, sink: ExampleSink): Promise<void> {
  for await (const line of readTextLines(path, { maxChars: MAX_TEXT_CHARS, onLong: 'truncate' })) {
    if (line.text.trim() === '') continue;
    sink.add(line.text, label, line.truncated);
  }
}
