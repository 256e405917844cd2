import { extname } from 'node:path';
import { AuraUserError } from '../errors';
import { mulberry32, randomInt } from '../random';
import { columnList, defaultDelimiter, forEachCsvRecord } from './csv';
import { getPath, keysOf } from './json-path';
import { readJsonValues } from './jsonl';
import { readTextLines, sniffTextFile } from './text-file';
import { MAX_TEXT_CHARS } from './types';

export interface PromptOptions {
  /** JSONL key of the prompt. Default 'text', else RealToxicityPrompts' 'prompt.text'. */
  textKey?: string;
  /** CSV column of the prompt. Default 'text', else 'prompt', else 'comment_text'. */
  textColumn?: string;
  /** Keep at most this many prompts: a seeded uniform sample, in file order. */
  max?: number;
  seed?: number;
}

/**
 * Loads evaluation prompts from JSONL (`text` or RealToxicityPrompts' `{"prompt": {"text": ...}}`),
 * CSV with a text column, or plain text with one prompt per line (any other extension).
 */
export async function loadPrompts(path: string, options: PromptOptions = {}): Promise<string[]> {
  await sniffTextFile(path);
  const sampler = new PromptSampler(options.max, options.seed ?? 0);
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') await readJsonlPrompts(path, options.textKey, sampler);
  else if (ext === '.csv' || ext === '.tsv') await readCsvPrompts(path, options.textColumn, sampler);
  else {
    for await (const line of readTextLines(path, { maxChars: MAX_TEXT_CHARS, onLong: 'truncate' })) {
      if (line.text.trim() !== '') sampler.add(line.text);
    }
  }
  const prompts = sampler.finish();
  if (prompts.length === 0) throw new AuraUserError(`${path}: no prompts (every line is blank)`);
  return prompts;
}

async function readJsonlPrompts(path: string, textKey: string | undefined, sampler: PromptSampler): Promise<void> {
  for await (const { value, lineNo } of readJsonValues(path)) {
    // A bare JSON string per line is a prompt too.
    const text = typeof value === 'string' ? value : textKey ? getPath(value, textKey) : defaultPromptText(value);
    if (typeof text !== 'string') {
      const wanted = textKey ? `"${textKey}"` : '"text" or "prompt.text"';
      throw new AuraUserError(`${path}:${lineNo}: no ${wanted} string field (keys found: ${keysOf(value)})`);
    }
    if (text.trim() !== '') sampler.add(text.slice(0, MAX_TEXT_CHARS));
  }
}

function defaultPromptText(value: unknown): unknown {
  const text = getPath(value, 'text');
  return typeof text === 'string' ? text : getPath(value, 'prompt.text');
}

async function readCsvPrompts(path: string, textColumn: string | undefined, sampler: PromptSampler): Promise<void> {
  let column = -1;
  await forEachCsvRecord(path, defaultDelimiter(path), ({ cells, record }) => {
    if (record === 0) {
      const names = cells.map((c) => c.trim());
      const wanted = textColumn ? [textColumn] : ['text', 'prompt', 'comment_text'];
      // The first wanted name present wins, in the order listed.
      column = wanted.map((w) => names.indexOf(w)).find((i) => i !== -1) ?? -1;
      if (column === -1) {
        throw new AuraUserError(`${path}: no prompt column ${wanted.map((w) => `"${w}"`).join(' or ')} (columns found: ${columnList(names)})`);
      }
      return;
    }
    const text = cells[column] ?? '';
    if (text.trim() !== '') sampler.add(text.slice(0, MAX_TEXT_CHARS));
  });
}

/** Reservoir sample that keeps file order, so `max` prompts are the same for the same seed. */
class PromptSampler {
  private readonly kept: { order: number; text: string }[] = [];
  private readonly rng: () => number;
  private seen = 0;

  constructor(
    private readonly max: number | undefined,
    seed: number,
  ) {
    if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
      throw new RangeError(`max prompts must be a positive integer, got ${max}`);
    }
    this.rng = mulberry32(seed);
  }

  add(text: string): void {
    const item = { order: this.seen++, text };
    if (this.max === undefined || this.kept.length < this.max) this.kept.push(item);
    else {
      const j = randomInt(this.rng, this.seen);
      if (j < this.max) this.kept[j] = item;
    }
  }

  finish(): string[] {
    return this.kept.sort((a, b) => a.order - b.order).map((k) => k.text);
  }
}
