// The GPU check, one command within 8 minutes: `profile` and `generate` with the CUDA execution provider
// and with the CPU one on the same model and data (by default the GPT-2-small shape of
// bench/make_gpt2_small.py, built once into a cache folder), then: every neuron's AUROC and every pooled
// response of every site compared (tolerance below), the profile's forward tokens/s and the greedy
// generation's tokens/s on both, and the GPU's peak memory while CUDA ran (nvidia-smi sampled every 200 ms,
// minus what was in use before). Needs onnxruntime-node's CUDA binaries (docs/install.md, "GPU (CUDA)") and
// an NVIDIA GPU with CUDA 12 and cuDNN 9.
// Exit 0 when they agree, 1 when they differ or the 8 minutes run out, 2 when there is no GPU or CUDA
// cannot run here (one line saying why; nothing is measured or pretended).
//   node --import tsx scripts/cuda-check.ts [MODEL_DIR] [--texts 1000] [--max-new-tokens 32] [--threads N] [--provider cuda]
// (--provider cpu compares the CPU with itself: a check of this script where no GPU is at hand.)
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const PYTHON = process.env.AURA_BENCH_PYTHON ?? '/usr/bin/python3';
const BUDGET_S = 8 * 60;
// CUDA's kernels (TF32 off by default in onnxruntime, another summation order) differ from the CPU's in
// the last bits; near-tied responses may then swap, moving an AUROC by a few 1/(positives x negatives).
const TOLERANCE = 1e-3;
const started = performance.now();
const left = () => BUDGET_S - (performance.now() - started) / 1000;

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const providerAt = process.argv.indexOf('--provider');
const PROVIDER = providerAt === -1 ? 'cuda' : process.argv[providerAt + 1]!;

/** Why this machine cannot run the CUDA half, or undefined when nvidia-smi lists a GPU. */
function noGpu(): string | undefined {
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error) return `nvidia-smi not found (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  if (r.status !== 0) return `nvidia-smi failed (status ${r.status}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
  return /^GPU \d+:/m.test(r.stdout) ? undefined : 'nvidia-smi lists no GPU';
}

function cli(args: string[]): { status: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: Math.round(Math.max(1, left()) * 1000) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.signal === 'SIGTERM' };
}

function floats(path: string, bytes: 4 | 8): Float32Array | Float64Array {
  const b = Uint8Array.from(readFileSync(path)).buffer;
  return bytes === 4 ? new Float32Array(b) : new Float64Array(b);
}

/** Largest |a - b| and how many values differ at all. */
function diff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; differing: number; count: number } {
  if (a.length !== b.length) return { max: Infinity, differing: Math.max(a.length, b.length), count: Math.max(a.length, b.length) };
  let max = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > 0 || Number.isNaN(d)) differing++;
    max = Math.max(max, Number.isNaN(d) ? Infinity : d);
  }
  return { max, differing, count: a.length };
}

/** The GPT-2-small-shaped model (random weights), built once; its weights are ~0.6 GB. */
function defaultModel(): string {
  const dir = join(process.env.AURA_BENCH_CACHE ?? join(homedir(), '.cache', 'aura-lens-bench'), 'gpt2-small');
  if (existsSync(join(dir, 'model.onnx'))) return dir;
  mkdirSync(dir, { recursive: true });
  console.log(`building the GPT-2-small shape in ${dir} (once)…`);
  const r = spawnSync(PYTHON, [join(ROOT, 'bench', 'make_gpt2_small.py'), dir], { stdio: ['ignore', 'ignore', 'inherit'], timeout: Math.round(Math.max(1, left()) * 1000) });
  if (r.status !== 0 || !existsSync(join(dir, 'model.onnx'))) throw new Error(`${dir}: building the GPT-2-small model with ${PYTHON} failed (status ${r.status})`);
  return dir;
}

/** Samples the GPU's used memory (MiB) into a file until stopped; the file outlives a blocked event loop. */
function gpuSampler(file: string): { stop: () => number[] } {
  const fd = openSync(file, 'w');
  const p = spawn('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-lms', '200'], { stdio: ['ignore', fd, 'ignore'] });
  return {
    stop: () => {
      p.kill();
      closeSync(fd);
      return readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => Number(l.split(',')[0]))
        .filter((x) => Number.isFinite(x) && x > 0);
    },
  };
}

function main(): number {
  if (PROVIDER !== 'cpu') {
    const why = noGpu();
    if (why) {
      console.error(`cuda-check: no GPU on this machine: ${why}; nothing was measured.`);
      return 2;
    }
  }
  const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const model = positional[0] ?? defaultModel();
  const texts = flag('texts', 1000);
  const maxNew = flag('max-new-tokens', 32);
  const threads = flag('threads', availableParallelism());
  if (!existsSync(CLI) && spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' }).status !== 0) return 2;
  const tmp = mkdtempSync(join(tmpdir(), 'aura-cuda-check-'));
  try {
    const data = join(ROOT, 'media', 'demo', 'concept.jsonl');
    const prof: Record<string, { sites: { id: string }[]; seconds: number; tokens: number; tokensPerSecond: number }> = {};
    const gen: Record<string, { ids: number[]; tokensPerSecond: number }> = {};
    let gpuPeakMiB: number | undefined;
    let gpuBaseMiB: number | undefined;
    for (const [dir, ep] of [['cuda', PROVIDER], ['cpu', 'cpu']] as const) {
      const sampler = ep === 'cuda' ? gpuSampler(join(tmp, 'gpu-memory.csv')) : undefined;
      if (sampler) gpuBaseMiB = Number(spawnSync('nvidia-smi', ['--query-gpu=memory.used', '--format=csv,noheader,nounits'], { encoding: 'utf8' }).stdout.split('\n')[0]);
      // Statistics off: they run on the CPU either way; the AUROC of every neuron is what is compared.
      const p = cli(['profile', model, '--data', data, '--max-per-class', String(Math.ceil(texts / 2)), '--bootstrap', '0', '--permutations', '0', '--threads', String(threads), '--out', join(tmp, dir), '--ep', ep, '--json']);
      const g = p.status === 0 ? cli(['generate', model, '--prompt', 'The old house on the hill', '--max-new-tokens', String(maxNew), '--threads', String(threads), '--ep', ep, '--json']) : undefined;
      const samples = sampler?.stop();
      if (samples?.length) gpuPeakMiB = Math.max(...samples);
      for (const [what, r] of [['profile', p], ['generate', g]] as const) {
        if (!r) continue;
        if (r.timedOut) {
          console.error(`cuda-check: ${what} --ep ${ep} ran past the ${BUDGET_S / 60}-minute budget; pass --texts with fewer texts`);
          return 1;
        }
        if (r.status !== 0) {
          console.error(`cuda-check: ${what} --ep ${ep} failed: ${r.stderr.trim().split('\n').at(-1)}`);
          return dir === 'cuda' ? 2 : 1;
        }
      }
      prof[dir] = JSON.parse(p.stdout) as (typeof prof)[string];
      gen[dir] = JSON.parse(g!.stdout) as (typeof gen)[string];
    }
    let worstResp = 0;
    const auroc = { max: 0, differing: 0, count: 0 };
    for (const s of prof.cpu!.sites) {
      const name = s.id.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
      for (const pooling of ['max', 'mean']) {
        worstResp = Math.max(worstResp, diff(floats(join(tmp, 'cuda', 'responses', `${name}.${pooling}.f32`), 4), floats(join(tmp, 'cpu', 'responses', `${name}.${pooling}.f32`), 4)).max);
        const d = diff(floats(join(tmp, 'cuda', 'auroc', `${name}.${pooling}.f64`), 8), floats(join(tmp, 'cpu', 'auroc', `${name}.${pooling}.f64`), 8));
        auroc.max = Math.max(auroc.max, d.max);
        auroc.differing += d.differing;
        auroc.count += d.count;
      }
    }
    let ok = worstResp <= TOLERANCE && auroc.max <= TOLERANCE;
    const c = prof.cuda!;
    const p = prof.cpu!;
    console.log(`model ${model}; ${c.tokens} tokens profiled; ${threads} CPU threads`);
    console.log(`profile AUROC, every neuron of every site (${auroc.count} values, max and mean pooling): max |${PROVIDER} - cpu| ${auroc.max.toExponential(2)}, ${auroc.differing} differ at all (tolerance ${TOLERANCE}); pooled responses max |diff| ${worstResp.toExponential(2)}`);
    console.log(`profile forward: ${PROVIDER} ${c.tokensPerSecond} tokens/s (${c.seconds.toFixed(1)} s), cpu ${p.tokensPerSecond} tokens/s (${p.seconds.toFixed(1)} s): ${(c.tokensPerSecond / p.tokensPerSecond).toFixed(1)}x`);
    const a = gen.cuda!.ids;
    const b = gen.cpu!.ids;
    let same = 0;
    while (same < Math.min(a.length, b.length) && a[same] === b[same]) same++;
    console.log(`generate: ${same}/${b.length} greedy tokens identical; ${gen.cuda!.tokensPerSecond.toFixed(1)} vs ${gen.cpu!.tokensPerSecond.toFixed(1)} tokens/s`);
    if (gpuPeakMiB !== undefined) console.log(`GPU memory while ${PROVIDER} ran: peak ${gpuPeakMiB} MiB used (${gpuPeakMiB - (gpuBaseMiB ?? 0)} MiB above the ${gpuBaseMiB ?? '?'} MiB in use before)`);
    if (same !== b.length || a.length !== b.length) ok = false;
    console.log(`${ok ? `${PROVIDER} and cpu agree` : `${PROVIDER} and cpu DIFFER`} (${((performance.now() - started) / 1000).toFixed(0)} s of the ${BUDGET_S} s budget)`);
    return ok ? 0 : 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  process.exitCode = main();
} catch (e) {
  console.error(`cuda-check: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
}
