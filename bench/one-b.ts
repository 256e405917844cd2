// The Llama-3.2-1B shape (issue 22 item 7), fp32 and fp16: a random-weight model of that shape (d=2048,
// 16 layers, MLP 8192, vocabulary 128,256, 32 query / 8 KV heads, external data) built once by
// test/fixtures/fixturegen/llama_1b.py into a cache folder (never the repository), then, per dtype, what a
// user runs, each step as its own CLI process (so each has its own peak resident set, read from the
// process's maxRSS by scripts/bench-memory/max-rss.mjs):
//   profile of N texts (defaults otherwise: the first run a user makes), its forward tokens/s and GFLOP/s
//   against onnxruntime's matmul peak measured in this run (bench/matmul.ts); fit AurA; greedy generation
//   without and with that intervention (tokens/s); the neuron detail's model work (24 longest texts, one
//   site, as bench/detail.ts: first after open, then best of 2); the folded ONNX export (`export --format
//   onnx`). Writes bench/results-1b.md and the oneB section of bench/results.json. Benchmark lane only
//   (~9 GB of disk, ~8 GB of memory for fp32); not part of npm test.
//   node --import tsx bench/one-b.ts [--texts 1000] [--threads N] [--dtypes fp32,fp16] [--max-new-tokens 32]
//       [--cache DIR (default ~/.cache/aura-lens-bench)] [--layers 16 (fewer: a quick check of this script only)]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LanguageModel } from '../src/engine/model';
import { batchedTokenValues } from '../src/host/model-host/token-values';
import { measureMatmul } from './matmul';
import { PYTHON, ROOT, arg, fmt, machine, record, threadsArg } from './common';

const TEXTS = arg('texts', 1000);
const threads = threadsArg();
const LAYERS = arg('layers', 16);
const DTYPES = arg('dtypes', 'fp32,fp16').split(',') as ('fp32' | 'fp16')[];
const MAX_NEW = arg('max-new-tokens', 32);
const CACHE = arg('cache', process.env.AURA_BENCH_CACHE ?? join(homedir(), '.cache', 'aura-lens-bench'));
const CLI = join(ROOT, 'dist', 'cli.js');
const CONCEPT = join(ROOT, 'media', 'demo', 'concept.jsonl');
const PROMPT = 'The people in this thread are';
const GiB = 2 ** 30;
const D = 2048;
const INNER = 8192;
const KV = 8 * 64;

/** The two model folders, built once (under a lock, so parallel runs build them once between them). */
function ensureModels(): Record<'fp32' | 'fp16', string> {
  const root = join(CACHE, LAYERS === 16 ? 'llama-1b' : `llama-1b-${LAYERS}layers`);
  const dirs = { fp32: join(root, 'llama-1b'), fp16: join(root, 'llama-1b-fp16') };
  if (existsSync(join(dirs.fp32, 'config.json')) && existsSync(join(dirs.fp16, 'config.json'))) return dirs;
  mkdirSync(root, { recursive: true });
  console.log(`building the 1B shape (${LAYERS} layers) in ${root}: ~9 GB, tens of minutes on 2 cores…`);
  const r = spawnSync('flock', [`${root}.lock`, PYTHON, '-m', 'fixturegen.llama_1b', root, '--layers', String(LAYERS)], { cwd: join(ROOT, 'test', 'fixtures'), stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(dirs.fp16, 'config.json'))) throw new Error(`${root}: building the 1B model failed (status ${r.status}); see the output above`);
  return dirs;
}

const weightBytes = (dir: string) =>
  readdirSync(join(dir, 'onnx'))
    .filter((f) => f.includes('.onnx'))
    .reduce((n, f) => n + statSync(join(dir, 'onnx', f)).size, 0);

interface Run {
  seconds: number;
  peakRss: number;
  json: Record<string, unknown>;
}

/** One CLI command in its own process: wall time, peak resident set (bytes) and its --json answer. */
function cli(args: string[]): Run {
  const rssFile = join(tmpdir(), `aura-1b-rss-${process.pid}`);
  const t = performance.now();
  const r = spawnSync(process.execPath, ['--import', join(ROOT, 'scripts', 'bench-memory', 'max-rss.mjs'), CLI, ...args, '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, AURA_RSS_FILE: rssFile },
  });
  const seconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`aura-lens ${args[0]} failed (status ${r.status}): ${(r.stderr ?? '').trim().split('\n').at(-1)}`);
  const peakRss = Number(readFileSync(rssFile, 'utf8')) * 1024;
  rmSync(rssFile, { force: true });
  return { seconds, peakRss, json: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown> };
}

/** Matmul FLOPs of the profile's forward (padding included, no LM head: the profile cuts it). */
function forwardFlops(paddedTokens: number, width: number): number {
  const perTokenLayer = 2 * (D * D * 2 + 2 * D * KV) + 2 * 3 * D * INNER + 4 * width * D;
  return paddedTokens * LAYERS * perTokenLayer;
}

interface Row {
  dtype: string;
  step: string;
  seconds: number | undefined;
  rate: string;
  peak: number | undefined;
  note: string;
}

async function detailLatency(dir: string): Promise<{ first: number; best: number; tokens: number }> {
  const texts = readFileSync(CONCEPT, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text)
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .slice(0, 24);
  const model = await LanguageModel.open(dir, { threads });
  try {
    const site = model.sites[Math.floor(model.sites.length / 2)]!.id;
    // As the model process does on open: the session exists before any detail.
    await model.step({ ids: [[model.facts.eosTokenIds[0] ?? 0]], mask: [[1]], logits: 'last' });
    let t = performance.now();
    const first = await batchedTokenValues(model, texts, [site]);
    const firstS = (performance.now() - t) / 1000;
    let best = Infinity;
    for (let i = 0; i < 2; i++) {
      t = performance.now();
      await batchedTokenValues(model, texts, [site]);
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    return { first: firstS, best, tokens: first.reduce((s, a) => s + a.tokens.length, 0) };
  } finally {
    await model.dispose();
  }
}

async function main(): Promise<void> {
  if (!existsSync(CLI) && spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0) throw new Error('npm run build failed');
  const dirs = ensureModels();
  const matmul = await measureMatmul(threads, 5);
  console.log(`matmul peak (onnxruntime, fp32, ${threads} threads): ${fmt(matmul.onnxruntimeGflops, 1)} GFLOP/s`);
  const rows: Row[] = [];
  const figures: Record<string, unknown> = {};
  for (const dtype of DTYPES) {
    const dir = dirs[dtype];
    const weights = weightBytes(dir);
    const ratio = (b: number) => b / weights;
    const work = mkdtempSync(join(tmpdir(), `aura-1b-${dtype}-`));
    const add = (step: string, run: Run | undefined, rate: string, note = '', seconds = run?.seconds) => {
      rows.push({ dtype, step, seconds, rate, peak: run ? ratio(run.peakRss) : undefined, note });
      console.log(`${dtype} ${step}: ${fmt(seconds ?? NaN)} s, ${rate}${run ? `, peak RSS ${fmt(ratio(run.peakRss))}x the weights` : ''} ${note}`);
    };
    try {
      const prof = cli(['profile', dir, '--data', CONCEPT, '--max-per-class', String(Math.ceil(TEXTS / 2)), '--threads', String(threads), '--out', join(work, 'profile')]);
      const timing = prof.json.timing as Record<string, number>;
      const padded = prof.json.paddedTokens as number;
      const gflops = forwardFlops(padded, 128) / timing.forwardS! / 1e9;
      add(
        `profile of ${TEXTS} texts`,
        prof,
        `${prof.json.tokensPerSecond as number} tokens/s`,
        `forward ${fmt(timing.forwardS!, 1)} s at ${fmt(gflops, 1)} GFLOP/s (upper bound: FLOPs at width 128) = ${fmt((100 * gflops) / matmul.onnxruntimeGflops, 0)}% of the matmul peak; ${prof.json.tokens as number} tokens (${padded} padded); peak goal ≤ 1.1x: ${prof.peakRss <= 1.1 * weights ? 'met' : '**not met**'}`,
      );
      const fit = cli(['fit', join(work, 'profile'), '--method', 'aura', '--out', join(work, 'aura.json')]);
      add('fit AurA', fit, '—');
      const plain = cli(['generate', dir, '--prompt', PROMPT, '--max-new-tokens', String(MAX_NEW), '--threads', String(threads)]);
      add(`generate ${MAX_NEW} tokens, no intervention`, plain, `${fmt(plain.json.tokensPerSecond as number)} tokens/s`);
      const withIv = cli(['generate', dir, '--prompt', PROMPT, '--max-new-tokens', String(MAX_NEW), '--threads', String(threads), '--intervention', join(work, 'aura.json')]);
      add(`generate ${MAX_NEW} tokens, AurA`, withIv, `${fmt(withIv.json.tokensPerSecond as number)} tokens/s`, `${fmt((100 * (withIv.json.tokensPerSecond as number)) / (plain.json.tokensPerSecond as number), 0)}% of the plain rate (one run each)`);
      const det = await detailLatency(dir);
      add('neuron detail (24 texts, one site)', undefined, `${det.tokens} tokens`, `first after open ${fmt(det.first)} s; warm best of 2`, det.best);
      mkdirSync(join(work, 'export'));
      const exp = cli(['export', join(work, 'aura.json'), '--model', dir, '--format', 'onnx', '--out', join(work, 'export', 'folded.onnx')]);
      add('folded ONNX export', exp, '—');
      figures[dtype] = { dir, weightBytes: weights, profile: prof.json, forwardGflops: gflops, generation: { plain: plain.json.tokensPerSecond, aura: withIv.json.tokensPerSecond }, detail: det, rows: rows.filter((r) => r.dtype === dtype) };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  const m = machine();
  const cell = (x: number | undefined, d = 2) => (x === undefined ? '—' : fmt(x, d));
  const table = [
    '| dtype | step | time (s) | rate | peak RSS / weights | note |',
    '|---|---|---:|---|---:|---|',
    ...rows.map((r) => `| ${r.dtype} | ${r.step} | ${cell(r.seconds)} | ${r.rate} | ${cell(r.peak)} | ${r.note} |`),
  ].join('\n');
  const sizes = DTYPES.map((d) => `${d} ${fmt(weightBytes(dirs[d]) / GiB)} GiB`).join(', ');
  const md = [
    '# The Llama-3.2-1B shape',
    '',
    `Written by \`npm run bench:1b\` (bench/one-b.ts) on ${new Date().toISOString()}: random weights of the Llama-3.2-1B shape`,
    `(${LAYERS} layers, d=2048, MLP 8192, vocabulary 128,256, 32/8 heads, external data; weights ${sizes}), ${TEXTS} texts of`,
    `media/demo/concept.jsonl. Machine: ${String(m.cpu)}, ${String(m.cpus)} CPUs, ${String(m.memoryGiB)} GiB, onnxruntime-node`,
    `${String(m.onnxruntimeNode)}, ${threads} threads; matmul peak ${fmt(matmul.onnxruntimeGflops, 1)} GFLOP/s (fp32, this run); load average`,
    `${fmt(Number(m.loadAverage1min))} (1 min) when it ended — other work on the machine slows every time here. Each step is one`,
    'process of the CLI, timed from start to exit (model open included) except the neuron detail (in process, model open).',
    '',
    table,
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench', 'results-1b.md'), md);
  record('oneB', { layers: LAYERS, texts: TEXTS, threads, maxNewTokens: MAX_NEW, matmul, ...figures });
  console.log(`\n${table}\n\nwritten to bench/results-1b.md and bench/results.json (oneB)`);
}

main().catch((e: unknown) => {
  console.error(`bench:1b: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
