/**
 * AUROC for all neurons on worker threads, so the extension host (or the CLI's progress display)
 * stays responsive while a 100k-neuron model is profiled. Inputs go to the workers as shared memory
 * (copied once unless they already live there); each worker computes neuron ranges handed out from
 * a queue, which balances the load and gives progress at a useful granularity.
 *
 * Starting a worker costs tens of milliseconds (hundreds on a busy machine), so profiling many sites
 * should keep one pool (createAurocPool) for all of them; aurocParallel is the one-shot form.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { aurocRange, responseShape } from './auroc';
import type { ResponseMatrix } from './auroc';
import type { AurocInit, FromWorker, ToWorker } from './auroc-protocol';
import { AuraUserError } from './errors';

export interface AurocPoolOptions {
  /** Worker threads; default: the CPU count, at most 8. 0 computes on the calling thread, yielding between chunks. */
  threads?: number;
  /** Where the worker script is, overriding the lookup next to this module (e.g. a packaged extension's dist). */
  workerFile?: string;
}

export interface AurocRunOptions {
  signal?: AbortSignal;
  /** Called after each finished range with the number of neurons done so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface AurocPool {
  /** AUROC of every neuron; runs queue one after another. Same values as aurocPerNeuron. */
  run(pos: ResponseMatrix, neg: ResponseMatrix, n: number, options?: AurocRunOptions): Promise<Float64Array>;
  /** Stops the workers; the pool cannot run afterwards. */
  close(): Promise<void>;
}

/** One-shot AUROC off the calling thread: a pool for one run. */
export async function aurocParallel(
  pos: ResponseMatrix,
  neg: ResponseMatrix,
  n: number,
  options: AurocPoolOptions & AurocRunOptions = {},
): Promise<Float64Array> {
  const pool = createAurocPool(options);
  try {
    return await pool.run(pos, neg, n, options);
  } finally {
    await pool.close();
  }
}

export function createAurocPool(options: AurocPoolOptions = {}): AurocPool {
  const threads = options.threads ?? Math.min(availableParallelism(), 8);
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`threads must be a non-negative integer, got ${threads}`);
  const entry = threads > 0 ? (options.workerFile ? fileEntry(options.workerFile) : findWorkerEntry()) : undefined;
  return new Pool(entry, threads);
}

/**
 * A zeroed float32 matrix in shared memory. Responses written here reach the workers without the
 * copy of the whole matrix that aurocParallel otherwise makes.
 */
export function sharedResponses(rows: number, neurons: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(rows * neurons * 4));
}

interface WorkerEntry {
  /** A script path, or JavaScript source when `eval` is set. */
  script: string;
  eval: boolean;
}

class Pool implements AurocPool {
  private workers: Worker[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly entry: WorkerEntry | undefined,
    private readonly threads: number,
  ) {}

  run(pos: ResponseMatrix, neg: ResponseMatrix, n: number, options: AurocRunOptions = {}): Promise<Float64Array> {
    const result = this.queue.then(() => this.runNow(pos, neg, n, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopWorkers();
  }

  private async runNow(pos: ResponseMatrix, neg: ResponseMatrix, n: number, options: AurocRunOptions): Promise<Float64Array> {
    if (this.closed) throw new Error('the AUROC pool is closed');
    responseShape(pos, neg, n);
    options.signal?.throwIfAborted();
    const chunks = splitRanges(n, Math.max(this.threads, 1));
    if (!this.entry) return aurocOnThisThread(pos, neg, n, chunks, options);
    const count = Math.min(this.threads, chunks.length);
    try {
      while (this.workers.length < count) {
        // execArgv [] so inspector flags of the host (VS Code's extension host) are not inherited.
        this.workers.push(new Worker(this.entry.script, { eval: this.entry.eval, execArgv: [] }));
      }
      return await runOnWorkers(this.workers.slice(0, count), pos, neg, n, chunks, options);
    } catch (e) {
      // A worker may still be busy with a range of the failed run; start clean next time.
      await this.stopWorkers();
      throw e;
    }
  }

  private async stopWorkers(): Promise<void> {
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Ranges of about n / (threads * 16) neurons, a multiple of 64 (whole 32-neuron gather blocks). */
function splitRanges(n: number, threads: number): [number, number][] {
  const size = Math.max(64, Math.ceil(n / (threads * 16) / 64) * 64);
  const out: [number, number][] = [];
  for (let s = 0; s < n; s += size) out.push([s, Math.min(n, s + size)]);
  return out;
}

async function aurocOnThisThread(
  pos: ResponseMatrix,
  neg: ResponseMatrix,
  n: number,
  chunks: [number, number][],
  options: AurocRunOptions,
): Promise<Float64Array> {
  const out = new Float64Array(n);
  let done = 0;
  for (const [start, end] of chunks) {
    // Let the event loop run between chunks, so a UI can repaint and an abort can land.
    await new Promise((resolve) => setImmediate(resolve));
    options.signal?.throwIfAborted();
    aurocRange(pos, neg, n, start, end, out);
    done += end - start;
    options.onProgress?.(done, n);
  }
  return out;
}

function runOnWorkers(
  workers: Worker[],
  pos: ResponseMatrix,
  neg: ResponseMatrix,
  n: number,
  chunks: [number, number][],
  options: AurocRunOptions,
): Promise<Float64Array> {
  const float64 = pos instanceof Float64Array || neg instanceof Float64Array;
  const outBuffer = new SharedArrayBuffer(n * 8);
  const init: AurocInit = { type: 'init', pos: toShared(pos, float64), neg: toShared(neg, float64), float64, neurons: n, out: outBuffer };
  const queue = chunks.slice();
  let done = 0;
  let settled = false;

  return new Promise<Float64Array>((resolvePromise, reject) => {
    const cleanups: (() => void)[] = [];
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      if (error === undefined) resolvePromise(new Float64Array(outBuffer).slice());
      else reject(error);
    };
    const next = (w: Worker): void => {
      const range = queue.shift();
      if (range) w.postMessage({ type: 'run', start: range[0], end: range[1] } satisfies ToWorker);
    };
    if (options.signal) {
      const signal = options.signal;
      const onAbort = (): void => finish(signal.reason ?? new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    for (const w of workers) {
      const onMessage = (msg: FromWorker): void => {
        if (msg.type === 'error') return finish(msg.user ? new AuraUserError(msg.message) : new Error(msg.message));
        done += msg.end - msg.start;
        options.onProgress?.(done, n);
        if (done === n) finish();
        else next(w);
      };
      const onError = (e: Error): void => finish(e);
      const onExit = (code: number): void => finish(new Error(`AUROC worker exited with code ${code} before finishing`));
      w.on('message', onMessage).on('error', onError).on('exit', onExit);
      // Referenced only while running, so an idle pool never keeps the process alive.
      w.ref();
      cleanups.push(() => {
        w.off('message', onMessage).off('error', onError).off('exit', onExit);
        w.unref();
      });
      w.postMessage(init satisfies ToWorker);
      next(w);
    }
  });
}

/** The inputs as shared memory the workers can read without a copy each. */
function toShared(m: ResponseMatrix, float64: boolean): SharedArrayBuffer {
  const wanted = float64 ? Float64Array : Float32Array;
  if (m instanceof wanted && m.buffer instanceof SharedArrayBuffer && m.byteOffset === 0 && m.buffer.byteLength === m.byteLength) {
    return m.buffer;
  }
  const shared = new SharedArrayBuffer(m.length * wanted.BYTES_PER_ELEMENT);
  if (float64) new Float64Array(shared).set(m);
  else new Float32Array(shared).set(m);
  return shared;
}

function fileEntry(path: string): WorkerEntry {
  const file = resolve(path); // Worker wants an absolute path
  return file.endsWith('.ts') ? { script: tsxBootstrap(file), eval: true } : { script: file, eval: false };
}

/**
 * Where the worker script is: next to this module when running from TypeScript source (tests, under
 * tsx), or next to the bundle (dist/auroc-worker.js beside dist/cli.js or dist/extension.js).
 * Undefined when neither exists; runs then compute on the calling thread.
 */
function findWorkerEntry(): WorkerEntry | undefined {
  // esbuild's CommonJS bundle and tsx (this package is CommonJS) both define __filename.
  const here = typeof __filename === 'string' ? __filename : undefined;
  if (!here) return undefined;
  const dir = dirname(here);
  const candidates = here.endsWith('.ts')
    ? [join(dir, 'auroc-worker.ts')]
    : [join(dir, 'auroc-worker.js'), join(dir, '..', 'dist', 'auroc-worker.js')];
  const file = candidates.find((c) => existsSync(c));
  return file ? fileEntry(file) : undefined;
}

/**
 * A .ts worker needs tsx. Passing `--import tsx` in the worker's execArgv does not register the loader
 * before the entry loads on Node 20, so the worker starts from a line of JavaScript that registers
 * tsx's CommonJS hook and then requires the entry (this package is CommonJS).
 */
function tsxBootstrap(file: string): string {
  const api = createRequire(file).resolve('tsx/cjs/api');
  return `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(file)});`;
}
