// Conversions between JS arrays and ORT tensors. Node 20 has no Float16Array, so fp16 data arrives
// as Uint16Array bit patterns (as transformers.js handles it) and is widened here.
import { ort } from './ort-session';

export function toFloat32(t: ort.Tensor): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') return halfToFloat(t.data as unknown as Uint16Array);
  throw new Error(`expected a float tensor, got ${t.type}`);
}

export function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!;
    const sign = x & 0x8000 ? -1 : 1;
    const exp = (x >> 10) & 0x1f;
    const frac = x & 0x3ff;
    if (exp === 0) out[i] = sign * 2 ** -14 * (frac / 1024);
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}

/** Integer tensor of the element type the graph declares (7 = int64, 6 = int32). */
export function intTensor(elemType: number | undefined, values: ArrayLike<number>, dims: number[]): ort.Tensor {
  if (elemType === 6) return new ort.Tensor('int32', Int32Array.from(values), dims);
  const b = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) b[i] = BigInt(values[i]!);
  return new ort.Tensor('int64', b, dims);
}

export function emptyTensor(type: 'float32' | 'float16', dims: number[]): ort.Tensor {
  const size = dims.reduce((a, b) => a * b, 1);
  return type === 'float16'
    ? new ort.Tensor('float16', new Uint16Array(size) as unknown as Float32Array, dims)
    : new ort.Tensor('float32', new Float32Array(size), dims);
}
