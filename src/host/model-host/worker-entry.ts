// The model worker: one ModelWork, driven by messages from WorkerModelHost. Bundled to
// dist/model-worker.js; under tests it is started from source through tsx.
import { parentPort } from 'node:worker_threads';
import { ModelWork } from './model-work';
import { HOST_METHODS } from './api';
import { serializeError } from './rpc';
import type { CallOptions, ModelHost } from './api';
import type { FromWorker, ToWorker } from './rpc';

const port = parentPort;
if (!port) throw new Error('worker-entry.ts runs only as a worker thread');
const work = new ModelWork();
const running = new Map<number, AbortController>();
const post = (m: FromWorker) => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') return running.get(m.id)?.abort();
  if (!HOST_METHODS.includes(m.method)) return post({ type: 'error', id: m.id, error: { name: 'Error', message: `unknown method ${String(m.method)}` } });
  const controller = new AbortController();
  running.set(m.id, controller);
  const call: CallOptions = {
    signal: controller.signal,
    onProgress: (progress) => post({ type: 'progress', id: m.id, progress }),
    onText: (text) => post({ type: 'text', id: m.id, text }),
  };
  const method = work[m.method] as (arg: unknown, call: CallOptions) => Promise<unknown>;
  method
    .call(work as ModelHost, m.arg, call)
    .then(
      (value) => post({ type: 'result', id: m.id, value }),
      (e: unknown) => post({ type: 'error', id: m.id, error: serializeError(e) }),
    )
    .finally(() => running.delete(m.id));
});
