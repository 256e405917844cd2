// The embedded default: a small GPT-2 trained by scripts/demo-model with its concept data, prompts and
// neutral text, shipped in media/demo so a new user sees the whole loop before bringing a model.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AuraUserError } from './errors';

export interface DemoAssets {
  root: string;
  model: string;
  concept: string;
  prompts: string;
  neutral: string;
}

/**
 * Finds media/demo above this module: dist/cli.js and the extension bundle sit one level below the
 * package root, and the TypeScript sources (tests) two or three.
 */
export function demoAssets(start = __dirname): DemoAssets {
  let dir = start;
  for (let i = 0; i < 5; i++) {
    const root = join(dir, 'media', 'demo');
    if (existsSync(join(root, 'model', 'config.json'))) {
      return { root, model: join(root, 'model'), concept: join(root, 'concept.jsonl'), prompts: join(root, 'prompts.jsonl'), neutral: join(root, 'neutral.jsonl') };
    }
    dir = dirname(dir);
  }
  throw new AuraUserError(`the embedded demo model was not found in media/demo above ${start} (reinstall aura-lens, or rebuild it with scripts/demo-model)`);
}
