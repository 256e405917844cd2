/**
 * One cache file in a profile folder: a JSON header line, then the typed arrays back to back.
 * The header names the key the content was computed for, each array (name, element type, length),
 * the payload's size and its SHA-256, so a truncated, padded or altered file is recognised on read
 * and never taken for data. Written atomically (temporary file, fsync, rename): a kill mid-write
 * leaves the old file or the new one.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { atomicWriteStream } from '../atomic-write';

export const CACHE_FORMAT = 'aura-lens.cache';
export const CACHE_FILE_VERSION = 1;

export type CachedArray = Float64Array | Float32Array | Uint8Array;
const TYPES = { f64: Float64Array, f32: Float32Array, u8: Uint8Array } as const;
type TypeName = keyof typeof TYPES;

const HeaderSchema = v.object({
  format: v.literal(CACHE_FORMAT),
  version: v.literal(CACHE_FILE_VERSION),
  kind: v.string(),
  key: v.string(),
  meta: v.unknown(),
  arrays: v.array(v.object({ name: v.string(), type: v.picklist(['f64', 'f32', 'u8']), length: v.pipe(v.number(), v.integer(), v.minValue(0)) })),
  bytes: v.pipe(v.number(), v.integer(), v.minValue(0)),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});

/** A header longer than this is not ours (the metadata of a million-neuron profile is a few KB). */
const MAX_HEADER = 16 << 20;

function typeOf(a: CachedArray): TypeName {
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Float32Array) return 'f32';
  return 'u8';
}

const bytesOf = (a: CachedArray) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes `arrays` and `meta` (plain JSON) under `key`, atomically. Returns the bytes written. */
export async function writeCacheFile(path: string, kind: string, key: string, meta: unknown, arrays: ReadonlyMap<string, CachedArray>): Promise<number> {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const a of arrays.values()) {
    hash.update(bytesOf(a));
    bytes += a.byteLength;
  }
  const header = {
    format: CACHE_FORMAT,
    version: CACHE_FILE_VERSION,
    kind,
    key,
    meta,
    arrays: [...arrays].map(([name, a]) => ({ name, type: typeOf(a), length: a.length })),
    bytes,
    sha256: hash.digest('hex'),
  };
  return atomicWriteStream(path, [`${JSON.stringify(header)}\n`, ...[...arrays.values()].map(bytesOf)]);
}

export interface CacheContent {
  meta: unknown;
  arrays: Map<string, CachedArray>;
}

/**
 * The file's content when it is a complete cache file of `kind` computed for `key`; otherwise an
 * Error saying why not (missing, another key, truncated, altered), for the caller's log line.
 */
export function readCacheFile(path: string, kind: string, key: string): CacheContent | Error {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    return new Error((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no cache yet' : `unreadable (${(e as Error).message})`);
  }
  const nl = buf.subarray(0, MAX_HEADER).indexOf(0x0a);
  if (nl < 0) return new Error('no header line (truncated or not a cache file)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.subarray(0, nl).toString('utf8'));
  } catch {
    return new Error('its header is not JSON (truncated or not a cache file)');
  }
  const h = v.safeParse(HeaderSchema, parsed);
  if (!h.success) return new Error(`its header is not a ${CACHE_FORMAT} version ${CACHE_FILE_VERSION} header`);
  const head = h.output;
  if (head.kind !== kind) return new Error(`it holds ${head.kind}, not ${kind}`);
  if (head.key !== key) return new Error('it was computed for another profile content or other settings');
  const payload = buf.subarray(nl + 1);
  if (payload.length !== head.bytes) return new Error(`its data is ${payload.length} bytes, the header says ${head.bytes} (truncated or padded)`);
  const declared = head.arrays.reduce((n, a) => n + a.length * TYPES[a.type].BYTES_PER_ELEMENT, 0);
  if (declared !== head.bytes) return new Error('its arrays do not add up to its data size');
  if (createHash('sha256').update(payload).digest('hex') !== head.sha256) return new Error('its data does not match its checksum (altered)');
  const arrays = new Map<string, CachedArray>();
  let off = 0;
  for (const a of head.arrays) {
    const size = a.length * TYPES[a.type].BYTES_PER_ELEMENT;
    // A copy: the payload's offset in the file need not be aligned for the element type.
    const out = new TYPES[a.type](a.length);
    new Uint8Array(out.buffer).set(payload.subarray(off, off + size));
    arrays.set(a.name, out);
    off += size;
  }
  return { meta: head.meta, arrays };
}
