// A Workbench over the tiny GPT-2 fixture, for host tests: config from a plain object, a temporary
// cache folder, the demo assets replaced by the fixture model and the demo concept data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { Workbench } from '../../src/host/workbench';
import { MODELS } from './fixtures';
import type { ModelHost } from '../../src/host/model-host/api';

export const TINY = join(MODELS, 'gpt2-tiny');
export const DEMO_CONCEPT = join(__dirname, '..', '..', 'media', 'demo', 'concept.jsonl');

export function tinyWorkbench(host: ModelHost, settings: Record<string, unknown> = {}) {
  const cacheRoot = mkdtempSync(join(tmpdir(), 'aura-wb-'));
  const log = memoryLogger();
  const config = readConfig(objectSource({ 'dataset.maxPerClass': 60, sequenceLength: 24, 'generation.maxNewTokens': 6, 'generation.temperature': 0, ...settings }), true);
  const wb = new Workbench({
    host,
    log,
    cacheRoot,
    config: () => config,
    demo: () => ({ root: '', model: TINY, concept: DEMO_CONCEPT, prompts: '', neutral: '' }),
  });
  return {
    wb,
    log,
    cacheRoot,
    async dispose() {
      await wb.dispose();
      rmSync(cacheRoot, { recursive: true, force: true });
    },
  };
}
