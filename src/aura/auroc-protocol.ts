/** Messages between aurocParallel (auroc-pool.ts) and its workers (auroc-worker.ts). */

/** Shared, read-only inputs and the shared output; sent once per worker. */
export interface AurocInit {
  type: 'init';
  pos: SharedArrayBuffer;
  neg: SharedArrayBuffer;
  /** Element type of pos and neg. */
  float64: boolean;
  neurons: number;
  /** Float64Array(neurons), each worker writes only the ranges it is given. */
  out: SharedArrayBuffer;
}

export interface AurocTask {
  type: 'run';
  start: number;
  end: number;
}

export type ToWorker = AurocInit | AurocTask;

export type FromWorker =
  | { type: 'done'; start: number; end: number }
  /** `user` keeps an AuraUserError (e.g. NaN responses) a user error across the thread boundary. */
  | { type: 'error'; message: string; user: boolean };
