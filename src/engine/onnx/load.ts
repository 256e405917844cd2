// Reads an .onnx file's graph without keeping its weights in JS. External weights stay on disk; inline
// weights of a large graph move once to the weight cache (weight-cache.ts), so only the graph (KB to MB)
// stays in memory and onnxruntime reads the weights by path. Every external-data location is checked to
// stay inside the model's folder (a Hugging Face hub snapshot's own cache counts as inside) and to hold
// the bytes the graph says it does.
import { createHash } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema } from 'onnx-buf';
import { UserError, userErrorFrom } from '../errors';
import { decodeModel, externalEntry, externalLength, isExternal } from './proto';
import { contentHash } from './content-hash';
import { WEIGHTS_FILE, defaultCacheRoot, hasExternalTensors, readCached, writeCached, writeCachedStreaming } from './weight-cache';
import type { WeightCacheOptions } from './weight-cache';
import type { GraphProto, ModelProto, TensorProto } from './proto';

export interface LoadedGraph {
  /** The graph file as the user gave it (for messages). */
  file: string;
  /** The graph; its external locations are relative to `dataDir`. */
  model: ModelProto;
  /** Where the external weights are: the graph's folder, the real folder behind a hub snapshot, or a cache entry. */
  dataDir: string;
  /** Distinct external-data files the graph reads, relative to `dataDir`. */
  externalFiles: string[];
  /** sha256 of the graph file and of every external file's name, size and content (the model fingerprint's part). */
  digest: string;
  /** Real paths of the files the model is read from: the graph and its external weights (not the cache). */
  sources: string[];
}

export function loadOnnx(file: string, cache: WeightCacheOptions = {}): LoadedGraph {
  let real: string;
  let size: number;
  try {
    real = realpathSync(file);
    size = statSync(real).size;
  } catch (e) {
    throw userErrorFrom(file, 'cannot be read', e);
  }
  const big = size >= (cache.externalizeAbove ?? 32 * 1024 ** 2);
  // A big graph's weights are served from the entry named by its content hash (once per file version).
  const digest = big ? sourceHash(file, real, cache) : undefined;
  const cached = digest ? readCached(digest, cache) : undefined;
  if (cached) return { file, model: cached.model, dataDir: cached.dir, externalFiles: [WEIGHTS_FILE], digest: cached.digest, sources: [real] };
  // First open of a big model with inline weights: moved to the cache a chunk at a time, never held whole.
  const streamed = digest ? writeCachedStreaming(real, digest, cache) : undefined;
  if (streamed) return { file, model: streamed.model, dataDir: streamed.dir, externalFiles: [WEIGHTS_FILE], digest: streamed.digest, sources: [real] };
  const loaded = readWhole(file, real, big, cache);
  // The whole file's bytes were only read to move them to the cache: let them go before onnxruntime loads.
  if (loaded.dataDir !== dirname(file) && loaded.externalFiles[0] === WEIGHTS_FILE && big) releaseFileBuffer();
  return loaded;
}

/** Reads and decodes the whole file; a big graph with inline weights moves them to the cache. */
function readWhole(file: string, real: string, big: boolean, cache: WeightCacheOptions): LoadedGraph {
  const bytes = readBytes(file);
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw userErrorFrom(file, 'is not a valid ONNX model', e);
  }
  if (!model.graph || model.graph.node.length === 0) throw new UserError(`${file}: is not a valid ONNX model (no graph nodes)`);
  const { dataDir, externalFiles, sizes, reals } = checkExternalData(file, model.graph);
  const sources = [real, ...reals];
  const digest = externalFiles.length === 0 ? createHash('sha256').update(bytes).digest('hex') : withExternalContent(file, bytes, sizes, reals, cache);
  if (big && externalFiles.length === 0 && !hasExternalTensors(model.graph)) {
    // The entry's graph is decoded afresh: `model`'s small tensors are views into the whole file's bytes.
    const entry = writeCached(real, model, digest, cache);
    if (entry) return { file, model: entry.model, dataDir: entry.dir, externalFiles: [WEIGHTS_FILE], digest, sources };
    // The cache could not be written (a full disk): the attempt may have pointed some tensors at a
    // weights file that does not exist, so the graph is decoded again with every weight inline.
    model = decodeModel(bytes);
  }
  return { file, model, dataDir, externalFiles, digest, sources };
}

function sourceHash(file: string, real: string, cache: WeightCacheOptions): string {
  try {
    return contentHash(real, cache.cacheDir ?? defaultCacheRoot()).sha256;
  } catch (e) {
    throw userErrorFrom(file, 'cannot be read', e);
  }
}

/**
 * A graph with external data is identified by its own bytes and, for each data file, its location, size
 * and the sha256 of its content (from the hash records, so a file is read once per version): a
 * fine-tuned checkpoint of the same architecture differs only there.
 */
function withExternalContent(file: string, graphBytes: Uint8Array, sizes: [string, number][], reals: string[], cache: WeightCacheOptions): string {
  const root = cache.cacheDir ?? defaultCacheRoot();
  const hash = createHash('sha256').update(graphBytes);
  sizes.forEach(([loc, n], i) => {
    let content: string;
    try {
      content = contentHash(reals[i]!, root).sha256;
    } catch (e) {
      throw userErrorFrom(`${file}: external data file "${loc}"`, 'cannot be read', e);
    }
    hash.update(`${loc}:${n}:${content}\n`);
  });
  return hash.digest('hex');
}

/**
 * The file's bytes (the weights) are garbage once the cache entry holds them, but V8 may keep them until
 * a later collection, after onnxruntime has allocated the session: one extra copy at the peak. So a full
 * collection is asked for here, through V8's own gc function (best effort: without it, only the peak grows).
 */
function releaseFileBuffer(): void {
  try {
    v8.setFlagsFromString('--expose-gc');
    (vm.runInNewContext('gc') as () => void)();
  } catch {
    // No gc function here: the buffer goes at V8's next collection.
  }
}

function readBytes(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw userErrorFrom(file, 'cannot be read', e);
  }
}

/**
 * Checks every external location and returns where the weights really are. In a Hugging Face hub
 * snapshot (`models--org--name/snapshots/REV/`) the files are symlinks into `../../blobs`; onnxruntime
 * refuses data outside the graph's folder, so such a graph's locations are rewritten to the blob names
 * and its sessions are made next to the blobs.
 */
function checkExternalData(file: string, graph: GraphProto): { dataDir: string; externalFiles: string[]; sizes: [string, number][]; reals: string[] } {
  const dir = realpathSync(dirname(file));
  const root = hubRepoRoot(resolve(dirname(file))) ?? dir;
  const byLoc = new Map<string, { real: string; size: number }>();
  for (const t of allTensors(graph)) {
    if (!isExternal(t)) continue;
    const loc = externalEntry(t, 'location');
    if (!loc) throw new UserError(`${file}: initializer ${t.name} is external but names no location`);
    if (isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) {
      throw new UserError(`${file}: external data location "${loc}" of ${t.name} leaves the model folder`);
    }
    let f = byLoc.get(loc);
    if (!f) {
      const p = resolve(dir, loc);
      if (!existsSync(p)) throw new UserError(`${file}: external data file "${loc}" is missing`);
      // A symlink inside the folder could still lead out of it.
      const real = realpathSync(p);
      if (!real.startsWith(root + sep)) throw new UserError(`${file}: external data location "${loc}" leaves the model folder`);
      f = { real, size: statSync(real).size };
      byLoc.set(loc, f);
    }
    const offset = Number(externalEntry(t, 'offset') ?? 0);
    const end = offset + externalLength(t);
    if (!Number.isSafeInteger(end) || end > f.size) {
      throw new UserError(`${file}: external data file "${loc}" is truncated or does not match the graph (${t.name} needs bytes up to ${end}, the file has ${f.size})`);
    }
  }
  const sizes = [...byLoc].map(([loc, f]) => [loc, f.size] as [string, number]);
  const reals = [...byLoc.values()].map((f) => f.real);
  const outside = [...byLoc.values()].some((f) => dirname(f.real) !== dir);
  if (!outside) return { dataDir: dirname(file), externalFiles: [...byLoc.keys()], sizes, reals };
  const realDirs = new Set([...byLoc.values()].map((f) => dirname(f.real)));
  if (realDirs.size !== 1) throw new UserError(`${file}: external data files resolve to several folders (${[...realDirs].slice(0, 2).join(', ')}); expected them together`);
  for (const t of allTensors(graph)) {
    if (!isExternal(t)) continue;
    const blob = basename(byLoc.get(externalEntry(t, 'location')!)!.real);
    t.externalData = t.externalData.map((e) => (e.key === 'location' ? create(StringStringEntryProtoSchema, { key: 'location', value: blob }) : e));
  }
  return { dataDir: [...realDirs][0]!, externalFiles: [...byLoc.values()].map((f) => basename(f.real)), sizes, reals };
}

/** The repository folder of a hub cache snapshot (`.../models--org--name` for `.../snapshots/REV[/sub]`), real path. */
function hubRepoRoot(dir: string): string | undefined {
  const parts = dir.split(sep);
  const at = parts.lastIndexOf('snapshots');
  if (at < 1 || !/^(models|datasets|spaces)--/.test(parts[at - 1]!)) return undefined;
  const repo = parts.slice(0, at).join(sep) || sep;
  return existsSync(join(repo, 'blobs')) ? realpathSync(repo) : undefined;
}

function* allTensors(graph: GraphProto): Generator<TensorProto> {
  yield* graph.initializer;
  for (const n of graph.node) {
    for (const a of n.attribute) {
      if (a.t) yield a.t;
      for (const t of a.tensors) yield t;
      if (a.g) yield* allTensors(a.g);
      for (const g of a.graphs) yield* allTensors(g);
    }
  }
}
