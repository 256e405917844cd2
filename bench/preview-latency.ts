// Preview latency on a model folder, through the panel's own path (PanelController -> Workbench ->
// model process): Test Prompt's first intervened token (a fresh prompt, so nothing is cached), and a
// slider move's first new intervened token while the previous preview still streams. Times are on the
// extension host's clock, from the message into the panel to the first message out carrying
// intervened text. Goals at 2.35 GiB (issue 24 item 3): first intervened token <= 1 s, slider <= 250 ms.
//
//   node --import tsx bench/preview-latency.ts <model folder> [--prompts 3] [--moves 5] [--tokens 40] [--per-class 16] [--json out.json]
//
// The profile the gains come from is the demo concept data (--per-class texts a class), profiled first.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostMessage } from '../src/shared/protocol';
import { arg, die, machine } from './common';
import { timedPanel } from './panel-rig';

const PROMPTS = ['You are such a', 'The neighbours said that', 'I think the new manager is', 'Honestly, this whole thing is', 'When they finally arrived, we'];

/** The first message of a run after `before` that carries intervened text. */
function carriesIntervened(m: HostMessage, before: number): boolean {
  if (m.type === 'didAppendPreview') return m.append.runId > before && m.append.side === 'intervened';
  return m.type === 'didUpdatePreview' && m.preview.runId > before && m.preview.intervened !== '';
}

async function until<T>(f: () => T | undefined, timeoutMs = 600_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { min: Math.round(s[0]!), median: Math.round(s[Math.floor(s.length / 2)]!), max: Math.round(s.at(-1)!), runs: s.length };
};

export async function previewLatency(dir: string, o: { prompts: number; moves: number; tokens: number; perClass: number }) {
  const cacheRoot = mkdtempSync(join(tmpdir(), 'aura-preview-latency-'));
  const { wb, panel, posted, demo } = timedPanel({ 'dataset.maxPerClass': o.perClass, sequenceLength: 32, 'generation.maxNewTokens': o.tokens }, cacheRoot);
  try {
    let t = performance.now();
    await wb.openModel(dir, false);
    const openS = (performance.now() - t) / 1000;
    t = performance.now();
    await wb.profileConcept({ kind: 'file', path: demo.concept });
    await wb.intervention.ready();
    const profileS = (performance.now() - t) / 1000;

    // Test Prompt: a new prompt each time (its original continuation is not cached).
    const first: number[] = [];
    const whole: number[] = [];
    for (let i = 0; i < o.prompts; i++) {
      const before = wb.preview.snapshot?.runId ?? 0;
      const start = performance.now();
      panel.receive({ type: 'runPreview', prompt: PROMPTS[i % PROMPTS.length]! });
      const hit = await until(() => posted.find((p) => p.at >= start && carriesIntervened(p.m, before)));
      first.push(hit.at - start);
      await until(() => wb.preview.snapshot?.done === true);
      whole.push(performance.now() - start);
    }

    // The slider: each move lands while the previous preview streams, as a dragged slider does.
    const slider: number[] = [];
    for (let i = 0; i < o.moves; i++) {
      const before = wb.preview.snapshot!.runId;
      const start = performance.now();
      panel.receive({ type: 'setIntervention', settings: { method: 'aura', strength: 1 - (i + 1) / (o.moves + 1), k: null, alpha: null } });
      const hit = await until(() => posted.find((p) => p.at >= start && carriesIntervened(p.m, before)));
      slider.push(hit.at - start);
      await new Promise((r) => setTimeout(r, 100));
    }
    await until(() => wb.preview.snapshot?.done === true);
    const bytes = (type: HostMessage['type']) => posted.filter((p) => p.m.type === type).length;
    return {
      model: dir,
      tokens: o.tokens,
      openSeconds: +openS.toFixed(1),
      profileSeconds: +profileS.toFixed(1),
      testPromptFirstIntervenedMs: stats(first),
      testPromptWholeRunMs: stats(whole),
      sliderFirstNewTokenMs: stats(slider),
      previewMessages: { snapshots: bytes('didUpdatePreview'), appends: bytes('didAppendPreview') },
      machine: machine(),
    };
  } finally {
    panel.dispose();
    await wb.dispose();
    rmSync(cacheRoot, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--') || !existsSync(join(dir, 'model.onnx'))) die(`usage: bench/preview-latency.ts <model folder with model.onnx> [--prompts 3] [--moves 5] [--tokens 40] [--per-class 16] [--json out.json] (got "${dir ?? ''}")`);
  previewLatency(dir, { prompts: arg('prompts', 3), moves: arg('moves', 5), tokens: arg('tokens', 40), perClass: arg('per-class', 16) }).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
      const out = arg('json', '');
      if (out) writeFileSync(out, JSON.stringify(r, null, 2) + '\n');
    },
    (e) => die(e instanceof Error ? e.message : String(e)),
  );
}
