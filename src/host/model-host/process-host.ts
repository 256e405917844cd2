// The model in a child process. A multi-GB model's heap inside the extension host slowed every
// process the editor spawned (200-300 ms per spawn at 13 GB, against ~10 ms at 350 MB), and a crash
// there (out of memory, a native fault in onnxruntime) would take the extension host down with it.
// Here the host only passes messages: a crash is reported (onCrash) and fails the calls in flight,
// and the next call starts a fresh process and opens the last model again before it runs.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { safeParse } from 'valibot';
import { firstIssue, FromModelSchema, MODEL_CALLS } from '../../shared/model-messages';
import { abortError, deserializeError } from './rpc';
import { dropBulk, readBulk } from './bulk-wire';
import type { ChildProcess } from 'node:child_process';
import type { CallResult, ModelCall, ToModel } from '../../shared/model-messages';
import type {
  ActivationsRequest,
  CallOptions,
  DetailRequest,
  OpenProfileRequest,
  SweepOutcome,
  SweepRequest,
  EvaluateOutcome,
  EvaluateRequest,
  ExportOnnxRequest,
  GenerateRequest,
  ModelHost,
  ModelInfo,
  NeuronDetailOutcome,
  OpenRequest,
  ProfileOutcome,
  ProfileRequest,
  ReferencesRequest,
  TextActivations,
} from './api';

export interface ModelProcessEntry {
  /** The script the child runs. */
  file: string;
  /** Node flags for the child (never the host's own: VS Code's inspector flags must not be inherited). */
  execArgv: string[];
}

/** What the user is told when the model process stops on its own. */
export interface CrashReport {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** One line: what happened and what happens next. */
  message: string;
  /** The last lines the process wrote to stderr (an out-of-memory report, a native stack). */
  stderr: string;
}

interface Pending {
  method: ModelCall;
  resolve(v: unknown): void;
  reject(e: Error): void;
  call: CallOptions;
}

const STDERR_KEEP = 4000;
const BYTES = { Float64Array: 8, Float32Array: 4, Int32Array: 4, Uint32Array: 4, Uint8Array: 1 } as const;
const CLOSE_GRACE_MS = 2000;
/**
 * glibc's malloc raises its mmap threshold to the largest block freed (up to 32 MB), after which a
 * forward pass's buffers come from the heap and stay with the process when freed: after a few neuron
 * details the model process kept ~0.7 GB at 2.35 GB of weights. A fixed threshold keeps every block of
 * 1 MB or more mmapped, returned to the system when freed. Other C libraries ignore these variables;
 * a value the user set wins.
 */
const RETURN_FREED_MEMORY = { MALLOC_MMAP_THRESHOLD_: process.env.MALLOC_MMAP_THRESHOLD_ ?? String(1 << 20), MALLOC_TRIM_THRESHOLD_: process.env.MALLOC_TRIM_THRESHOLD_ ?? String(16 << 20) };

export class ProcessModelHost implements ModelHost {
  private child: ChildProcess | undefined;
  private stderrTail = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The model to open again in a fresh process after a crash. */
  private opened: OpenRequest | undefined;
  private disposed = false;
  /** Bytes of typed arrays received through bulk files rather than the IPC channel (tests read it). */
  bulkBytes = 0;

  constructor(
    private readonly entry: ModelProcessEntry = findModelProcessEntry(),
    private readonly onCrash: (report: CrashReport) => void = () => undefined,
  ) {}

  /** The running process's id (tests use it to simulate a crash). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async open(req: OpenRequest, call?: CallOptions): Promise<ModelInfo> {
    const info = await this.call('open', req, call);
    this.opened = req;
    return info;
  }
  async close(): Promise<void> {
    this.opened = undefined;
    if (this.child) await this.call('close', undefined);
  }
  generate(req: GenerateRequest, call?: CallOptions): Promise<string> {
    return this.call('generate', req, call);
  }
  activations(req: ActivationsRequest, call?: CallOptions): Promise<TextActivations[]> {
    return this.call('activations', req, call);
  }
  profile(req: ProfileRequest, call?: CallOptions): Promise<ProfileOutcome> {
    return this.call('profile', req, call);
  }
  evaluate(req: EvaluateRequest, call?: CallOptions): Promise<EvaluateOutcome> {
    return this.call('evaluate', req, call);
  }
  exportOnnx(req: ExportOnnxRequest, call?: CallOptions): Promise<{ bytes: number }> {
    return this.call('exportOnnx', req, call);
  }
  neuronDetail(req: DetailRequest, call?: CallOptions): Promise<NeuronDetailOutcome> {
    return this.call('neuronDetail', req, call);
  }
  openProfile(req: OpenProfileRequest, call?: CallOptions): Promise<ProfileOutcome> {
    return this.call('openProfile', req, call);
  }
  sweep(req: SweepRequest, call?: CallOptions): Promise<SweepOutcome> {
    return this.call('sweep', req, call);
  }
  nonToxicReferences(req: ReferencesRequest, call?: CallOptions): Promise<number[][]> {
    return this.call('nonToxicReferences', req, call);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.child;
    this.child = undefined;
    this.failAll(new Error('the model host is disposed'));
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    // Closing the channel lets the process release its model and exit by itself; kill if it does not.
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private async call<M extends ModelCall>(method: M, arg: unknown, call: CallOptions = {}): Promise<CallResult<M>> {
    if (this.disposed) throw new Error('the model host is disposed');
    call.signal?.throwIfAborted();
    const fresh = !this.child;
    const child = this.ensureChild();
    if (fresh && this.opened && method !== 'open' && method !== 'close') {
      call.onProgress?.({ stage: 'Loading the model again in a new model process', done: 0, total: 1 });
      const again = this.opened;
      try {
        await this.send(child, 'open', again, call.signal ? { signal: call.signal } : {});
      } catch (e) {
        // A model that no longer loads (its folder moved) is forgotten, so later calls say so plainly.
        if (call.signal?.aborted || !(e instanceof Error)) throw e;
        if (this.opened === again) this.opened = undefined;
        e.message = `${again.path} could not be loaded again after the model process stopped: ${e.message}`;
        throw e;
      }
    }
    return this.send(child, method, arg, call);
  }

  private send<M extends ModelCall>(child: ChildProcess, method: M, arg: unknown, call: CallOptions): Promise<CallResult<M>> {
    const id = this.nextId++;
    return new Promise<CallResult<M>>((resolve, reject) => {
      if (call.signal?.aborted) return reject(abortError(call.signal));
      // The caller hears of the cancellation at once; the process stops at its next check, and its
      // late answer for this id is dropped.
      const onAbort = () => {
        this.pending.delete(id);
        this.post(child, { type: 'cancel', id });
        reject(abortError(call.signal));
      };
      call.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => call.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        method,
        resolve: (v) => (cleanup(), resolve(v as CallResult<M>)),
        reject: (e) => (cleanup(), reject(e)),
        call,
      });
      this.post(child, { type: 'call', id, method, arg });
    });
  }

  private post(child: ChildProcess, m: ToModel): void {
    if (child.connected) child.send(m);
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    this.stderrTail = '';
    const child = fork(this.entry.file, [], {
      execArgv: this.entry.execArgv,
      // Structured clone: Maps and typed arrays cross as they are (JSON would turn them into objects).
      serialization: 'advanced',
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Inside VS Code's Electron the executable is Electron itself; this makes it plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ...RETURN_FREED_MEMORY },
    });
    const keep = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP);
    };
    child.stderr?.on('data', keep);
    child.stdout?.on('data', keep);
    child.on('message', (m) => this.receive(m));
    child.on('error', (e) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.failAll(new Error(`the model process could not start: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      const report = crashReport(code, signal, this.stderrTail);
      this.failAll(new Error(report.message));
      if (!this.disposed) this.onCrash(report);
    });
    this.child = child;
    return child;
  }

  private receive(raw: unknown): void {
    const parsed = safeParse(FromModelSchema, raw);
    if (!parsed.success) return this.failAll(new Error(`the model process sent an invalid message (${firstIssue(parsed.issues)})`));
    const m = parsed.output;
    const p = this.pending.get(m.id);
    if (!p) return m.type === 'result' ? dropBulk(m.bulk) : undefined;
    switch (m.type) {
      case 'progress':
        return p.call.onProgress?.(m.progress);
      case 'text':
        return p.call.onText?.(m.text);
      case 'error':
        this.pending.delete(m.id);
        return p.reject(deserializeError(m.error));
      case 'result': {
        this.pending.delete(m.id);
        const check = (value: unknown) => {
          const r = safeParse(MODEL_CALLS[p.method].result, value);
          return r.success ? p.resolve(r.output) : p.reject(new Error(`the model process answered ${p.method} with an invalid result (${firstIssue(r.issues)})`));
        };
        if (!m.bulk) return check(m.value);
        this.bulkBytes += m.bulk.arrays.reduce((n, a) => n + a.length * BYTES[a.kind], 0);
        // Shared memory, except the ranked experts, which go on to the webview (VS Code posts ArrayBuffers).
        return void readBulk(m.value, m.bulk, (path) => path[0] !== 'experts').then(check, (e: unknown) => p.reject(e instanceof Error ? e : new Error(String(e))));
      }
    }
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}

function crashReport(code: number | null, signal: NodeJS.Signals | null, stderr: string): CrashReport {
  const oom = signal === 'SIGKILL' || /heap out of memory|std::bad_alloc|Cannot allocate memory/i.test(stderr);
  const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
  const why = oom ? ' (the system may have run out of memory)' : '';
  return {
    code,
    signal,
    stderr: stderr.trim(),
    message: `the model process ${how}${why}; the running job was lost, and the next one starts a new process and loads the model again`,
  };
}

/**
 * dist/model-process.js next to the extension bundle; from TypeScript sources (tests, under tsx)
 * process-entry.ts with tsx's loader. A child process (unlike a worker thread) takes `--import`
 * before its entry loads, so no bootstrap source is needed.
 */
export function findModelProcessEntry(): ModelProcessEntry {
  const here = __filename;
  if (here.endsWith('.ts')) {
    const file = join(dirname(here), 'process-entry.ts');
    return { file, execArgv: ['--import', pathToFileURL(createRequire(file).resolve('tsx')).href] };
  }
  const candidates = [join(dirname(here), 'model-process.js'), join(dirname(here), '..', 'dist', 'model-process.js')];
  const file = candidates.find((c) => existsSync(c));
  if (!file) throw new Error(`model-process.js was not found next to ${here}; rebuild the extension`);
  return { file, execArgv: [] };
}
