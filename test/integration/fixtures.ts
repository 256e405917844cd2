// The workspace the integration suite opens: a labelled JSONL file (a slice of the demo concept data,
// so that its profile differs from the cached demo profile), a text file to select prompts in, and
// folders that are not models.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './bundle-suite';

export const FIXTURE = {
  concept: 'data/concept-slice.jsonl',
  notes: 'notes.txt',
  notesText: 'The weather was awful, and he said\nYea, it hurts like\n',
  emptyFolder: 'bad-models/empty/.keep',
  garbageModel: 'bad-models/garbage/model.onnx',
} as const;

/** Every 5th line of the demo concept file: about 870 examples, both labels. */
export function fixtureFiles(): Record<string, string> {
  const lines = readFileSync(join(ROOT, 'media', 'demo', 'concept.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  return {
    [FIXTURE.concept]: lines.filter((_, i) => i % 5 === 0).join('\n') + '\n',
    [FIXTURE.notes]: FIXTURE.notesText,
    [FIXTURE.emptyFolder]: '',
    [FIXTURE.garbageModel]: 'this is not an ONNX protobuf\n',
  };
}

export function writeFixtures(workspace: string): void {
  for (const [name, text] of Object.entries(fixtureFiles())) {
    mkdirSync(dirname(join(workspace, name)), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
}
