// One copy of the weights for models whose weights sit inside model.onnx. onnxruntime keeps (and can
// memory-map) weights it reads from external data by path, but weights inside a graph handed over as
// bytes are copied: once in JS, once in the serialised graph, once more per session. So the first open
// moves the inline initializers, byte for byte, into `weights.bin` of a cache entry, next to the graph
// stripped of them (`graph.onnx`); later opens read only the small graph, and every session's rewritten
// graph is written into the entry and loaded by path. The user's model folder is never written to.
// An entry is named by the source's content hash (content-hash.ts keeps it per file version), so a file
// replaced by another of the same size and mtime (cp -p, rsync -a, tar) can never be served the old
// weights; an entry whose weights file is not the size it was written with is removed and made again.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DataLocation, decodeModel, encodeModel, isExternal } from './proto';
import { HASHES_DIR, makeFolders } from './content-hash';
import { stripToWeightsFile } from './stream-strip';
import type { GraphProto, ModelProto, TensorProto } from './proto';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema } from 'onnx-buf';

export interface WeightCacheOptions {
  /** Root of the cache (default: $AURA_LENS_CACHE, else $XDG_CACHE_HOME/aura-lens, else ~/.cache/aura-lens). */
  cacheDir?: string;
  /** Graph files smaller than this keep their weights inline (default 32 MiB): three copies of little cost less than a cache entry. */
  externalizeAbove?: number;
}

export const WEIGHTS_FILE = 'weights.bin';
const GRAPH_FILE = 'graph.onnx';
const META_FILE = 'meta.json';
/** Entries kept besides the one in use; older ones are removed when a new one is made. */
const KEEP_ENTRIES = 4;
/** onnxruntime memory-maps external data whose offset is a multiple of the page size. */
const ALIGN = 4096;
/** Tensors this small stay inline: constants the rewrite and the optimizer read cheaply. */
const MIN_EXTERNAL_BYTES = 1024;

export function defaultCacheRoot(): string {
  if (process.env.AURA_LENS_CACHE) return process.env.AURA_LENS_CACHE;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.cache'), 'aura-lens');
}

export interface CachedGraph {
  model: ModelProto;
  /** The folder that holds weights.bin (external locations are relative to it). */
  dir: string;
  /** The digest of the original file, as computed when the entry was made. */
  digest: string;
}

interface Meta {
  /** The file the entry was first made from (for people reading the cache). */
  source: string;
  /** sha256 of the source's content: the entry's identity. */
  digest: string;
  /** Size of weights.bin as written: a shorter one (a full disk, a crash, a hand edit) is not used. */
  weightsBytes: number;
}

/** Key of a graph file: its content hash (the same bytes share one entry wherever they live). */
function entryKey(digest: string): string {
  return digest.slice(0, 32);
}

/**
 * The cached stripped graph of the source whose content hash is `digest`, or undefined when there is
 * none. A damaged entry (unreadable meta or graph, a weights file of another size) is removed, so the
 * caller makes it again instead of handing onnxruntime weights that would fail or be wrong.
 */
export function readCached(digest: string, o: WeightCacheOptions): CachedGraph | undefined {
  const root = o.cacheDir ?? defaultCacheRoot();
  const dir = join(root, entryKey(digest));
  if (!existsSync(dir)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(join(dir, META_FILE), 'utf8')) as Partial<Meta>;
    if (meta.digest !== digest || typeof meta.weightsBytes !== 'number') throw new Error('not this source');
    if (statSync(join(dir, WEIGHTS_FILE)).size !== meta.weightsBytes) throw new Error('weights file truncated');
    const model = decodeModel(readFileSync(join(dir, GRAPH_FILE)));
    if (!model.graph || model.graph.node.length === 0) throw new Error('no graph');
    const now = new Date();
    utimesSync(join(dir, META_FILE), now, now);
    return { model, dir, digest };
  } catch {
    removeEntry(dir);
    return undefined;
  }
}

/** Removes a damaged entry; a process still reading it keeps its open files (unlinked files live on). */
function removeEntry(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // A cache we cannot clean is read around: the caller falls back to the source.
  }
}

/**
 * Moves `model`'s inline initializers into a new cache entry for `realFile` and points them there.
 * Returns the entry, or undefined when the cache cannot be written (the model then keeps its weights
 * inline: it still works, with more memory).
 */
export function writeCached(realFile: string, model: ModelProto, digest: string, o: WeightCacheOptions): CachedGraph | undefined {
  // Decoded again from the entry (publishEntry reads it back): `model`'s small tensors are views into
  // the whole file's bytes, which would stay alive as long as it does.
  return publishEntry(realFile, digest, o, (tmp) => {
    writeWeights(model, join(tmp, WEIGHTS_FILE));
    writeFileSync(join(tmp, GRAPH_FILE), encodeModel(model));
    return digest;
  });
}

/**
 * Makes the cache entry for `realFile` straight from the file, holding one chunk of the weights at a
 * time (stream-strip.ts), instead of from a decoded copy of the whole file. Undefined when the file
 * needs the decoding path (external tensors, no nodes, anything unusual) or the cache cannot be written.
 */
export function writeCachedStreaming(realFile: string, digest: string, o: WeightCacheOptions): CachedGraph | undefined {
  return publishEntry(realFile, digest, o, (tmp) => {
    const stripped = stripToWeightsFile(realFile, join(tmp, WEIGHTS_FILE), WEIGHTS_FILE, MIN_EXTERNAL_BYTES, ALIGN, digest);
    if (!stripped || !onlyOurExternals(stripped.graphBytes)) return undefined;
    writeFileSync(join(tmp, GRAPH_FILE), stripped.graphBytes);
    return stripped.digest;
  });
}

/**
 * Writes an entry into a private folder with `fill` (which returns the source's digest, or undefined to
 * give up), then renames it into place, so a reader never sees half an entry. Another process may have
 * made the entry meanwhile, and may be reading it: theirs is kept. Undefined when nothing was made.
 */
function publishEntry(realFile: string, digest: string, o: WeightCacheOptions, fill: (tmp: string) => string | undefined): CachedGraph | undefined {
  const root = o.cacheDir ?? defaultCacheRoot();
  const key = entryKey(digest);
  const dir = join(root, key);
  const tmp = join(root, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    makeFolders(tmp);
    const filled = fill(tmp);
    // The source changed between hashing and copying: an entry under the old hash would hold the new weights.
    if (filled !== digest) {
      rmSync(tmp, { recursive: true, force: true });
      return undefined;
    }
    const meta: Meta = { source: realFile, digest, weightsBytes: statSync(join(tmp, WEIGHTS_FILE)).size };
    writeFileSync(join(tmp, META_FILE), JSON.stringify(meta));
    const theirs = readCached(digest, o);
    if (theirs) {
      rmSync(tmp, { recursive: true, force: true });
      return theirs;
    }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch {
    removeEntry(tmp);
    return undefined;
  }
  evictOld(root, key);
  return readCached(digest, o);
}

/** A decodable graph with nodes whose only external tensors are the main graph's initializers just moved (no data elsewhere to find). */
function onlyOurExternals(graphBytes: Uint8Array): boolean {
  let model: ModelProto;
  try {
    model = decodeModel(graphBytes);
  } catch {
    return false;
  }
  const g = model.graph;
  if (!g || g.node.length === 0) return false;
  const subgraphExternal = (n: GraphProto['node'][number]): boolean =>
    n.attribute.some((a) => (a.t && isExternal(a.t)) || a.tensors.some(isExternal) || (a.g && (hasExternalTensors(a.g) || a.g.node.some(subgraphExternal))) || a.graphs.some((sg) => hasExternalTensors(sg) || sg.node.some(subgraphExternal)));
  if (g.node.some(subgraphExternal)) return false;
  return g.initializer.every((t) => !isExternal(t) || (t.externalData.length === 3 && t.externalData[0]!.value === WEIGHTS_FILE));
}

/** Writes every sizeable inline tensor's bytes to `file` and turns the tensor into an external reference. */
function writeWeights(model: ModelProto, file: string): void {
  const fd = openSync(file, 'w');
  let offset = 0;
  try {
    for (const t of inlineTensors(model.graph!)) {
      const bytes = t.rawData;
      if (bytes.length < MIN_EXTERNAL_BYTES) continue;
      const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
      if (pad) offset += writeSync(fd, new Uint8Array(pad));
      const at = offset;
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      offset += bytes.length;
      t.rawData = new Uint8Array(0);
      t.dataLocation = DataLocation.EXTERNAL;
      t.externalData = [
        create(StringStringEntryProtoSchema, { key: 'location', value: WEIGHTS_FILE }),
        create(StringStringEntryProtoSchema, { key: 'offset', value: String(at) }),
        create(StringStringEntryProtoSchema, { key: 'length', value: String(bytes.length) }),
      ];
    }
  } finally {
    closeSync(fd);
  }
}

/** Initializers (of the main graph and of every subgraph) whose bytes are inline raw_data. */
function* inlineTensors(g: GraphProto): Generator<TensorProto> {
  for (const t of g.initializer) if (!isExternal(t) && t.rawData.length > 0) yield t;
  for (const n of g.node) {
    for (const a of n.attribute) {
      if (a.g) yield* inlineTensors(a.g);
      for (const sub of a.graphs) yield* inlineTensors(sub);
    }
  }
}

/** Keeps the newest entries; a removed entry still mapped by a running process stays readable to it (unlinked files live on). */
function evictOld(root: string, keep: string): void {
  try {
    const entries = readdirSync(root)
      .filter((n) => n !== keep && n !== HASHES_DIR && !n.startsWith('.'))
      .map((n) => ({ n, t: existsSync(join(root, n, META_FILE)) ? statSync(join(root, n, META_FILE)).mtimeMs : 0 }))
      .sort((a, b) => b.t - a.t);
    for (const e of entries.slice(KEEP_ENTRIES)) rmSync(join(root, e.n), { recursive: true, force: true });
  } catch {
    // Cleaning up is best effort: a cache we cannot list is no reason to fail the open.
  }
}

export function hasExternalTensors(g: GraphProto): boolean {
  for (const t of g.initializer) if (isExternal(t)) return true;
  for (const n of g.node) for (const a of n.attribute) if ((a.g && hasExternalTensors(a.g)) || a.graphs.some(hasExternalTensors)) return true;
  return false;
}
