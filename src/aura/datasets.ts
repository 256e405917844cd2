/**
 * Concept data: labelled texts (1 = toxic / the concept, 0 = not) from the files users bring, streamed
 * and sampled so a 300 MB Jigsaw train.csv is never held whole.
 */
import { extname } from 'node:path';
import { AuraUserError, describeValue } from './errors';
import { readCsv } from './datasets/csv';
import type { CsvOptions } from './datasets/csv';
import { readJsonl } from './datasets/jsonl';
import type { JsonlOptions } from './datasets/jsonl';
import { ClassSampler } from './datasets/sampling';
import type { SamplingOptions } from './datasets/sampling';
import { readTextClass } from './datasets/text';
import { sniffTextFile } from './datasets/text-file';
import { MAX_TEXT_CHARS } from './datasets/types';
import type { ConceptData, ExampleSink, LabelledText, LoadStats } from './datasets/types';

export type { ConceptData, Label, LabelledText, LoadStats } from './datasets/types';
export type { SamplingOptions } from './datasets/sampling';
export { MAX_TEXT_CHARS } from './datasets/types';
export { JIGSAW_SUBTYPES } from './datasets/csv';
export { loadPrompts } from './datasets/prompts';
export type { PromptOptions } from './datasets/prompts';

export type ConceptSource =
  /** 'file' picks JSONL by the .jsonl/.ndjson extension, CSV by .csv/.tsv (Jigsaw recognised by its
   *  columns); 'jsonl' and 'csv' force the format. Options of the other format are ignored. */
  | ({ kind: 'file' | 'jsonl' | 'csv'; path: string } & CsvOptions & JsonlOptions)
  /** Plain text, one text per line, one file per class. */
  | { kind: 'text'; positives: string; negatives: string }
  /** Texts picked in the editor or built by code. */
  | { kind: 'memory'; examples: readonly LabelledText[]; name?: string };

export interface LoadOptions extends SamplingOptions {
  /** Stops reading (a 300 MB file takes seconds); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** Loads, checks and samples concept data. Throws AuraUserError naming the file and the problem. */
export async function loadConceptData(source: ConceptSource, options: LoadOptions = {}): Promise<ConceptData> {
  const sampler = new ClassSampler(options);
  const signal = options.signal;
  signal?.throwIfAborted();
  const stats: LoadStats = { readPositives: 0, readNegatives: 0, droppedSubtype: 0, skipped: 0, truncated: 0, inBothClasses: 0 };
  const sink: ExampleSink = {
    add(text, label, truncated) {
      signal?.throwIfAborted();
      if (truncated) stats.truncated++;
      sampler.add(text, label);
    },
    leaveOut(reason) {
      if (reason === 'subtype') stats.droppedSubtype++;
      else stats.skipped++;
    },
  };
  const name = await readSource(source, sink);
  const { positives, negatives } = sampler.counts();
  stats.readPositives = positives;
  stats.readNegatives = negatives;
  checkBothClasses(name, positives, negatives);
  const examples = sampler.finish();
  let pos = 0;
  for (const e of examples) pos += e.label;
  countInBothClasses(examples, stats);
  return { examples, positives: pos, negatives: examples.length - pos, source: name, stats };
}

async function readSource(source: ConceptSource, sink: ExampleSink): Promise<string> {
  switch (source.kind) {
    case 'memory':
      readMemory(source.examples, sink);
      return source.name ?? 'selection';
    case 'text':
      await sniffTextFile(source.positives);
      await sniffTextFile(source.negatives);
      await readTextClass(source.positives, 1, sink);
      await readTextClass(source.negatives, 0, sink);
      return `${source.positives} + ${source.negatives}`;
    case 'jsonl':
    case 'csv':
    case 'file': {
      const format = source.kind === 'file' ? formatOf(source.path) : source.kind;
      await sniffTextFile(source.path);
      if (format === 'jsonl') await readJsonl(source.path, source, sink);
      else await readCsv(source.path, source, sink);
      return source.path;
    }
  }
}

/** The loader for a path, from its extension. */
export function formatOf(path: string): 'jsonl' | 'csv' {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.txt') {
    throw new AuraUserError(`${path}: plain text concept data needs one file per class (toxic and non-toxic texts)`);
  }
  throw new AuraUserError(`${path}: unknown data format "${ext}"; expected .jsonl, .csv or .tsv`);
}

function readMemory(examples: readonly LabelledText[], sink: ExampleSink): void {
  examples.forEach((e, i) => {
    if (typeof e?.text !== 'string') throw new AuraUserError(`examples[${i}].text: expected a string`);
    if (e.label !== 0 && e.label !== 1) {
      throw new AuraUserError(`examples[${i}].label: ${describeValue(e.label)} is not 0 or 1`);
    }
    if (e.text.trim() === '') return sink.leaveOut('skipped');
    const truncated = e.text.length > MAX_TEXT_CHARS;
    sink.add(truncated ? e.text.slice(0, MAX_TEXT_CHARS) : e.text, e.label, truncated);
  });
}

/** Texts labelled both ways in the sample (bit 1: seen as a negative, bit 2: as a positive). */
function countInBothClasses(examples: readonly LabelledText[], stats: LoadStats): void {
  const seen = new Map<string, number>();
  for (const e of examples) seen.set(e.text, (seen.get(e.text) ?? 0) | (e.label ? 2 : 1));
  for (const [text, bits] of seen) {
    if (bits !== 3) continue;
    stats.inBothClasses++;
    stats.bothClassesExample ??= text;
  }
}

function checkBothClasses(name: string, positives: number, negatives: number): void {
  if (positives === 0 && negatives === 0) throw new AuraUserError(`${name}: no examples (no data rows with text)`);
  if (positives === 0 || negatives === 0) {
    const only = positives === 0 ? `non-toxic (${negatives})` : `toxic (${positives})`;
    throw new AuraUserError(`${name}: only ${only} examples; need both toxic (label 1) and non-toxic (label 0)`);
  }
}
