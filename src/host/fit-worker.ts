// Worker-thread entry for the intervention fit (fit-client.ts starts it): holds the profile's AUROCs
// and transport maps, fits on request, and hands the arrays back transferred (moved, not copied), so
// the extension host's thread neither fits 1.4M neurons nor deserialises their gains.
// Bundled to dist/fit-worker.js by scripts/build.mjs; run from source under tsx in tests.
import { parentPort } from 'node:worker_threads';
import { isUserError } from '../engine/errors';
import { InterventionFitter } from './intervention-fit';
import { readImportPlan } from './intervention-import';
import { compareProfiles } from './profile-compare';
import type { FitReply, FitRequest } from './fit-client';
import type { ImportTarget } from './intervention-import';
import type { FitOutput } from './intervention-fit';

let fitter = new InterventionFitter();

// One message at a time, in order: an import reads its file asynchronously, and a fit posted after it
// must see the inputs it planned.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (m: FitRequest) => {
  queue = queue.then(() => handle(m));
});

async function handle(m: FitRequest): Promise<void> {
  if (m.type === 'load') return fitter.load(m.inputs);
  if (m.type === 'import') return importFile(m.id, m.path, m.target);
  let reply: FitReply;
  let transfer: ArrayBuffer[] = [];
  try {
    if (m.type === 'compare') {
      const comparison = compareProfiles(m.dirA, m.dirB);
      parentPort!.postMessage({ type: 'compare', id: m.id, comparison } satisfies FitReply, [comparison.x.buffer, comparison.y.buffer, comparison.top.buffer] as ArrayBuffer[]);
      return;
    }
    const output = detach(fitter.run(m.settings, m.overrides));
    reply = { type: 'fit', id: m.id, output };
    transfer = buffersOf(output);
  } catch (e) {
    reply = { type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e), user: isUserError(e) };
  }
  parentPort!.postMessage(reply, transfer);
}

/**
 * Reads, checks and plans the file over the loaded inputs, fits it on a fresh fitter and only then
 * keeps that fitter: a refused file leaves this thread's inputs as the host's still are.
 */
async function importFile(id: number, path: string, target: ImportTarget): Promise<void> {
  try {
    const plan = await readImportPlan(path, target, fitter.loaded);
    const next = new InterventionFitter();
    next.load(plan.inputs);
    const output = next.run(plan.settings, plan.overrides);
    fitter = next;
    // The host gets copies (made here, off its thread) and takes their buffers without copying.
    const imported = structuredClone({ plan, output });
    parentPort!.postMessage({ type: 'import', id, imported } satisfies FitReply, buffersIn(imported));
  } catch (e) {
    parentPort!.postMessage({ type: 'error', id, message: e instanceof Error ? e.message : String(e), user: isUserError(e) } satisfies FitReply);
  }
}

/** Every distinct ArrayBuffer under `value` (typed arrays in objects, arrays and Maps). */
function buffersIn(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) found.add(value.buffer as ArrayBuffer);
  else if (value instanceof Map) for (const [k, v] of value) (buffersIn(k, found), buffersIn(v, found));
  else if (Array.isArray(value)) for (const v of value) buffersIn(v, found);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) buffersIn(v, found);
  return [...found];
}

/**
 * Fresh copies of every array, so transferring them leaves the fitter's cached full-strength fit (and
 * the loaded inputs) intact here. Arrays shared between fields stay shared (one copy each).
 */
function detach(o: FitOutput): FitOutput {
  const copies = new Map<Float32Array, Float32Array>();
  const c = (a: Float32Array): Float32Array => copies.get(a) ?? (copies.set(a, a.slice()), copies.get(a)!);
  const opt = (a: Float32Array | undefined) => (a ? c(a) : undefined);
  const sites = o.fit.sites.map((x) => {
    const bias = opt(x.bias);
    const lo = opt(x.lo);
    const hi = opt(x.hi);
    return { siteId: x.siteId, gain: c(x.gain), applied: c(x.applied), ...(bias ? { bias } : {}), ...(lo ? { lo } : {}), ...(hi ? { hi } : {}) };
  });
  const gains = new Map([...o.gains].map(([id, g]) => [id, c(g)]));
  const shifts = o.shifts ? new Map([...o.shifts].map(([id, v]) => [id, { ...v, bias: c(v.bias), ...(v.lo ? { lo: c(v.lo) } : {}), ...(v.hi ? { hi: c(v.hi) } : {}) }])) : undefined;
  return { ...o, fit: { ...o.fit, sites }, gains, ...(shifts ? { shifts } : {}) };
}

function buffersOf(o: FitOutput): ArrayBuffer[] {
  const all = new Set<ArrayBuffer>();
  const add = (a: Float32Array | undefined) => a && all.add(a.buffer as ArrayBuffer);
  for (const x of o.fit.sites) [x.gain, x.applied, x.bias, x.lo, x.hi].forEach(add);
  for (const g of o.gains.values()) add(g);
  for (const v of o.shifts?.values() ?? []) [v.bias, v.lo, v.hi].forEach(add);
  return [...all];
}
