// Reads an .onnx file's graph. Weights stored as external data stay on disk: only the graph (KB to MB)
// enters memory, and every external-data location is checked to stay inside the model's folder.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { UserError, userErrorFrom } from '../errors';
import { decodeModel, externalEntry, isExternal } from './proto';
import type { GraphProto, ModelProto, TensorProto } from './proto';

export interface LoadedGraph {
  file: string;
  model: ModelProto;
  /** Distinct external-data files the graph reads, relative to the graph's folder. */
  externalFiles: string[];
  /** sha256 of the graph file (external weights are identified by their names and sizes). */
  digest: string;
  /** The file as exported, for the session that runs the unmodified model. */
  bytesOnDisk(): Uint8Array;
}

export function loadOnnx(file: string): LoadedGraph {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw userErrorFrom(file, 'cannot be read', e);
  }
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw userErrorFrom(file, 'is not a valid ONNX model', e);
  }
  if (!model.graph || model.graph.node.length === 0) throw new UserError(`${file}: is not a valid ONNX model (no graph nodes)`);
  const externalFiles = checkExternalData(file, model.graph);
  const hash = createHash('sha256').update(bytes);
  for (const f of externalFiles) hash.update(`${f}:${statSync(resolve(dirname(file), f)).size}`);
  return { file, model, externalFiles, digest: hash.digest('hex'), bytesOnDisk: () => readFileSync(file) };
}

function checkExternalData(file: string, graph: GraphProto): string[] {
  const dir = realpathSync(dirname(file));
  const locations = new Set<string>();
  for (const t of allTensors(graph)) {
    if (!isExternal(t)) continue;
    const loc = externalEntry(t, 'location');
    if (!loc) throw new UserError(`${file}: initializer ${t.name} is external but names no location`);
    if (isAbsolute(loc) || loc.split(/[\\/]/).includes('..')) {
      throw new UserError(`${file}: external data location "${loc}" of ${t.name} leaves the model folder`);
    }
    const p = resolve(dir, loc);
    if (!existsSync(p)) throw new UserError(`${file}: external data file "${loc}" is missing`);
    // A symlink inside the folder could still lead out of it.
    const real = realpathSync(p);
    if (!real.startsWith(dir + sep)) throw new UserError(`${file}: external data location "${loc}" leaves the model folder`);
    locations.add(loc);
  }
  return [...locations];
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
