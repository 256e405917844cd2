// Moves a big model.onnx's inline initializers to the weight cache without reading the file into
// memory: the protobuf is walked field by field with positional reads, each initializer's raw_data is
// copied to weights.bin in chunks, and only the rest (the graph, KB to MB) is held. Reading the whole
// file and decoding it (the fallback in load.ts) held a full copy of the weights in JS while writing
// the cache, 1.2x the weights on a model's first open; this holds one chunk.
// The result equals what weight-cache.ts's writeWeights makes from the decoded model: the same
// weights.bin byte for byte (same order, alignment and size threshold) and the same graph once decoded.
// Anything unusual (external tensors already, a second graph field, a malformed file) returns
// undefined and the caller takes the decoding path, which has the full checks and error messages.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema, TensorProtoSchema } from 'onnx-buf';
import { DataLocation, isExternal } from './proto';

/** Bytes copied per read while moving weights and hashing. */
const CHUNK = 8 * 1024 ** 2;

/** Field numbers (onnx.proto3). */
const MODEL_GRAPH = 7;
const GRAPH_INITIALIZER = 5;
const TENSOR_RAW_DATA = 9;

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

export interface StrippedGraph {
  /** The model without its sizeable inline initializers' bytes (they point into the weights file). */
  graphBytes: Uint8Array;
  /** sha256 of the whole source file, as the decoding path computes it (or the caller's, when given). */
  digest: string;
}

/** Raised on anything the streaming path does not handle; the caller falls back to decoding. */
class Unsupported extends Error {}

/**
 * Writes `file`'s inline initializers of at least `minBytes` to `weightsFile` (each aligned to `align`)
 * and returns the stripped model, or undefined when the file needs the decoding path.
 */
export function stripToWeightsFile(file: string, weightsFile: string, weightsName: string, minBytes: number, align: number, knownDigest?: string): StrippedGraph | undefined {
  const src = openSync(file, 'r');
  let dst: number | undefined;
  try {
    const size = fstatSync(src).size;
    const r = new Reader(src, size);
    dst = openSync(weightsFile, 'w');
    const out = new WeightsOut(dst, align);
    const top: Uint8Array[] = [];
    let graphs = 0;
    r.fields(0, size, (field, wire, start, valueAt, end) => {
      if (field === MODEL_GRAPH && wire === LEN) {
        if (++graphs > 1) throw new Unsupported('two graph fields');
        const graph = stripGraph(r, valueAt, end, out, weightsName, minBytes);
        top.push(tag(MODEL_GRAPH, LEN), varint(graph.length), graph);
      } else {
        top.push(r.bytes(start, end));
      }
    });
    if (graphs !== 1) return undefined;
    // A caller that hashed the file already (content-hash.ts) is not made to read it a third time.
    return { graphBytes: concat(top), digest: knownDigest ?? hashFile(src, size) };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  } finally {
    closeSync(src);
    if (dst !== undefined) closeSync(dst);
  }
}

function stripGraph(r: Reader, from: number, to: number, out: WeightsOut, weightsName: string, minBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  r.fields(from, to, (field, wire, start, valueAt, end) => {
    if (field === GRAPH_INITIALIZER && wire === LEN) {
      const t = stripTensor(r, valueAt, end, out, weightsName, minBytes);
      parts.push(tag(GRAPH_INITIALIZER, LEN), varint(t.length), t);
    } else {
      parts.push(r.bytes(start, end));
    }
  });
  return concat(parts);
}

/** One initializer: its fields but raw_data decoded; raw_data of minBytes or more moved to the weights file. */
function stripTensor(r: Reader, from: number, to: number, out: WeightsOut, weightsName: string, minBytes: number): Uint8Array {
  const rest: Uint8Array[] = [];
  let raw: { at: number; length: number } | undefined;
  r.fields(from, to, (field, wire, start, valueAt, end) => {
    // The last raw_data wins, as in a decoder.
    if (field === TENSOR_RAW_DATA && wire === LEN) raw = { at: valueAt, length: end - valueAt };
    else rest.push(r.bytes(start, end));
  });
  const t = fromBinary(TensorProtoSchema, concat(rest));
  if (isExternal(t)) throw new Unsupported('external tensor');
  if (!raw || raw.length < minBytes) return r.bytes(from, to);
  const at = out.copy(r, raw.at, raw.length);
  // An empty raw_data, present (onnx.proto is proto2), as writeWeights leaves it.
  t.rawData = new Uint8Array(0);
  t.dataLocation = DataLocation.EXTERNAL;
  t.externalData = [
    create(StringStringEntryProtoSchema, { key: 'location', value: weightsName }),
    create(StringStringEntryProtoSchema, { key: 'offset', value: String(at) }),
    create(StringStringEntryProtoSchema, { key: 'length', value: String(raw.length) }),
  ];
  return toBinary(TensorProtoSchema, t);
}

/** Appends tensors' bytes to the weights file, each starting at a multiple of `align`. */
class WeightsOut {
  private offset = 0;
  constructor(
    private readonly fd: number,
    private readonly align: number,
  ) {}

  copy(r: Reader, at: number, length: number): number {
    const pad = (this.align - (this.offset % this.align)) % this.align;
    if (pad) this.write(new Uint8Array(pad));
    const start = this.offset;
    for (let done = 0; done < length; ) {
      const chunk = r.bytes(at + done, at + Math.min(length, done + CHUNK));
      this.write(chunk);
      done += chunk.length;
    }
    return start;
  }

  private write(b: Uint8Array): void {
    let done = 0;
    while (done < b.length) done += writeSync(this.fd, b, done, b.length - done);
    this.offset += b.length;
  }
}

/** Positional reads of a protobuf file, field by field. */
class Reader {
  private readonly head = Buffer.alloc(16);
  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  bytes(from: number, to: number): Uint8Array {
    if (from < 0 || to > this.size || to < from) throw new Unsupported('field past the end of the file');
    const b = Buffer.allocUnsafeSlow(to - from);
    let done = 0;
    while (done < b.length) {
      const n = readSync(this.fd, b, done, b.length - done, from + done);
      if (n === 0) throw new Unsupported('file shorter than it said');
      done += n;
    }
    return b;
  }

  /** Calls `each` for every field in [from, to): number, wire type, where its tag starts, where its value starts, its end. */
  fields(from: number, to: number, each: (field: number, wire: number, start: number, valueAt: number, end: number) => void): void {
    let pos = from;
    while (pos < to) {
      const start = pos;
      const [key, afterKey] = this.varint(pos, to);
      const field = Math.floor(key / 8);
      const wire = key % 8;
      if (field === 0) throw new Unsupported('field number 0');
      let valueAt = afterKey;
      let end: number;
      if (wire === VARINT) end = this.varint(afterKey, to)[1];
      else if (wire === I64) end = afterKey + 8;
      else if (wire === I32) end = afterKey + 4;
      else if (wire === LEN) {
        const [n, at] = this.varint(afterKey, to);
        valueAt = at;
        end = at + n;
      } else throw new Unsupported(`wire type ${wire}`);
      if (end > to) throw new Unsupported('field past its message');
      each(field, wire, start, valueAt, end);
      pos = end;
    }
  }

  private varint(at: number, to: number): [number, number] {
    const n = readSync(this.fd, this.head, 0, Math.min(10, to - at), at);
    let v = 0;
    let mul = 1;
    for (let i = 0; i < n; i++) {
      const b = this.head[i]!;
      v += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (!Number.isSafeInteger(v)) throw new Unsupported('varint too large');
        return [v, at + i + 1];
      }
      mul *= 128;
    }
    throw new Unsupported('truncated varint');
  }
}

function hashFile(fd: number, size: number): string {
  const h = createHash('sha256');
  const b = Buffer.allocUnsafeSlow(Math.min(CHUNK, Math.max(size, 1)));
  for (let at = 0; at < size; ) {
    const n = readSync(fd, b, 0, Math.min(b.length, size - at), at);
    if (n === 0) throw new Unsupported('file shorter than it said');
    h.update(b.subarray(0, n));
    at += n;
  }
  return h.digest('hex');
}

function tag(field: number, wire: number): Uint8Array {
  return varint(field * 8 + wire);
}

function varint(v: number): Uint8Array {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Uint8Array.from(out);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
