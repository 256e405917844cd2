// The model in a worker thread: loading a model (protobuf decoding), tokenizing thousands of examples
// and writing responses are synchronous for long stretches, and on the extension host's thread they
// would freeze every extension. Here they cost the host only message passing.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { deserializeError } from './rpc';
import type {
  ActivationsRequest,
  CallOptions,
  EvaluateOutcome,
  EvaluateRequest,
  ExportOnnxRequest,
  GenerateRequest,
  HostMethod,
  ModelHost,
  ModelInfo,
  OpenRequest,
  ProfileOutcome,
  ProfileRequest,
  TextActivations,
} from './api';
import type { FromWorker, ToWorker } from './rpc';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  call: CallOptions;
}

export class WorkerModelHost implements ModelHost {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  /** `onExit` hears of a worker that stopped on its own (a crash): its model is gone. */
  constructor(
    private readonly script: WorkerScript = findWorkerScript(),
    private readonly onExit: (code: number) => void = () => undefined,
  ) {}

  open(req: OpenRequest, call?: CallOptions): Promise<ModelInfo> {
    return this.call('open', req, call) as Promise<ModelInfo>;
  }
  close(): Promise<void> {
    return this.worker ? (this.call('close', undefined) as Promise<void>) : Promise.resolve();
  }
  generate(req: GenerateRequest, call?: CallOptions): Promise<string> {
    return this.call('generate', req, call) as Promise<string>;
  }
  activations(req: ActivationsRequest, call?: CallOptions): Promise<TextActivations[]> {
    return this.call('activations', req, call) as Promise<TextActivations[]>;
  }
  profile(req: ProfileRequest, call?: CallOptions): Promise<ProfileOutcome> {
    return this.call('profile', req, call) as Promise<ProfileOutcome>;
  }
  evaluate(req: EvaluateRequest, call?: CallOptions): Promise<EvaluateOutcome> {
    return this.call('evaluate', req, call) as Promise<EvaluateOutcome>;
  }
  exportOnnx(req: ExportOnnxRequest, call?: CallOptions): Promise<{ bytes: number }> {
    return this.call('exportOnnx', req, call) as Promise<{ bytes: number }>;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const w = this.worker;
    this.worker = undefined;
    if (!w) return;
    try {
      await Promise.race([this.call('close', undefined, {}, w), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // Closing is best effort; terminate below releases everything anyway.
    }
    await w.terminate();
  }

  private call(method: HostMethod, arg: unknown, call: CallOptions = {}, worker?: Worker): Promise<unknown> {
    if (this.disposed && !worker) return Promise.reject(new Error('the model host is disposed'));
    const w = worker ?? this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (call.signal?.aborted) return reject(abortError(call.signal));
      const onAbort = () => w.postMessage({ type: 'cancel', id } satisfies ToWorker);
      call.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => call.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (v) => (cleanup(), resolve(v)),
        reject: (e) => (cleanup(), reject(e)),
        call,
      });
      w.postMessage({ type: 'call', id, method, arg } satisfies ToWorker);
    });
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // execArgv [] so the extension host's inspector flags are not inherited by the worker.
    const w = new Worker(this.script.script, { eval: this.script.eval, execArgv: [] });
    w.on('message', (m: FromWorker) => this.receive(m));
    w.on('error', (e) => this.failAll(e));
    w.on('exit', (code) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(new Error(`the model worker stopped (exit code ${code})`));
      if (!this.disposed) this.onExit(code);
    });
    this.worker = w;
    return w;
  }

  private receive(m: FromWorker): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.type) {
      case 'progress':
        return p.call.onProgress?.(m.progress);
      case 'text':
        return p.call.onText?.(m.text);
      case 'result':
        this.pending.delete(m.id);
        return p.resolve(m.value);
      case 'error':
        this.pending.delete(m.id);
        return p.reject(deserializeError(m.error));
    }
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : Object.assign(new Error('cancelled'), { name: 'AbortError' });
}

export interface WorkerScript {
  /** A script path, or JavaScript source when `eval` is set. */
  script: string;
  eval: boolean;
}

/**
 * dist/model-worker.js next to the extension bundle; from TypeScript sources (tests, under tsx) the
 * worker starts from a line that registers tsx's CommonJS hook, as the AUROC pool does.
 */
export function findWorkerScript(): WorkerScript {
  const here = __filename;
  if (here.endsWith('.ts')) {
    const entry = join(dirname(here), 'worker-entry.ts');
    const api = createRequire(entry).resolve('tsx/cjs/api');
    return { script: `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(entry)});`, eval: true };
  }
  const candidates = [join(dirname(here), 'model-worker.js'), join(dirname(here), '..', 'dist', 'model-worker.js')];
  const file = candidates.find((c) => existsSync(c));
  if (!file) throw new Error(`model-worker.js was not found next to ${here}; rebuild the extension`);
  return { script: file, eval: false };
}
