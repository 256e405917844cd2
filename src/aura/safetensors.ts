/**
 * The safetensors format (huggingface/safetensors): an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to {dtype, shape, data_offsets} (plus an optional `__metadata__`
 * of string values), padded with spaces to an 8-byte boundary, then the raw little-endian data.
 * PyTorch users load our gains with `safetensors.torch.load_file` and multiply in a forward hook.
 */
import { readFile } from 'node:fs/promises';
import { atomicWriteFile } from './atomic-write';
import { AuraUserError } from './errors';

export type Dtype = 'F32' | 'F64' | 'F16' | 'BF16';

const DTYPE_BYTES: Record<Dtype, number> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

export interface Tensor {
  name: string;
  shape: number[];
  /** Written as F32. */
  data: Float32Array;
}

export interface DecodedTensor {
  dtype: Dtype;
  shape: number[];
  /** Converted to float32 whatever the stored dtype (F16/BF16 exactly, F64 rounded). */
  data: Float32Array;
}

export interface Safetensors {
  tensors: Map<string, DecodedTensor>;
  metadata: Record<string, string>;
}

/** Headers beyond this are not something we wrote or should trust (the Rust reader uses 100 MB). */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export function encodeSafetensors(tensors: readonly Tensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) throw new Error(`safetensors: duplicate or reserved tensor name ${t.name}`);
    if (product(t.shape) !== t.data.length) throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  // The spec allows trailing spaces in the header; padding to 8 bytes keeps the data aligned.
  const pad = (8 - ((8 + json.length) % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, pos += 4) view.setFloat32(pos, t.data[i], true);
  }
  return out;
}

export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): Safetensors {
  const fail = (what: string): never => {
    throw new AuraUserError(`${source}: ${what}; not a valid safetensors file`);
  };
  if (bytes.length < 8) fail('shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > bytes.length) fail(`header length ${headerLen} exceeds the file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch {
    fail('header is not UTF-8 JSON');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const entries = Object.entries(header as Record<string, unknown>);
  const metadata = readMetadata(entries.find(([k]) => k === '__metadata__')?.[1], fail);
  const tensors = new Map<string, DecodedTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, info] of entries) {
    if (name === '__metadata__') continue;
    const { dtype, shape, begin, end } = readEntry(name, info, fail);
    if (end > dataLen) fail(`tensor ${name} ends at byte ${end} of ${dataLen}`);
    spans.push([begin, end, name]);
    tensors.set(name, { dtype, shape, data: toFloat32(bytes.subarray(dataStart + begin, dataStart + end), dtype) });
  }
  // Like the reference reader: the tensors must tile the data exactly, without holes or overlaps.
  spans.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== expected) fail(`tensor ${name} starts at byte ${begin}, expected ${expected}`);
    expected = end;
  }
  if (expected !== dataLen) fail(`${dataLen - expected} bytes after the last tensor`);
  return { tensors, metadata };
}

function readMetadata(value: unknown, fail: (what: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail('__metadata__ is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') fail(`__metadata__.${k} is not a string`);
    out[k] = v as string;
  }
  return out;
}

function readEntry(
  name: string,
  info: unknown,
  fail: (what: string) => never,
): { dtype: Dtype; shape: number[]; begin: number; end: number } {
  const e = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (e === null || typeof e !== 'object') fail(`tensor ${name} has no description`);
  const dtype = e.dtype as Dtype;
  if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
    fail(`tensor ${name} has dtype ${JSON.stringify(e.dtype)}; expected one of F32, F64, F16, BF16`);
  }
  const shape = e.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${name} has an invalid shape`);
  const offs = e.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0) || offs[0] > offs[1]) {
    fail(`tensor ${name} has invalid data_offsets`);
  }
  const [begin, end] = offs as [number, number];
  if (end - begin !== product(shape as number[]) * DTYPE_BYTES[dtype]) {
    fail(`tensor ${name}: data_offsets span ${end - begin} bytes, shape [${shape}] of ${dtype} needs ${product(shape as number[]) * DTYPE_BYTES[dtype]}`);
  }
  return { dtype, shape: shape as number[], begin, end };
}

function toFloat32(raw: Uint8Array, dtype: Dtype): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = raw.byteLength / DTYPE_BYTES[dtype];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (dtype === 'F32') out[i] = view.getFloat32(i * 4, true);
    else if (dtype === 'F64') out[i] = view.getFloat64(i * 8, true);
    else if (dtype === 'BF16') out[i] = bf16ToFloat(view.getUint16(i * 2, true));
    else out[i] = f16ToFloat(view.getUint16(i * 2, true));
  }
  return out;
}

const scratch = new DataView(new ArrayBuffer(4));

function bf16ToFloat(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

function f16ToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Writes a safetensors file atomically. Returns its size in bytes. */
export async function writeSafetensors(path: string, tensors: readonly Tensor[], metadata: Record<string, string> = {}): Promise<number> {
  // Decoded again before it replaces anything: every tensor must come back with its name and shape.
  return atomicWriteFile(path, encodeSafetensors(tensors, metadata), async (temp) => {
    const back = await readSafetensors(temp);
    for (const t of tensors) {
      const got = back.tensors.get(t.name);
      if (!got || got.shape.join() !== t.shape.join()) throw new Error(`safetensors export ${path}: tensor ${t.name} did not read back`);
    }
  });
}

export async function readSafetensors(path: string): Promise<Safetensors> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuraUserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`);
  }
  return decodeSafetensors(bytes, path);
}
