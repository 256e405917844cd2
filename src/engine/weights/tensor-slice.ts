// Reads a few elements of one initializer without loading the model's weights: from the graph's own
// raw_data when the tensor is inline, otherwise from its external data file at the recorded offset.
// Standalone on purpose (it needs only the TensorProto and the graph's folder), so it does not depend
// on how the engine keeps weights for inference.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors';
import { halfToFloat } from '../tensors';
import { DataType, externalEntry, isExternal } from '../onnx/proto';
import type { TensorProto } from '../onnx/proto';

const BYTES: Partial<Record<number, number>> = { [DataType.FLOAT]: 4, [DataType.FLOAT16]: 2, [DataType.BFLOAT16]: 2 };

/** Whether values of this element type can be read as floats (not a quantised or integer tensor). */
export function isFloatTensor(t: TensorProto): boolean {
  return BYTES[t.dataType] !== undefined;
}

/**
 * Elements start, start + stride, ... (count of them) of `t` in row-major order, as float32.
 * `dir` is the folder of the .onnx file (external locations are relative to it).
 */
export function readElements(t: TensorProto, dir: string, start: number, count: number, stride = 1): Float32Array {
  const size = BYTES[t.dataType];
  if (size === undefined) throw new UserError(`${t.name}: weights of ONNX data type ${t.dataType} are not float32/float16/bfloat16 (quantised?)`);
  const out = new Float32Array(count);
  if (!isExternal(t) && t.rawData.length === 0) {
    // Typed fields: float_data for float32, int32_data holds float16/bfloat16 bit patterns.
    const src = t.dataType === DataType.FLOAT ? t.floatData : t.int32Data;
    const bits = new Uint16Array(count);
    for (let k = 0; k < count; k++) {
      const v = src[start + k * stride];
      if (v === undefined) throw new UserError(`${t.name}: stored values end before element ${start + k * stride}`);
      if (t.dataType === DataType.FLOAT) out[k] = v;
      else bits[k] = v;
    }
    return t.dataType === DataType.FLOAT ? out : decode16(t.dataType, bits);
  }
  const span = (count - 1) * stride + 1;
  // One contiguous read when the elements are adjacent or the gaps are small; else one read each.
  if (stride === 1 || span * size <= 1 << 20) return pick(t, readBytes(t, dir, start * size, span * size), size, count, stride);
  const parts = new Float32Array(count);
  for (let k = 0; k < count; k++) parts[k] = pick(t, readBytes(t, dir, (start + k * stride) * size, size), size, 1, 1)[0]!;
  return parts;
}

function pick(t: TensorProto, bytes: Uint8Array, size: number, count: number, stride: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 4) {
    const out = new Float32Array(count);
    for (let k = 0; k < count; k++) out[k] = view.getFloat32(k * stride * 4, true);
    return out;
  }
  const bits = new Uint16Array(count);
  for (let k = 0; k < count; k++) bits[k] = view.getUint16(k * stride * 2, true);
  return decode16(t.dataType, bits);
}

function decode16(type: number, bits: Uint16Array): Float32Array {
  if (type === DataType.FLOAT16) return halfToFloat(bits);
  const u = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) u[i] = bits[i]! << 16;
  return new Float32Array(u.buffer);
}

function readBytes(t: TensorProto, dir: string, offset: number, length: number): Uint8Array {
  if (!isExternal(t)) {
    if (offset + length > t.rawData.length) throw new UserError(`${t.name}: raw_data holds ${t.rawData.length} bytes, expected at least ${offset + length}`);
    return t.rawData.subarray(offset, offset + length);
  }
  const location = externalEntry(t, 'location');
  if (!location) throw new UserError(`${t.name}: external data names no location`);
  const file = join(dir, location);
  const base = Number(externalEntry(t, 'offset') ?? 0);
  const stored = externalEntry(t, 'length');
  if (stored !== undefined && offset + length > Number(stored)) throw new UserError(`${file}: ${t.name} holds ${stored} bytes, expected at least ${offset + length}`);
  const out = new Uint8Array(length);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new UserError(`${file}: cannot read the external data of ${t.name} (${e instanceof Error ? e.message : String(e)})`);
  }
  try {
    let got = 0;
    while (got < length) {
      const n = readSync(fd, out, got, length - got, base + offset + got);
      if (n === 0) throw new UserError(`${file}: external data of ${t.name} ends early (truncated file?)`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}
