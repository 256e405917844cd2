// A streaming preview crosses to the page as numbered appends between whole snapshots (issue 24 item
// 5): the appends reassemble to the generator's full text (built here independently, token by token),
// and a dropped, reordered or duplicated append is caught by the page, which asks for a resync.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PreviewController } from '../../src/host/preview-controller';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import { PreviewWire } from '../../src/panel/preview-wire';
import { parseHostMessage } from '../../src/shared/protocol';
import { applyAppend } from '../../webview/state/preview-stream';
import type { CallOptions, GainMap, GenerateRequest, GenerationSettings, ModelHost } from '../../src/host/model-host/api';
import type { HostMessage, PreviewSnapshot } from '../../src/shared/protocol';

const TOKENS = 12;
const SETTINGS: GenerationSettings = { maxNewTokens: TOKENS, temperature: 0.7, topK: 0, topP: 0.9, seed: 42 };
const GAINS: GainMap = new Map([['site', new Float32Array([0.5])]]);
// What the fake model writes, token by token: the reference the reassembled text must equal.
const word = (gains: boolean, i: number) => (gains ? ` calm${i}` : ` rude${i}`);
const expected = (gains: boolean) => Array.from({ length: TOKENS }, (_, i) => word(gains, i)).join('');

function fakeHost() {
  return {
    async generate(req: GenerateRequest, call: CallOptions = {}): Promise<string> {
      let text = '';
      for (let i = 0; i < req.settings.maxNewTokens; i++) {
        await new Promise((r) => setImmediate(r));
        call.signal?.throwIfAborted();
        text += word(!!req.gains, i);
        call.onText?.(text);
      }
      return text;
    },
  };
}

/** Runs one preview and returns every message the wire produced, each checked by the protocol's schema. */
async function streamed(): Promise<HostMessage[]> {
  const c = new PreviewController({ host: fakeHost(), gains: () => GAINS, settings: () => SETTINGS });
  const wire = new PreviewWire();
  const out: HostMessage[] = [];
  c.onDidUpdate((p) => {
    for (const m of wire.next(p)) {
      assert.deepEqual(parseHostMessage(structuredClone(m)), m, 'every message passes the protocol');
      out.push(m);
    }
  });
  await c.run('hello').done;
  c.dispose();
  return out;
}

/** The page's reducer (webview/views/app.ts): whole snapshots replace, appends extend or are refused. */
function page(messages: readonly HostMessage[]) {
  let preview: PreviewSnapshot | null = null;
  const refused: string[] = [];
  for (const m of messages) {
    if (m.type === 'didUpdatePreview') {
      if (!preview || m.preview.runId >= preview.runId) preview = m.preview;
    } else if (m.type === 'didAppendPreview') {
      const r = applyAppend(preview, m.append);
      if (r.kind === 'applied') preview = r.preview;
      else refused.push(`${r.kind}@${m.append.seq}`);
    }
  }
  return { preview, refused };
}

test('appends reassemble to the full text of both sides; whole snapshots only at the start and the end', async () => {
  const messages = await streamed();
  const { preview, refused } = page(messages);
  assert.deepEqual(refused, []);
  assert.equal(preview?.intervened, expected(true));
  assert.equal(preview?.original, expected(false));
  assert.equal(preview?.done, true);
  const snapshots = messages.filter((m) => m.type === 'didUpdatePreview');
  const appends = messages.filter((m) => m.type === 'didAppendPreview');
  assert.equal(snapshots.length, 2, 'the empty start and the finished run');
  assert.equal(appends.length, 2 * TOKENS, 'one append per token and side');
  // Each append carries its token only, not the text so far.
  for (const m of appends) if (m.type === 'didAppendPreview') assert.match(m.append.text, /^ (calm|rude)\d+$/);
  // The appends alone carry the whole text: the finished snapshot only marks the run done.
  const { preview: before } = page(messages.slice(0, -1));
  assert.equal(before!.intervened, expected(true));
  assert.equal(before!.original, expected(false));
  assert.equal(before!.done, false);
});

test('a dropped append is detected: the page refuses every later one until a whole snapshot arrives', async () => {
  const messages = (await streamed()).slice(0, -1);
  const at = messages.findIndex((m) => m.type === 'didAppendPreview' && m.append.seq === 4);
  const dropped = [...messages.slice(0, at), ...messages.slice(at + 1)];
  const { preview, refused } = page(dropped);
  assert.equal(refused[0], 'gap@5');
  assert.equal(preview!.intervened, word(true, 0) + word(true, 1) + word(true, 2), 'no text after the hole is spliced in');
});

test('reordered and duplicated appends are detected, and a stale run never touches the current one', async () => {
  const messages = (await streamed()).slice(0, -1);
  const i = messages.findIndex((m) => m.type === 'didAppendPreview' && m.append.seq === 2);
  const swapped = [...messages];
  [swapped[i], swapped[i + 1]] = [swapped[i + 1]!, swapped[i]!];
  assert.equal(page(swapped).refused[0], 'gap@3');
  const dup = [...messages.slice(0, i + 1), messages[i]!, ...messages.slice(i + 1)];
  const d = page(dup);
  assert.deepEqual(d.refused, ['stale@2']);
  assert.equal(d.preview!.intervened + d.preview!.original, page(messages).preview!.intervened + page(messages).preview!.original);
  const current: PreviewSnapshot = { runId: 5, prompt: 'p', original: '', intervened: ' a', done: false, seq: 1 };
  assert.equal(applyAppend(current, { runId: 4, seq: 2, side: 'intervened', text: ' b' }).kind, 'stale');
  assert.equal(applyAppend(current, { runId: 6, seq: 1, side: 'intervened', text: ' b' }).kind, 'gap', 'a run whose start was missed');
  assert.equal(applyAppend({ ...current, done: true }, { runId: 5, seq: 2, side: 'intervened', text: ' b' }).kind, 'gap', 'a finished run takes no more text');
});

test('resyncPreview from the page: the panel answers with the whole snapshot so far, numbered to continue', async () => {
  const log = memoryLogger();
  const config = readConfig(objectSource({ 'generation.maxNewTokens': TOKENS }), true);
  const host = { ...fakeHost(), dispose: async () => undefined } as unknown as ModelHost;
  const wb = new Workbench({ host, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const posted: HostMessage[] = [];
  const noop = () => undefined;
  const c = new PanelController(wb, (m) => posted.push(m), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop }, log);
  const run = wb.preview.run('You');
  while (posted.filter((m) => m.type === 'didAppendPreview').length < 3) await new Promise((r) => setImmediate(r));
  c.receive({ type: 'resyncPreview' });
  const resync = posted.at(-1)!;
  assert.equal(resync.type, 'didUpdatePreview');
  const appended = posted.filter((m) => m.type === 'didAppendPreview');
  if (resync.type === 'didUpdatePreview') {
    assert.equal(resync.preview.seq, appended.length, 'numbered with the last append sent');
    // Without a profile both sides are the model as it is: the plain words, as many as were appended.
    const originals = appended.filter((m) => m.type === 'didAppendPreview' && m.append.side === 'original').length;
    assert.ok(originals > 0);
    assert.equal(resync.preview.original, Array.from({ length: originals }, (_, i) => word(false, i)).join(''));
  }
  // A page that lost everything before the resync still ends with the full text.
  await run.done;
  const { preview, refused } = page(posted.slice(posted.indexOf(resync)));
  assert.deepEqual(refused, []);
  assert.equal(preview?.original, expected(false));
  c.dispose();
  await wb.dispose();
});
