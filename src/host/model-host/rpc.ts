// Messages between the extension host and the model worker. Errors cross as plain objects and are
// rebuilt with their name, so `isUserError` and AbortError checks work on this side as well.
import type { HostMethod, WorkProgress } from './api';

export type ToWorker = { type: 'call'; id: number; method: HostMethod; arg: unknown } | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'progress'; id: number; progress: WorkProgress }
  | { type: 'text'; id: number; text: string };

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
  return { name: 'Error', message: String(e) };
}

export function deserializeError(s: SerializedError): Error {
  const e = new Error(s.message);
  // `name` is an own property on the rebuilt error, as it is on UserError instances.
  Object.defineProperty(e, 'name', { value: s.name, enumerable: false, configurable: true, writable: true });
  if (s.stack) e.stack = s.stack;
  return e;
}
