// Big typed arrays in a model-process answer travel through a temporary file, not the IPC channel.
// Node deserialises an IPC message in one piece on the receiving thread: a profile of a Llama-3-8B
// (1.4M neurons: AUROCs, the ranked columns, statistics, two transport maps) is 81 MB and held
// the extension host's event loop for hundreds of milliseconds. Here the model process writes every
// array of BULK_MIN_BYTES or more into one file and sends a placeholder in its place; the host reads
// each array with asynchronous reads (libuv's thread pool) into its own ArrayBuffer, so its thread
// only allocates and walks the small rest of the message. Each array keeps its own buffer: VS Code
// copies a view's whole buffer to a webview, so views into one shared buffer would send all of it.
import { randomBytes } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Smaller arrays stay in the message (a file read costs more than cloning a few kilobytes); a 14,336-neuron site's map is 57 KB, so per-site arrays must go. */
export const BULK_MIN_BYTES = 4096;

const KINDS = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Uint8Array,
} as const;
export type BulkKind = keyof typeof KINDS;
export const BULK_KINDS = Object.keys(KINDS) as BulkKind[];
type Typed = InstanceType<(typeof KINDS)[BulkKind]>;

export interface BulkEntry {
  kind: BulkKind;
  /** Byte offset in the file (a multiple of 8). */
  offset: number;
  /** Elements. */
  length: number;
}
export interface BulkRef {
  file: string;
  arrays: BulkEntry[];
}
/** What stands in the message for the array at `arrays[index]`. */
interface Placeholder {
  $bulk: number;
}

function kindOf(x: unknown): BulkKind | undefined {
  if (!ArrayBuffer.isView(x)) return undefined;
  return BULK_KINDS.find((k) => x instanceof KINDS[k]);
}

/**
 * The model process's side: `value` with every big typed array replaced by a placeholder, and the
 * file that holds them (undefined when there are none). Maps, arrays and plain objects are walked;
 * the caller's value is not changed.
 */
export async function writeBulk(value: unknown, dir = tmpdir()): Promise<{ value: unknown; bulk?: BulkRef }> {
  const found: Typed[] = [];
  const walk = (x: unknown): unknown => {
    const kind = kindOf(x);
    if (kind) {
      const t = x as Typed;
      if (t.byteLength < BULK_MIN_BYTES) return t;
      found.push(t);
      return { $bulk: found.length - 1 } satisfies Placeholder;
    }
    if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, walk(v)]));
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype) {
      return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
    }
    return x;
  };
  const out = walk(value);
  if (found.length === 0) return { value };
  const file = join(dir, `aura-lens-bulk-${process.pid}-${randomBytes(6).toString('hex')}.bin`);
  const arrays: BulkEntry[] = [];
  const fh = await open(file, 'w', 0o600);
  try {
    let offset = 0;
    for (const t of found) {
      arrays.push({ kind: kindOf(t)!, offset, length: t.length });
      await fh.write(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), 0, t.byteLength, offset);
      offset += Math.ceil(t.byteLength / 8) * 8;
    }
  } catch (e) {
    await fh.close();
    await rm(file, { force: true });
    throw e;
  }
  await fh.close();
  return { value: out, bulk: { file, arrays } };
}

/** Where an array sits in the value (keys and indices from the top), for readBulk's `shared` choice. */
export type BulkPath = readonly (string | number)[];

/**
 * The host's side: reads every array back (asynchronously, each into its own buffer), puts it where its
 * placeholder was, and removes the file. A missing or short file is an error naming it. Arrays for
 * which `shared(path)` holds get a SharedArrayBuffer: handing those to a worker thread (the
 * intervention fit) then costs nothing, where cloning 58 MB of maps held the thread ~330 ms.
 */
export async function readBulk(value: unknown, bulk: BulkRef, shared: (path: BulkPath) => boolean = () => false): Promise<unknown> {
  const paths: BulkPath[] = [];
  const find = (x: unknown, path: BulkPath): void => {
    if (ArrayBuffer.isView(x)) return;
    if (x instanceof Map) for (const [k, v] of x) find(v, [...path, String(k)]);
    else if (Array.isArray(x)) x.forEach((v, i) => find(v, [...path, i]));
    else if (x && typeof x === 'object') {
      const i = placeholderOf(x);
      if (i !== undefined) paths[i] = path;
      else for (const [k, v] of Object.entries(x)) find(v, [...path, k]);
    }
  };
  find(value, []);
  const fh = await open(bulk.file, 'r');
  const arrays: Typed[] = [];
  try {
    for (const [i, e] of bulk.arrays.entries()) {
      const bytes = e.length * KINDS[e.kind].BYTES_PER_ELEMENT;
      const buffer = paths[i] && shared(paths[i]) ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
      const t = new KINDS[e.kind](buffer as ArrayBuffer);
      const { bytesRead } = await fh.read(new Uint8Array(buffer), 0, bytes, e.offset);
      if (bytesRead !== bytes) throw new Error(`${bulk.file}: the model process's answer is truncated (${bytesRead} of ${bytes} bytes at ${e.offset})`);
      arrays.push(t);
    }
  } finally {
    await fh.close();
    await rm(bulk.file, { force: true });
  }
  const walk = (x: unknown): unknown => {
    if (ArrayBuffer.isView(x)) return x;
    if (x instanceof Map) return new Map([...x].map(([k, v]) => [k, walk(v)]));
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') {
      const i = placeholderOf(x);
      if (i === undefined) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, walk(v)]));
      const t = arrays[i];
      if (!t) throw new Error(`${bulk.file}: placeholder ${i} has no array`);
      return t;
    }
    return x;
  };
  return walk(value);
}

function placeholderOf(x: object): number | undefined {
  const i = (x as Partial<Placeholder>).$bulk;
  return typeof i === 'number' && Object.keys(x).length === 1 ? i : undefined;
}

/** A result message's file that will not be read (its call was cancelled): removed, errors ignored. */
export function dropBulk(bulk: BulkRef | undefined): void {
  if (bulk) void rm(bulk.file, { force: true }).catch(() => undefined);
}
