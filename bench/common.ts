// Shared by the benchmarks: arguments, best-of-N timing, the Python baseline runner (which fails the
// benchmark, never skips it silently), value-by-value comparison, and bench/results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..');
export const PYTHON = process.env.AURA_BENCH_PYTHON ?? '/usr/bin/python3';
export const RESULTS = process.env.AURA_BENCH_RESULTS ?? join(ROOT, 'bench', 'results.json');

export function arg(name: string, fallback: number): number;
export function arg(name: string, fallback: string): string;
export function arg(name: string, fallback: number | string): number | string {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined) throw new Error(`--${name}: missing value`);
  if (typeof fallback === 'number') {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`--${name}: expected a number, got "${v}"`);
    return n;
  }
  return v;
}

export function threadsArg(): number {
  return arg('threads', availableParallelism());
}

/** Best (smallest) wall time of `reps` runs after one untimed warm-up run; returns the last result too. */
export async function bestOf<T>(reps: number, fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  let value = await fn();
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    value = await fn();
    best = Math.min(best, (performance.now() - t) / 1000);
  }
  return { seconds: best, value };
}

/** Runs bench/torch_side.py; a failing baseline is a failing benchmark (exit status 3). */
export function python(args: string[], timeoutS = 3600): Record<string, unknown> {
  if (!existsSync(PYTHON)) die(`${PYTHON} not found: the baselines need Debian's python3 with torch, onnx, numpy, scipy, scikit-learn`);
  const r = spawnSync(PYTHON, [join(ROOT, 'bench', 'torch_side.py'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20, timeout: timeoutS * 1000 });
  if (r.status !== 0) die(`baseline failed (torch_side.py ${args[0]}, status ${r.status}${r.signal ? `, ${r.signal}` : ''}): ${(r.stderr ?? '').trim().split('\n').slice(-4).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

export function die(msg: string): never {
  console.error(`bench: ${msg}`);
  process.exit(3);
}

export function readF64(path: string): Float64Array {
  const b = readFileSync(path);
  return new Float64Array(Uint8Array.from(b).buffer);
}

export function readF32(path: string): Float32Array {
  const b = readFileSync(path);
  return new Float32Array(Uint8Array.from(b).buffer);
}

/** Largest |a - b| over every value; a length mismatch or a NaN on one side only is infinite. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (Number.isNaN(d)) {
      if (!(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) return Infinity;
    } else if (d > m) m = d;
  }
  return m;
}

/**
 * Per neuron of a [rows, neurons] pair: the largest |a - b| over its largest |value| (either side).
 * Returns the worst neuron's ratio, the largest |a - b| and the largest |value| of the whole site.
 */
export function neuronRelativeDiff(a: Float32Array, b: Float32Array, neurons: number): { abs: number; rel: number; scale: number } {
  if (a.length !== b.length) return { abs: Infinity, rel: Infinity, scale: 0 };
  let abs = 0;
  let rel = 0;
  let scale = 0;
  const rows = a.length / neurons;
  for (let k = 0; k < neurons; k++) {
    let big = 0;
    let worst = 0;
    for (let r = 0; r < rows; r++) {
      const i = r * neurons + k;
      const d = Math.abs(a[i]! - b[i]!);
      // A NaN on one side only is a disagreement without bound.
      if (Number.isNaN(d) && !(Number.isNaN(a[i]!) && Number.isNaN(b[i]!))) return { abs: Infinity, rel: Infinity, scale };
      big = Math.max(big, Math.abs(a[i]!), Math.abs(b[i]!));
      if (d > worst) worst = d;
    }
    abs = Math.max(abs, worst);
    scale = Math.max(scale, big);
    if (big > 0) rel = Math.max(rel, worst / big);
  }
  return { abs, rel, scale };
}

/** Marks the run failed (exit status 1 at the end) when values disagree beyond `tol`. */
export function check(what: string, diff: number, tol: number): boolean {
  const ok = diff <= tol;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}: max |diff| ${diff.toExponential(2)} (tolerance ${tol.toExponential(0)})`);
  if (!ok) process.exitCode = 1;
  return ok;
}

export function machine(): Record<string, unknown> {
  const ort = JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntimeNode: ort.version,
    platform: `${process.platform}/${process.arch}`,
    // Other work on the machine while measuring: above the core count, the figures are noise.
    loadAverage1min: loadavg()[0],
  };
}

/** Merges one benchmark's figures into bench/results.json (written atomically). */
export function record(section: string, figures: Record<string, unknown>): void {
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>;
  } catch {
    all = {};
  }
  all[section] = { ...figures, machine: machine(), date: new Date().toISOString() };
  delete all._note; // a hand-written note about an earlier run no longer describes this file
  const tmp = `${RESULTS}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n');
  renameSync(tmp, RESULTS);
}

export const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** Best of N for two rivals run alternately (A, B, A, B...), so drifting load on a shared machine hits both alike. */
export async function bestOfPair<A, B>(reps: number, a: () => Promise<A>, b: () => Promise<B>): Promise<[{ seconds: number; value: A }, { seconds: number; value: B }]> {
  let va = await a();
  let vb = await b();
  let ta = Infinity;
  let tb = Infinity;
  for (let i = 0; i < reps; i++) {
    let t = performance.now();
    va = await a();
    ta = Math.min(ta, (performance.now() - t) / 1000);
    t = performance.now();
    vb = await b();
    tb = Math.min(tb, (performance.now() - t) / 1000);
  }
  return [
    { seconds: ta, value: va },
    { seconds: tb, value: vb },
  ];
}
