// Previews: both continuations with the same settings (seed), the intervention only on one side and first,
// a new run cancels the one in flight, and intervention changes re-run at once (no debounce).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PreviewController } from '../../src/host/preview-controller';
import type { CallOptions, GainMap, GenerateRequest, GenerationSettings } from '../../src/host/model-host/api';
import type { PreviewSnapshot } from '../../src/shared/protocol';

const SETTINGS: GenerationSettings = { maxNewTokens: 4, temperature: 0.7, topK: 0, topP: 0.9, seed: 42 };
const GAINS: GainMap = new Map([['site', new Float32Array([0.5])]]);

/** A generator that streams one word every few ms and stops when its signal aborts. */
function fakeHost(delayMs = 5) {
  const calls: { req: GenerateRequest; aborted: () => boolean }[] = [];
  return {
    calls,
    async generate(req: GenerateRequest, call: CallOptions = {}): Promise<string> {
      calls.push({ req, aborted: () => !!call.signal?.aborted });
      let text = '';
      for (let i = 0; i < req.settings.maxNewTokens; i++) {
        await new Promise((r) => setTimeout(r, delayMs));
        call.signal?.throwIfAborted();
        text += req.gains ? ' calm' : ' rude';
        call.onText?.(text);
      }
      return text;
    },
  };
}

function controller(host = fakeHost()) {
  const c = new PreviewController({ host, gains: () => GAINS, settings: () => SETTINGS });
  const seen: PreviewSnapshot[] = [];
  c.onDidUpdate((s) => seen.push(s));
  return { c, host, seen };
}

test('a run streams the intervened then the original text, same settings, gains on one side only', async () => {
  const { c, host, seen } = controller();
  const last = await c.run('hello').done;
  assert.equal(last.original, ' rude rude rude rude');
  assert.equal(last.intervened, ' calm calm calm calm');
  assert.equal(last.done, true);
  assert.deepEqual(host.calls.map((x) => x.req.settings), [SETTINGS, SETTINGS]);
  // The first request the model process receives is the intervened one (issue 24 item 3).
  assert.deepEqual(host.calls.map((x) => !!x.req.gains), [true, false]);
  const firstIntervened = seen.findIndex((s) => s.intervened !== '');
  const firstOriginal = seen.findIndex((s) => s.original !== '');
  assert.ok(firstIntervened >= 0 && firstIntervened < firstOriginal, 'the intervened text is published before any original text');
  assert.ok(seen.length > 4, 'snapshots while streaming');
  assert.ok(seen.every((s) => s.runId === 1));
  c.dispose();
});

test('a new run cancels the stale one, whose updates are never published', async () => {
  const { c, host, seen } = controller();
  const first = c.run('first');
  await new Promise((r) => setTimeout(r, 8));
  const second = c.run('second');
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(a.error, 'cancelled');
  assert.ok(host.calls[0]!.aborted(), 'the first generation saw its signal abort');
  assert.equal(b.done, true);
  assert.equal(b.error, undefined);
  const afterSecond = seen.slice(seen.findIndex((s) => s.runId === 2));
  assert.ok(afterSecond.every((s) => s.runId === 2), 'no update of run 1 after run 2 started');
  assert.equal(c.snapshot?.runId, 2);
  c.dispose();
});

test('intervention changes re-run the last prompt at once, a burst once, reusing the original', async () => {
  const { c, host } = controller(fakeHost(1));
  await c.run('hello').done;
  host.calls.length = 0;
  c.scheduleRerun();
  c.scheduleRerun();
  c.scheduleRerun();
  await new Promise((r) => setImmediate(r));
  assert.equal(host.calls.length, 1, 'one run for the burst, started on the next turn, and only the intervened side: the original is reused');
  assert.ok(host.calls[0]!.req.gains);
  assert.equal(c.snapshot?.runId, 2);
  c.dispose();
});

test('a change of the intervention stops the run in flight before the new one starts', async () => {
  const { c, host } = controller(fakeHost(20));
  await c.run('hello').done;
  const stale = c.run('hello');
  await new Promise((r) => setTimeout(r, 5));
  c.scheduleRerun();
  assert.ok(host.calls.at(-1)!.aborted(), 'aborted synchronously, not after a delay');
  assert.equal((await stale.done).error, 'cancelled');
  await new Promise((r) => setImmediate(r));
  assert.equal(c.snapshot?.runId, 3);
  c.dispose();
});

test('cancel stops the run in flight and marks it', async () => {
  const { c } = controller(fakeHost(20));
  const run = c.run('hello');
  c.cancel();
  assert.equal((await run.done).error, 'cancelled');
  assert.equal(c.snapshot?.error, 'cancelled');
  c.dispose();
});
