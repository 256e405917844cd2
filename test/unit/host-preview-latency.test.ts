// Slider to first new intervened token, on the demo model, through the same path the panel takes:
// a `setIntervention` message into the PanelController, the intervention refitted, the preview in
// flight cancelled and a new one started in the model process, until the first message of the new
// run that carries intervened text (a didAppendPreview, or a whole snapshot). The goal (issue 11 item 17) is at most 100 ms by the
// median; that depends on the machine's load, so it is held in the budgets lane (bench/budgets.ts,
// "preview latency") and only printed here. The unit test asserts what keeps it short: each move
// costs one intervened generation (the original is reused, not generated again) and a new run
// starts only once the one in flight is cancelled, so generations never pile up in the process.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { demoAssets } from '../../src/aura/demo-assets';
import { objectSource, readConfig } from '../../src/host/config';
import { LagMonitor } from '../../src/host/lag-monitor';
import { memoryLogger } from '../../src/host/logger';
import { ProcessModelHost } from '../../src/host/model-host/process-host';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import type { HostMessage } from '../../src/shared/protocol';

const MOVES = 9;

test('slider to first new intervened token on the demo model', async (t) => {
  const cacheRoot = mkdtempSync(join(tmpdir(), 'aura-latency-'));
  const config = readConfig(objectSource({ 'dataset.maxPerClass': 60, sequenceLength: 32, 'generation.maxNewTokens': 20 }), true);
  const log = memoryLogger();
  const demo = demoAssets(join(__dirname, '..', '..'));
  const host = new ProcessModelHost();
  const generate = host.generate.bind(host);
  const calls = { plain: 0, intervened: 0, inFlight: 0, maxInFlight: 0 };
  host.generate = (req, opts) => {
    calls[req.gains ? 'intervened' : 'plain']++;
    calls.maxInFlight = Math.max(calls.maxInFlight, ++calls.inFlight);
    const settle = () => void calls.inFlight--;
    const p = generate(req, opts);
    p.then(settle, settle);
    return p;
  };
  const wb = new Workbench({ host, log, cacheRoot, config: () => config, demo: () => demo });
  const posted: { at: number; m: HostMessage }[] = [];
  const noop = () => undefined;
  const panel = new PanelController(wb, (m) => posted.push({ at: performance.now(), m }), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop }, log);
  try {
    await wb.useDemo();
    assert.ok(wb.model?.isDemo);
    panel.receive({ type: 'runPreview', prompt: 'You are such a' });
    await until(() => wb.preview.snapshot?.done === true);
    assert.deepEqual({ plain: calls.plain, intervened: calls.intervened }, { plain: 1, intervened: 1 }, 'the first preview: the original and the intervened text');

    const ms: number[] = [];
    const lag = new LagMonitor().start();
    for (let i = 0; i < MOVES; i++) {
      const before = wb.preview.snapshot!.runId;
      const start = performance.now();
      panel.receive({ type: 'setIntervention', settings: { method: 'aura', strength: 1 - (i + 1) / (MOVES + 1), k: null, alpha: null } });
      const first = await until(() => posted.find((p) => p.at >= start && carriesIntervened(p.m, before)));
      ms.push(first.at - start);
      if (process.env.DEBUG_LAT) console.log(i, (first.at - start).toFixed(1), JSON.stringify(first.m).slice(0, 300));
      // The next move lands while this preview is still streaming, as a dragged slider does.
    }
    const report = await lag.stop();
    await until(() => wb.preview.snapshot?.done === true);
    ms.sort((a, b) => a - b);
    const median = ms[Math.floor(ms.length / 2)]!;
    t.diagnostic(`slider -> first new intervened token: min ${ms[0]!.toFixed(1)} ms, median ${median.toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms over ${MOVES} moves (budget 100 ms, held in bench/budgets.ts)`);
    t.diagnostic(`extension host event-loop delay meanwhile: max ${report.maxMs} ms, p99 ${report.p99Ms} ms`);
    assert.equal(calls.plain, 1, 'the original continuation was generated once and reused for every move');
    assert.equal(calls.intervened, 1 + MOVES, 'one intervened generation per move');
    assert.equal(calls.maxInFlight, 1, 'a new generation started only after the one in flight was cancelled or done');

    // The neuron detail of the strongest expert, computed in the model process (goal: under a second).
    const e = wb.experts!;
    const site = e.sites[e.site[0]!]!.id;
    let started = performance.now();
    const detail = await wb.neuronDetail(site, e.neuron[0]!);
    const firstMs = performance.now() - started;
    started = performance.now();
    await wb.neuronDetail(site, e.neuron[1]!);
    const nextMs = performance.now() - started;
    assert.equal(detail.topExamples.length, 5);
    assert.ok(detail.topExamples.every((x) => x.tokens.length > 0));
    t.diagnostic(`neuron detail on the demo model: ${firstMs.toFixed(0)} ms (first of a site), ${nextMs.toFixed(0)} ms (next neuron)`);
  } finally {
    panel.dispose();
    await wb.dispose();
    rmSync(cacheRoot, { recursive: true, force: true });
  }
});

async function until<T>(f: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** A message of a run after `before` with intervened text in it. */
function carriesIntervened(m: HostMessage, before: number): boolean {
  if (m.type === 'didAppendPreview') return m.append.runId > before && m.append.side === 'intervened';
  return m.type === 'didUpdatePreview' && m.preview.runId > before && m.preview.intervened !== '';
}
