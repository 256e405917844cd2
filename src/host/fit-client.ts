// The extension host's side of the fit worker (fit-worker.ts). One worker, started on the first big
// fit and unreferenced while idle (it never keeps a process alive). Requests run in order, so a fit
// always sees the inputs loaded before it. Without a worker script (a bundle built without it) the
// fit runs here, on the calling thread, with the same code.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { AuraUserError } from '../aura/errors';
import { InterventionFitter } from './intervention-fit';
import { readImportPlan } from './intervention-import';
import { compareProfiles } from './profile-compare';
import type { ImportPlan, ImportTarget } from './intervention-import';
import type { FitInputs, FitOutput } from './intervention-fit';
import type { ComparisonSnapshot, InterventionSettings, NeuronOverride } from '../shared/protocol';

export type FitRequest =
  | { type: 'load'; inputs: FitInputs }
  | { type: 'fit'; id: number; settings: InterventionSettings; overrides: readonly NeuronOverride[] }
  /** Two profiles' expert overlap (the panel's Compare concepts card): reading both is the slow part. */
  | { type: 'compare'; id: number; dirA: string; dirB: string }
  /** An intervention file by its path: the worker reads, checks, plans and fits it, then keeps the plan's inputs. */
  | { type: 'import'; id: number; path: string; target: ImportTarget };
export type FitReply =
  | { type: 'fit'; id: number; output: FitOutput }
  | { type: 'compare'; id: number; comparison: ComparisonSnapshot }
  | { type: 'import'; id: number; imported: ImportResult }
  | { type: 'error'; id: number; message: string; user: boolean };

/** An import's plan, and its fit when the worker made one (the worker then holds the plan's inputs). */
export interface ImportResult {
  plan: ImportPlan;
  output?: FitOutput;
}

export class FitClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(o: never): void; reject(e: Error): void }>();
  private readonly local = new InterventionFitter();
  private inputs: FitInputs = { aurocs: [] };
  /** Fits answered by the worker thread (tests check that big fits leave the host's thread). */
  workerFits = 0;
  /** Intervention files read, planned and fitted by the worker thread. */
  workerImports = 0;

  constructor(private readonly entry: WorkerEntry | undefined = findFitWorkerEntry()) {}

  get hasWorker(): boolean {
    return this.entry !== undefined;
  }

  /** New inputs (a profile, an import); the worker gets a copy with the next fit. */
  load(inputs: FitInputs): void {
    this.inputs = inputs;
    this.local.load(inputs);
    if (this.worker) this.worker.postMessage({ type: 'load', inputs } satisfies FitRequest);
  }

  /**
   * Inputs the worker set itself (an import it planned): kept here for fits on this thread and for a
   * worker started later, not sent again.
   */
  adopt(inputs: FitInputs): void {
    this.inputs = inputs;
    this.local.load(inputs);
  }

  /**
   * The file at `path` read, checked against the model and planned over the current inputs, on the
   * worker thread with its fit (or here, without one, the plan only). Refusals are user errors.
   */
  importFile(path: string, target: ImportTarget): Promise<ImportResult> {
    const w = this.ensureWorker();
    if (!w) return readImportPlan(path, target, this.inputs).then((plan) => ({ plan }));
    const id = this.nextId++;
    return new Promise<ImportResult>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ type: 'import', id, path, target: { sites: target.sites.map((x) => ({ id: x.id, neurons: x.neurons })), fingerprint: target.fingerprint } } satisfies FitRequest);
    });
  }

  /** On this thread, at once. */
  fitHere(settings: InterventionSettings, overrides: readonly NeuronOverride[]): FitOutput {
    return this.local.run(settings, overrides);
  }

  /** On the worker thread (or here when there is none). */
  fit(settings: InterventionSettings, overrides: readonly NeuronOverride[]): Promise<FitOutput> {
    const w = this.ensureWorker();
    if (!w) return Promise.resolve().then(() => this.fitHere(settings, overrides));
    const id = this.nextId++;
    return new Promise<FitOutput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced only while a fit is pending.
      w.ref();
      w.postMessage({ type: 'fit', id, settings, overrides } satisfies FitRequest);
    });
  }

  /** compareProfiles on the worker thread (or here when there is none); refusals come back as user errors. */
  compare(dirA: string, dirB: string): Promise<ComparisonSnapshot> {
    const w = this.ensureWorker();
    if (!w) return Promise.resolve().then(() => compareProfiles(dirA, dirB));
    const id = this.nextId++;
    return new Promise<ComparisonSnapshot>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ type: 'compare', id, dirA, dirB } satisfies FitRequest);
    });
  }

  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    this.failAll(new Error('the intervention fit was stopped'));
    void w?.terminate();
  }

  private ensureWorker(): Worker | undefined {
    if (this.worker || !this.entry) return this.worker;
    // execArgv [] so inspector flags of the host (VS Code's extension host) are not inherited.
    const w = new Worker(this.entry.script, { eval: this.entry.eval, execArgv: [] });
    w.unref();
    w.on('message', (m: FitReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.type === 'fit') {
        this.workerFits++;
        (p.resolve as (o: FitOutput) => void)(m.output);
      } else if (m.type === 'compare') (p.resolve as (c: ComparisonSnapshot) => void)(m.comparison);
      else if (m.type === 'import') {
        this.workerImports++;
        (p.resolve as (r: ImportResult) => void)(m.imported);
      }
      else p.reject(m.user ? new AuraUserError(m.message) : new Error(m.message));
    });
    const lost = (e: Error) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.failAll(e);
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`the intervention fit worker exited with code ${code}`)));
    w.postMessage({ type: 'load', inputs: this.inputs } satisfies FitRequest);
    this.worker = w;
    return w;
  }

  private failAll(e: Error): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(e);
  }
}

interface WorkerEntry {
  script: string;
  eval: boolean;
}

/**
 * dist/fit-worker.js next to the bundle (dist/extension.js), or fit-worker.ts beside this file under
 * tsx. A .ts worker starts from one line that registers tsx's CommonJS hook (Node 20 does not apply
 * `--import` in a worker's execArgv before its entry loads), as src/aura/auroc-pool.ts does.
 */
export function findFitWorkerEntry(): WorkerEntry | undefined {
  const here = typeof __filename === 'string' ? __filename : undefined;
  if (!here) return undefined;
  const dir = dirname(here);
  const candidates = here.endsWith('.ts') ? [join(dir, 'fit-worker.ts')] : [join(dir, 'fit-worker.js'), join(dir, '..', 'dist', 'fit-worker.js')];
  const found = candidates.find((c) => existsSync(c));
  if (!found) return undefined;
  const file = resolve(found);
  if (!file.endsWith('.ts')) return { script: file, eval: false };
  const api = createRequire(file).resolve('tsx/cjs/api');
  return { script: `require(${JSON.stringify(api)}).register(); require(${JSON.stringify(file)});`, eval: true };
}
