// A Workbench over the tiny GPT-2 fixture, for host tests: config from a plain object, a temporary
// cache folder, the demo assets replaced by the fixture model and the demo concept data.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
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

/**
 * For a describe block: a tinyWorkbench over `host` with the demo model and profile opened before its
 * tests and disposed after them. Call the returned function inside a test.
 */
export function demoWorkbenchForSuite(host: ModelHost): () => ReturnType<typeof tinyWorkbench> {
  let bench: ReturnType<typeof tinyWorkbench>;
  before(async () => {
    bench = tinyWorkbench(host);
    await bench.wb.useDemo();
  });
  after(() => bench.dispose());
  return () => bench;
}
