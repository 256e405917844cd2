/**
 * Float codecs for checkpoint tensors. Folded values are rounded to the stored dtype the way PyTorch's
 * `.to(dtype)` rounds (to nearest, ties to even), so a fold made here and one made in PyTorch agree to
 * the byte. Values come and go as little-endian bytes, one chunk at a time.
 */
export type FloatDtype = 'F32' | 'F16' | 'BF16';

/** Every safetensors dtype and its width; only the float ones are ever rewritten, the rest are copied. */
export const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
  F8_E4M3: 1, F8_E5M2: 1,
};

export const FLOAT_DTYPES: readonly FloatDtype[] = ['F32', 'F16', 'BF16'];

export function isFloatDtype(d: string): d is FloatDtype {
  return (FLOAT_DTYPES as readonly string[]).includes(d);
}

/** The --dtype names as PyTorch and config.json's torch_dtype spell them. */
export const TORCH_NAME: Record<FloatDtype, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function decodeFloats(raw: Uint8Array, dtype: FloatDtype): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'F32') {
    const out = new Float32Array(raw.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Float32Array(raw.byteLength / 2);
  for (let i = 0; i < out.length; i++) {
    const bits = view.getUint16(i * 2, true);
    if (dtype === 'BF16') {
      u32[0] = bits << 16;
      out[i] = f32[0]!;
    } else out[i] = halfToFloat(bits);
  }
  return out;
}

/**
 * Encodes float32 values as `dtype`. Returns the bytes, or the index of the first value that was
 * finite but became infinite (overflow): the caller names the tensor or neuron.
 */
export function encodeFloats(values: Float32Array, dtype: FloatDtype): { bytes: Uint8Array; overflow?: number } {
  const width = dtype === 'F32' ? 4 : 2;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  let overflow: number | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (dtype === 'F32') {
      view.setFloat32(i * 4, v, true);
      continue;
    }
    const bits = dtype === 'BF16' ? floatToBf16(v) : floatToHalf(v);
    if (overflow === undefined && Number.isFinite(v) && (bits & 0x7fff) === (dtype === 'BF16' ? 0x7f80 : 0x7c00)) overflow = i;
    view.setUint16(i * 2, bits, true);
  }
  return overflow === undefined ? { bytes } : { bytes, overflow };
}

export function floatToBf16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN
  // Round to nearest even on the 16 dropped bits.
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): the value in units of 2^-24, rounded to nearest even.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) r++; // may carry into the exponent, up to Inf: correct
  return sign | r;
}

export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
