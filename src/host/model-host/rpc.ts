// Errors cross the process boundary as plain objects and are rebuilt with their name, so
// `isUserError` and AbortError checks work on the host's side as well.
import type { InferOutput } from 'valibot';
import type { SerializedErrorSchema } from '../../shared/model-messages';

export type SerializedError = InferOutput<typeof SerializedErrorSchema>;

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

export function abortError(signal?: AbortSignal): Error {
  return signal?.reason instanceof Error ? signal.reason : Object.assign(new Error('cancelled'), { name: 'AbortError' });
}
