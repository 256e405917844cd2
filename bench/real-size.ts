// The extension's steps at real size (issue 24): a GPT-2-shaped model with external data (32 layers,
// d=1280, built on demand by scripts/bench-memory/make_gpt2_shaped.py, never committed), driven through
// the workbench and the real model process (ProcessModelHost) as the panel drives them: open, profile of
// 64 texts, neuron detail x3 (the profile's part, the model's part, a reopen), folded ONNX export, Test
// Prompt From Selection's first intervened token, the slider's first new token. The resident set of
// each process is sampled every second; each step's peak is the model process's VmHWM, reset before the
// step (/proc/PID/clear_refs). Writes bench/results-real-size.md, the samples to
// bench/results-real-size.samples.jsonl and the realSize section of bench/results.json. Benchmark lane only (needs ~3 GB of disk and ~8 GB of memory); not part of npm test.
//   node --import tsx bench/real-size.ts [--model DIR] [--threads N] [--texts 64] [--cache DIR]
// --cache keeps the profile between runs (a later run then reuses it; its row says so).
//   AURA_REAL_SIZE_MODEL=DIR overrides the default folder (.cache/real-size/gpt2-32x1280).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { objectSource, readConfig } from '../src/host/config';
import { memoryLogger } from '../src/host/logger';
import { ProcessModelHost } from '../src/host/model-host/process-host';
import { Workbench } from '../src/host/workbench';
import { PYTHON, ROOT, arg, fmt, machine, record, threadsArg } from './common';

const MODEL = arg('model', process.env.AURA_REAL_SIZE_MODEL ?? join(ROOT, '.cache', 'real-size', 'gpt2-32x1280'));
const TEXTS = arg('texts', 64);
const threads = threadsArg();
const CONCEPT = join(ROOT, 'media', 'demo', 'concept.jsonl');
const PROMPT = 'The people in this thread are';
const GiB = 2 ** 30;

/** The model folder, built once (under a lock, so parallel runs build it once between them). */
function ensureModel(dir: string): void {
  if (existsSync(join(dir, 'model.onnx'))) return;
  console.log(`building the 32 x 1280 model in ${dir} (a few minutes, ~3 GB)…`);
  const script = join(ROOT, 'scripts', 'bench-memory', 'make_gpt2_shaped.py');
  const r = spawnSync('flock', [`${dir}.lock`, 'bash', '-c', `[ -f "$1/model.onnx" ] || "${PYTHON}" "${script}" "$1" --layers 32 --d 1280 --layout single`, 'build', dir], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(dir, 'model.onnx'))) throw new Error(`${dir}: building the model failed (status ${r.status}); see the output above`);
}

const weightBytes = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('model.onnx')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

interface Mem {
  rss: number;
  anon: number;
  file: number;
  hwm: number;
}

function memOf(pid: number | undefined): Mem | undefined {
  if (pid === undefined) return undefined;
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(/\d+/.exec(st.split('\n').find((l) => l.startsWith(`${k}:`)) ?? '0')![0]) * 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Resets the process's peak resident set (VmHWM) to its current one (Linux 4.0+). */
function resetPeak(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not ours or not Linux: the step's peak then counts from the process's start.
  }
}

interface Row {
  step: string;
  seconds: number | undefined;
  goal: string;
  met: boolean | undefined;
  /** Model process: peak during the step and resident set after it, in multiples of the weights. */
  peak: number | undefined;
  after: number | undefined;
  note?: string;
}

async function main(): Promise<void> {
  ensureModel(MODEL);
  const weights = weightBytes(MODEL);
  const keep = arg('cache', '');
  const cacheRoot = keep || mkdtempSync(join(tmpdir(), 'aura-real-size-'));
  const host = new ProcessModelHost();
  const config = readConfig(objectSource({ 'dataset.maxPerClass': TEXTS / 2, sequenceLength: 128, 'generation.maxNewTokens': 16, 'generation.temperature': 0, threads }), true);
  const wb = new Workbench({ host, log: memoryLogger(), cacheRoot, config: () => config, demo: () => ({ root: '', model: MODEL, concept: CONCEPT, prompts: '', neutral: '' }) });
  const samples: { t: number; step: string; process: string; rss: number; anon: number; file: number }[] = [];
  const t0 = performance.now();
  let current = 'start';
  const sampler = setInterval(() => {
    const t = Math.round(performance.now() - t0);
    for (const [name, pid] of [['extension host (this script)', process.pid], ['model process', host.pid]] as const) {
      const m = memOf(pid);
      if (m) samples.push({ t, step: current, process: name, rss: m.rss, anon: m.anon, file: m.file });
    }
  }, 1000);
  const rows: Row[] = [];
  const ratio = (b: number | undefined) => (b === undefined ? undefined : b / weights);
  async function step<T>(name: string, goal: string, within: number | undefined, fn: () => Promise<T>, settle = 0): Promise<T> {
    current = name;
    resetPeak(host.pid);
    const t = performance.now();
    const value = await fn();
    const seconds = (performance.now() - t) / 1000;
    const peak = memOf(host.pid)?.hwm;
    if (settle) await new Promise((r) => setTimeout(r, settle));
    const after = memOf(host.pid)?.rss;
    rows.push({ step: name, seconds, goal, met: within === undefined ? undefined : seconds <= within, peak: ratio(peak), after: ratio(after) });
    console.log(`${name}: ${fmt(seconds)} s, model process peak ${fmt(ratio(peak) ?? NaN)}x, after ${fmt(ratio(after) ?? NaN)}x the weights`);
    return value;
  }

  try {
    await step('open', '— (issue: 3.9–9.8 s)', undefined, () => wb.openModel(MODEL, false));
    const profiled = await step(`profile of ${TEXTS} texts`, '— (issue: 20.8–27.5 s)', undefined, () => wb.profileConcept({ kind: 'file', path: CONCEPT }));
    if (profiled.reused) rows[rows.length - 1]!.note = 'reused from --cache (not profiled again)';
    rows.push({ step: "panel's first row", seconds: undefined, goal: '— (issue: 1.3–1.8 s)', met: undefined, peak: undefined, after: undefined, note: "needs code-server and the page's clock: not measured by this script" });
    const e = wb.experts!;
    const beforeDetails = memOf(host.pid)?.rss;
    const pick = (row: number) => ({ site: e.sites[e.site[row]!]!.id, neuron: e.neuron[row]! });
    const a = pick(0);
    const b = pick(1);
    await step("neuron detail 1: the profile's part", '< 1 s', 1, () => wb.neuronDetail(a.site, a.neuron, undefined, 'profile'));
    await step('neuron detail 1: examples and tokens', '< 2 s', 2, () => wb.neuronDetail(a.site, a.neuron));
    await step("neuron detail 2: the profile's part", '< 1 s', 1, () => wb.neuronDetail(b.site, b.neuron, undefined, 'profile'));
    await step('neuron detail 2: examples and tokens', '< 2 s', 2, () => wb.neuronDetail(b.site, b.neuron));
    await step('neuron detail 1 reopened (whole)', '< 1 s', 1, () => wb.neuronDetail(a.site, a.neuron), 1000);
    const afterDetails = memOf(host.pid)?.rss;
    const back = beforeDetails && afterDetails ? afterDetails / beforeDetails : undefined;
    rows.push({ step: 'memory after the details vs before', seconds: undefined, goal: 'within 10%', met: back === undefined ? undefined : back <= 1.1, peak: undefined, after: ratio(afterDetails), note: back === undefined ? undefined : `${fmt((back - 1) * 100, 1)}% (${fmt((beforeDetails ?? 0) / GiB)} → ${fmt((afterDetails ?? 0) / GiB)} GiB)` });
    // The intervention a profile leaves (AurA at full strength), as the panel exports it.
    const settings = wb.intervention.snapshot();
    await wb.intervention.ready();
    const out = join(cacheRoot, 'export', 'folded.onnx');
    spawnSync('mkdir', ['-p', join(cacheRoot, 'export')]);
    await step(`folded ONNX export (${settings.method} at strength ${settings.strength})`, 'peak ≤ 1.3x', undefined, () => wb.exportIntervention('onnx', out), 1000);
    const exportRow = rows[rows.length - 1]!;
    exportRow.met = exportRow.peak === undefined ? undefined : exportRow.peak <= 1.3;
    rmSync(join(cacheRoot, 'export'), { recursive: true, force: true });
    // Test Prompt From Selection: time to the first intervened token of a new prompt. A run that ends
    // with no intervened text (a model whose tokens decode to nothing) has no such time.
    let silent = false;
    const firstIntervened = (startRun: () => void) =>
      new Promise<number>((resolve) => {
        const t = performance.now();
        let runId = -1;
        const sub = wb.preview.onDidUpdate((s) => {
          if (runId < 0) runId = s.runId;
          if (s.runId === runId && (s.intervened.length > 0 || s.done)) {
            sub.dispose();
            if (s.intervened.length === 0) silent = true;
            resolve((performance.now() - t) / 1000);
          }
        });
        startRun();
      });
    const unmeasured = () => {
      if (!silent) return;
      const r = rows[rows.length - 1]!;
      Object.assign(r, { seconds: undefined, met: undefined, note: `not measured: the run ended (${fmt(r.seconds ?? NaN)} s) with no intervened text (this model's test tokenizer decodes its tokens to nothing)` });
      silent = false;
    };
    await step('Test Prompt From Selection: first intervened token', '≤ 1 s', 1, async () => {
      return firstIntervened(() => void wb.preview.run(PROMPT).done);
    });
    unmeasured();
    // Wait for that run to finish so the slider's run starts from an idle model, as after reading a preview.
    await new Promise<void>((resolve) => {
      const check = () => (wb.preview.snapshot?.done ? resolve() : setTimeout(check, 100));
      check();
    });
    await step("slider: first new token", '≤ 250 ms', 0.25, () =>
      firstIntervened(() => {
        wb.intervention.update({ method: settings.method, strength: 0.5, k: settings.k, alpha: settings.alpha });
        wb.preview.scheduleRerun();
      }),
    );
    unmeasured();
    await new Promise((r) => setTimeout(r, 2000));
    const steady = memOf(host.pid);
    rows.push({ step: 'steady state (model process)', seconds: undefined, goal: '≤ 1.2x', met: steady ? steady.rss / weights <= 1.2 : undefined, peak: undefined, after: ratio(steady?.rss), note: steady ? `anon ${fmt(steady.anon / GiB)} GiB, file ${fmt(steady.file / GiB)} GiB` : undefined });
  } finally {
    clearInterval(sampler);
    await wb.dispose();
    await host.dispose();
    if (!keep) rmSync(cacheRoot, { recursive: true, force: true });
  }

  const m = machine();
  const cell = (x: number | undefined, d = 2) => (x === undefined ? '—' : fmt(x, d));
  const table = [
    `| step | time (s) | goal | met | model process peak / weights | after / weights | note |`,
    `|---|---:|---|---|---:|---:|---|`,
    ...rows.map((r) => `| ${r.step} | ${cell(r.seconds)} | ${r.goal} | ${r.met === undefined ? '—' : r.met ? 'yes' : '**no**'} | ${cell(r.peak)} | ${cell(r.after)} | ${r.note ?? ''} |`),
  ].join('\n');
  const md = [
    '# The extension at real size: scripted run',
    '',
    `Written by \`npm run bench:real-size\` (bench/real-size.ts) on ${new Date().toISOString()}. Model: ${MODEL}, ${fmt(weights / GiB)} GiB of`,
    `weights (GPT-2 shape, 32 layers, d=1280, external data). Machine: ${String(m.cpu)}, ${String(m.cpus)} CPUs, ${String(m.memoryGiB)} GiB,`,
    `onnxruntime-node ${String(m.onnxruntimeNode)}, ${threads} threads; load average ${fmt(Number(m.loadAverage1min))} (1 min) when it ended —`,
    'other work on the machine slows every time here.',
    '',
    table,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench', 'results-real-size.md'), md);
  // The per-second samples, one line each, beside the table (results.json keeps the rows).
  writeFileSync(join(ROOT, 'bench', 'results-real-size.samples.jsonl'), samples.map((x) => JSON.stringify(x)).join('\n') + '\n');
  record('realSize', { model: MODEL, weightBytes: weights, threads, texts: TEXTS, rows, samples: 'bench/results-real-size.samples.jsonl' });
  console.log(`\n${table}\n\nwritten to bench/results-real-size.md and bench/results.json (realSize)`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
