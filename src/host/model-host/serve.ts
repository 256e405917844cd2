// The model process's message loop: every message checked against its schema, the call run on
// `work`, the answer posted back (big typed arrays through a file, bulk-wire.ts). process-entry.ts
// serves a ModelWork; tests serve stand-ins (a synthetic 1.4M-neuron profile) through the same loop.
import { safeParse } from 'valibot';
import { firstIssue, MODEL_CALLS, ToModelSchema } from '../../shared/model-messages';
import { serializeError } from './rpc';
import { writeBulk } from './bulk-wire';
import type { FromModel } from '../../shared/model-messages';
import type { CallOptions, ModelHost } from './api';

export function serve(work: ModelHost): void {
  if (!process.send) throw new Error('the model process runs only as a child process with an IPC channel');
  const running = new Map<number, AbortController>();

  function post(m: FromModel): void {
    // A parent that went away cannot be answered; 'disconnect' below ends this process.
    if (process.connected) process.send!(m);
  }

  process.on('message', (raw: unknown) => {
    const parsed = safeParse(ToModelSchema, raw);
    if (!parsed.success) {
      const id = typeof raw === 'object' && raw !== null && Number.isInteger((raw as { id?: unknown }).id) ? (raw as { id: number }).id : undefined;
      const message = `model process: invalid message (${firstIssue(parsed.issues)})`;
      if (id !== undefined && id >= 0) post({ type: 'error', id, error: { name: 'Error', message } });
      else process.stderr.write(`${message}\n`);
      return;
    }
    const m = parsed.output;
    if (m.type === 'cancel') return void running.get(m.id)?.abort();
    const arg = safeParse(MODEL_CALLS[m.method].arg, m.arg);
    if (!arg.success) return post({ type: 'error', id: m.id, error: { name: 'Error', message: `model process: invalid ${m.method} request (${firstIssue(arg.issues)})` } });
    const controller = new AbortController();
    running.set(m.id, controller);
    const call: CallOptions = {
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'progress', id: m.id, progress }),
      onText: (text) => post({ type: 'text', id: m.id, text }),
    };
    const method = work[m.method] as (arg: unknown, call: CallOptions) => Promise<unknown>;
    method
      .call(work, arg.output, call)
      .then(
        // Big typed arrays go through a file (bulk-wire.ts), so the host never deserialises them on its thread.
        (value) =>
          writeBulk(value).then(
            (w) => post({ type: 'result', id: m.id, value: w.value, ...(w.bulk ? { bulk: w.bulk } : {}) }),
            (e: unknown) => post({ type: 'error', id: m.id, error: serializeError(e) }),
          ),
        (e: unknown) => post({ type: 'error', id: m.id, error: serializeError(e) }),
      )
      .finally(() => running.delete(m.id));
  });

  // The extension host closed the channel (it stopped, or it is done with us): never linger.
  process.on('disconnect', () => {
    void work.dispose().finally(() => process.exit(0));
  });
}
