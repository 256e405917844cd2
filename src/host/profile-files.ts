// Files the extension keeps in a profile folder next to what `profileConcept` writes: the examples
// themselves, so the neuron detail can show the texts that drive a neuron.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelledText } from '../aura/datasets';

export const EXAMPLES_FILE = 'examples.jsonl';

/** The examples of a profile folder, in their original order (order.json's exampleIndex points here). */
export function readProfileExamples(dir: string): LabelledText[] {
  return readFileSync(join(dir, EXAMPLES_FILE), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LabelledText);
}
