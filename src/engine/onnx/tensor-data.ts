// Reading and writing initializer values (float32 and float16), inline or in external data files.
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { halfToFloat } from '../tensors';
import { DataType, externalEntry, externalLength, isExternal, makeTensor, tensorDims } from './proto';
import type { TensorProto } from './proto';

/** The raw little-endian bytes of a tensor, from raw_data or its external file. */
export function tensorBytes(t: TensorProto, dir: string): Uint8Array {
  if (!isExternal(t)) return t.rawData;
  const file = join(dir, externalEntry(t, 'location')!);
  const offset = Number(externalEntry(t, 'offset') ?? 0);
  const length = externalLength(t);
  const out = new Uint8Array(length);
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    while (got < length) {
      const n = readSync(fd, out, got, length - got, offset + got);
      if (n === 0) throw new Error(`${file}: external data of ${t.name} ends early`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

export function readFloats(t: TensorProto, dir: string): Float32Array {
  const count = tensorDims(t).reduce((a, b) => a * b, 1);
  if (t.dataType === DataType.FLOAT) {
    if (!isExternal(t) && t.rawData.length === 0) return Float32Array.from(t.floatData);
    const b = tensorBytes(t, dir);
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + count * 4));
  }
  if (t.dataType === DataType.FLOAT16) {
    if (!isExternal(t) && t.rawData.length === 0) return halfToFloat(Uint16Array.from(t.int32Data));
    const b = tensorBytes(t, dir);
    return halfToFloat(new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + count * 2)));
  }
  throw new Error(`tensor ${t.name}: expected float32 or float16 values, found data type ${t.dataType}`);
}

/** A new tensor of `like`'s element type (float32 or float16) holding `values`. */
export function floatTensorLike(like: TensorProto, name: string, dims: number[], values: Float32Array): TensorProto {
  if (like.dataType === DataType.FLOAT16) return makeTensor(name, DataType.FLOAT16, dims, new Uint8Array(floatToHalf(values).buffer));
  return makeTensor(name, DataType.FLOAT, dims, new Uint8Array(Float32Array.from(values).buffer));
}

export function floatToHalf(f: Float32Array): Uint16Array {
  const out = new Uint16Array(f.length);
  const view = new DataView(new ArrayBuffer(4));
  for (let i = 0; i < f.length; i++) {
    view.setFloat32(0, f[i]!);
    const x = view.getUint32(0);
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    let mant = x & 0x7fffff;
    if (((x >>> 23) & 0xff) === 0xff) out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
    else if (exp >= 31) out[i] = sign | 0x7c00;
    else if (exp <= 0) {
      if (exp < -10) out[i] = sign;
      else {
        mant |= 0x800000;
        const shift = 14 - exp;
        let h = mant >> shift;
        if ((mant >> (shift - 1)) & 1 && ((mant & ((1 << (shift - 1)) - 1)) !== 0 || h & 1)) h++;
        out[i] = sign | h;
      }
    } else {
      let h = sign | (exp << 10) | (mant >> 13);
      if ((mant & 0x1000) !== 0 && ((mant & 0xfff) !== 0 || (h & 1) !== 0)) h++;
      out[i] = h;
    }
  }
  return out;
}
