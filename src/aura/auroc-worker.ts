/**
 * Worker-thread entry for aurocParallel: computes AUROC for the neuron ranges it is sent, reading the
 * responses from shared memory and writing results into the shared output. Bundled to
 * dist/auroc-worker.js by scripts/build.mjs; run from source under tsx in tests.
 */
import { parentPort } from 'node:worker_threads';
import { aurocRange } from './auroc';
import type { ResponseMatrix } from './auroc';
import type { FromWorker, ToWorker } from './auroc-protocol';
import { isUserError } from './errors';

interface State {
  pos: ResponseMatrix;
  neg: ResponseMatrix;
  neurons: number;
  out: Float64Array;
}

let state: State | undefined;
const port = parentPort;

// Imported outside a worker (e.g. by a test runner scanning files), this module does nothing.
if (port) port.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    const view = (b: SharedArrayBuffer): ResponseMatrix => (msg.float64 ? new Float64Array(b) : new Float32Array(b));
    state = { pos: view(msg.pos), neg: view(msg.neg), neurons: msg.neurons, out: new Float64Array(msg.out) };
    return;
  }
  let reply: FromWorker;
  try {
    if (!state) throw new Error('auroc worker: task before init');
    aurocRange(state.pos, state.neg, state.neurons, msg.start, msg.end, state.out);
    reply = { type: 'done', start: msg.start, end: msg.end };
  } catch (e) {
    const err = e as Error;
    reply = { type: 'error', message: err.message, user: isUserError(err) };
  }
  port.postMessage(reply);
});
