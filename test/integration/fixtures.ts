// The workspace the integration suite opens: a labelled JSONL file (a slice of the demo concept data,
// so that its profile differs from the cached demo profile), a text file to select prompts in, and
// folders that are not models.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './bundle-suite';
import { FIXTURE } from './fixture-names';

export { FIXTURE };

const demoLines = (name: string) => readFileSync(join(ROOT, 'media', 'demo', name), 'utf8').split('\n').filter((l) => l.trim());

/** Every 5th line of the demo concept file (about 870 examples, both labels), 3 demo prompts, a text file, and two folders that are not models. */
export function fixtureFiles(): Record<string, string> {
  return {
    [FIXTURE.concept]: demoLines('concept.jsonl').filter((_, i) => i % 5 === 0).join('\n') + '\n',
    [FIXTURE.prompts]: demoLines('prompts.jsonl').slice(0, 3).join('\n') + '\n',
    [FIXTURE.notes]: FIXTURE.notesText,
    [`${FIXTURE.emptyFolder}/README.txt`]: 'a folder without a model\n',
    [`${FIXTURE.garbageFolder}/model.onnx`]: 'this is not an ONNX protobuf\n',
    [`${FIXTURE.garbageFolder}/tokenizer.json`]: '{}\n',
    [`${FIXTURE.exports}/.keep`]: '',
  };
}

export function writeFixtures(workspace: string): void {
  for (const [name, text] of Object.entries(fixtureFiles())) {
    mkdirSync(dirname(join(workspace, name)), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
}
