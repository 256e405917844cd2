// Several samples per preview, each scored by the evaluation's scorer, with the mean per side (issue 11,
// item 9): the next seeds after the main run's, the same seed on both sides, and a newer run aborts them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { previewSamples } from '../../src/host/preview-samples';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import type { GenerateRequest, ModelHost } from '../../src/host/model-host/api';
import type { HostMessage } from '../../src/shared/protocol';

/** A fake model: the continuation names its seed and whether gains were applied. */
function fakeHost(calls: GenerateRequest[] = []) {
  return {
    calls,
    async generate(req: GenerateRequest, call?: { signal?: AbortSignal }) {
      calls.push(req);
      await new Promise((r) => setImmediate(r));
      call?.signal?.throwIfAborted();
      return ` seed${req.settings.seed}${req.gains ? ' kind' : ' idiot'}`;
    },
  };
}
/** A fake scorer: 1 for a text with "idiot", 0 otherwise; records what it was asked. */
const scorer = (seen: string[][] = []) => ({ name: 'fake', seen, async score(texts: string[]) { seen.push(texts); return texts.map((t) => (t.includes('idiot') ? 1 : 0)); } });
const settings = { maxNewTokens: 5, temperature: 1, topK: 0, topP: 1, seed: 10 };

test('samples 2..4 use the next seeds on both sides; every text is scored; means per side', async () => {
  const host = fakeHost();
  const seen: string[][] = [];
  const gains = new Map([['s', new Float32Array([0.5])]]);
  const main = { runId: 1, prompt: 'You', original: ' seed10 idiot', intervened: ' seed10 kind', done: true };
  const r = await previewSamples(main, { host, scorer: async () => scorer(seen), settings: () => settings, gains: () => gains }, new AbortController().signal);
  assert.deepEqual(host.calls.map((c) => [c.settings.seed, !!c.gains]), [[11, false], [11, true], [12, false], [12, true], [13, false], [13, true]]);
  assert.equal(r.samples.length, 4);
  assert.deepEqual(r.samples[0], { original: ' seed10 idiot', intervened: ' seed10 kind', originalScore: 1, intervenedScore: 0 });
  assert.deepEqual(r.samples[3], { original: ' seed13 idiot', intervened: ' seed13 kind', originalScore: 1, intervenedScore: 0 });
  assert.deepEqual(r.mean, { original: 1, intervened: 0 });
  assert.equal(r.scorer, 'fake');
  assert.equal(seen[0]!.length, 8);
});

test('an aborted sampling stops with the abort, not with results', async () => {
  const controller = new AbortController();
  const main = { runId: 1, prompt: 'You', original: 'a', intervened: 'b', done: true };
  const pending = previewSamples(main, { host: fakeHost(), scorer: async () => scorer(), settings: () => settings, gains: () => undefined }, controller.signal);
  controller.abort();
  await assert.rejects(pending);
});

test('the panel sends the finished run first, then the same run with its scored samples', async () => {
  const log = memoryLogger();
  const config = readConfig(objectSource({}), true);
  const host = { ...fakeHost(), dispose: async () => undefined } as unknown as ModelHost;
  const wb = new Workbench({ host, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const posted: HostMessage[] = [];
  const noop = () => undefined;
  const c = new PanelController(wb, (m) => posted.push(m), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop }, log, undefined, { scorer: async () => scorer() });
  await wb.preview.run('You').done;
  for (let i = 0; i < 50 && !posted.some((m) => m.type === 'didUpdatePreview' && m.preview.samples); i++) await new Promise((r) => setTimeout(r, 5));
  const previews = posted.filter((m) => m.type === 'didUpdatePreview').map((m) => (m.type === 'didUpdatePreview' ? m.preview : undefined)!);
  const done = previews.findIndex((p) => p.done);
  const sampled = previews.findIndex((p) => p.samples);
  assert.ok(done >= 0 && sampled > done, 'samples follow the finished run');
  assert.equal(previews[sampled]!.samples!.length, 4);
  assert.equal(previews[sampled]!.runId, previews[done]!.runId);
  // Without a profile there are no gains: both sides are the model as it is, and score alike.
  assert.deepEqual(previews[sampled]!.mean, { original: 1, intervened: 1 });
  // A reloaded page gets the sampled snapshot.
  posted.length = 0;
  c.receive({ type: 'ready' });
  const again = posted.find((m) => m.type === 'didUpdatePreview');
  assert.ok(again && again.type === 'didUpdatePreview' && again.preview.samples?.length === 4);
  c.dispose();
  await wb.dispose();
});
