// The model runs in a child process (ProcessModelHost): jobs run there and stream back; a cancelled
// job stops without losing the process; a crash (kill -9) fails the job in flight with a clear
// message, is reported once, and the next job starts a fresh process that loads the model again.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LanguageModel } from '../../src/engine/model';
import { ModelWork } from '../../src/host/model-host/model-work';
import { ProcessModelHost } from '../../src/host/model-host/process-host';
import type { CrashReport } from '../../src/host/model-host/process-host';
import type { GenerationSettings } from '../../src/host/model-host/api';

const DEMO = join(__dirname, '..', '..', 'media', 'demo', 'model');
const greedy = (maxNewTokens: number): GenerationSettings => ({ maxNewTokens, temperature: 0, topK: 0, topP: 1, seed: 1 });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const crashes: CrashReport[] = [];
const host = new ProcessModelHost(undefined, (r) => crashes.push(r));
after(() => host.dispose());

test('a job runs in a separate process and gives what the same work gives in process', async () => {
  const info = await host.open({ path: DEMO });
  assert.ok(host.pid && host.pid !== process.pid, 'the model lives in another process');
  assert.equal(info.layers, 6);
  const texts: string[] = [];
  const text = await host.generate({ prompt: 'You are a', settings: greedy(8) }, { onText: (t) => texts.push(t) });
  assert.ok(texts.length >= 1 && texts.at(-1) === text, 'the text streams back token by token');
  const local = new ModelWork();
  try {
    await local.open({ path: DEMO });
    assert.equal(text, await local.generate({ prompt: 'You are a', settings: greedy(8) }));
  } finally {
    await local.dispose();
  }
  const gains = new Map(info.sites.map((s) => [s.id, new Float32Array(s.neurons).fill(0.5)]));
  const [acts] = await host.activations({ texts: ['hello there'], sites: [info.sites[0]!.id], gains });
  assert.ok(acts!.values.get(info.sites[0]!.id) instanceof Float32Array, 'typed arrays cross as they are');
});

test('a cancelled job stops at once and the process (and its model) stays', async () => {
  const pid = host.pid;
  const controller = new AbortController();
  // "At once" without a clock: the caller's promise settles from the abort itself, before the event
  // loop turns again (no answer from the process is awaited), and no token arrives after the abort.
  let textsAfterAbort = 0;
  let loopTurned = false;
  const run = host.generate({ prompt: 'You are a', settings: greedy(200) }, {
    signal: controller.signal,
    onText: () => {
      if (controller.signal.aborted) {
        textsAfterAbort++;
        return;
      }
      setImmediate(() => (loopTurned = true));
      controller.abort();
    },
  });
  await assert.rejects(run, { name: 'AbortError' });
  assert.equal(loopTurned, false, 'the cancellation was heard before the event loop turned (no round trip to the process)');
  assert.equal(await host.generate({ prompt: 'You are a', settings: greedy(3) }).then((t) => typeof t), 'string');
  assert.equal(textsAfterAbort, 0, 'no text reached the caller after the cancellation');
  assert.equal(host.pid, pid, 'no new process');
});

test('a request that breaks the schema is refused by the process with the reason, and nothing else is lost', async () => {
  await assert.rejects(host.generate({ prompt: 42 as unknown as string, settings: greedy(3) }), /invalid generate request \(prompt: /);
  await assert.rejects(host.generate({ prompt: 'x', settings: { ...greedy(3), maxNewTokens: -1 } }), /invalid generate request \(settings\.maxNewTokens: /);
  assert.equal(typeof (await host.generate({ prompt: 'You are a', settings: greedy(2) })), 'string');
});

test('a crash fails the job in flight, is reported once, and the next job starts a new process with the model', async () => {
  const pid = host.pid!;
  let killed = false;
  const run = host.generate({ prompt: 'You are a', settings: greedy(200) }, {
    onText: () => {
      if (!killed) {
        killed = true;
        process.kill(pid, 'SIGKILL');
      }
    },
  });
  await assert.rejects(run, /model process was stopped by SIGKILL .*next one starts a new process/);
  assert.equal(crashes.length, 1);
  assert.equal(crashes[0]!.signal, 'SIGKILL');
  assert.equal(host.pid, undefined);
  const stages: string[] = [];
  const text = await host.generate({ prompt: 'You are a', settings: greedy(8) }, { onProgress: (p) => stages.push(p.stage) });
  assert.ok(host.pid && host.pid !== pid, 'a new process');
  assert.ok(stages.some((s) => /Loading the model again/.test(s)), 'the reload is shown as progress');
  const again = await host.generate({ prompt: 'You are a', settings: greedy(8) });
  assert.equal(text, again, 'the reopened model gives the same greedy text');
  assert.equal(crashes.length, 1, 'a restart is not a crash');
});

test('dispose ends the process without a crash report', async () => {
  const pid = host.pid!;
  await host.dispose();
  assert.equal(alive(pid), false);
  assert.equal(crashes.length, 1);
  await assert.rejects(host.generate({ prompt: 'x', settings: greedy(1) }), /disposed/);
});

test('a model is ready only once its weights are loaded, with progress on the way', async () => {
  const passes = ['extract', 'logits', 'step', 'stepAndPool'] as const;
  const originals = passes.map((name) => LanguageModel.prototype[name]);
  const kinds: string[] = [];
  for (const name of passes) {
    const original = LanguageModel.prototype[name] as (this: LanguageModel, req: unknown) => Promise<unknown>;
    (LanguageModel.prototype as unknown as Record<string, unknown>)[name] = function (this: LanguageModel, req: unknown) {
      kinds.push(name);
      return original.call(this, req);
    };
  }
  const work = new ModelWork();
  try {
    const stages: string[] = [];
    await work.open({ path: DEMO }, { onProgress: (p) => stages.push(`${p.stage} ${p.done}/${p.total}`) });
    assert.deepEqual(stages, ['Reading the model 0/2', 'Loading the weights 1/2', 'Ready 2/2']);
    assert.deepEqual(kinds, ['step'], 'the generation session was created (weights read) before open resolved');
  } finally {
    passes.forEach((name, i) => ((LanguageModel.prototype as unknown as Record<string, unknown>)[name] = originals[i]));
    await work.dispose();
  }
});

test('after a crash, a model that no longer loads is reported once, then forgotten', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aura-moved-'));
  const copy = join(dir, 'model');
  cpSync(DEMO, copy, { recursive: true });
  const reports: CrashReport[] = [];
  const h = new ProcessModelHost(undefined, (r) => reports.push(r));
  try {
    await h.open({ path: copy });
    const pid = h.pid!;
    process.kill(pid, 'SIGKILL');
    while (h.pid !== undefined) await new Promise((r) => setTimeout(r, 5));
    assert.equal(reports.length, 1);
    rmSync(dir, { recursive: true, force: true });
    await assert.rejects(h.generate({ prompt: 'x', settings: greedy(1) }), /could not be loaded again after the model process stopped/);
    await assert.rejects(h.generate({ prompt: 'x', settings: greedy(1) }), /no model is open/);
  } finally {
    await h.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
