/**
 * Reads a Hugging Face checkpoint folder without loading its weights: config.json, and the headers of
 * `model.safetensors` or of the shards a `model.safetensors.index.json` names. Each tensor is then
 * read by its offset when it is needed, so a checkpoint of any size is held one tensor at a time.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AuraUserError } from '../../errors';
import { DTYPE_BYTES } from './dtype';

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the shard file. */
  begin: number;
  end: number;
  shard: Shard;
}

export interface Shard {
  /** The file name, relative to the checkpoint folder. */
  file: string;
  path: string;
  /** In file order (by offset). */
  tensors: TensorEntry[];
  metadata: Record<string, string>;
}

export interface Checkpoint {
  dir: string;
  config: Record<string, unknown>;
  shards: Shard[];
  tensors: Map<string, TensorEntry>;
  /** The index file's own content when the checkpoint is sharded (its `metadata` is kept). */
  index?: { metadata?: Record<string, unknown>; weight_map: Record<string, string> };
}

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const config = await readJsonObject(join(dir, 'config.json'), '--checkpoint');
  const indexPath = join(dir, INDEX_FILE);
  const hasIndex = await exists(indexPath);
  if (!hasIndex && !(await exists(join(dir, SINGLE_FILE)))) {
    throw new AuraUserError(`--checkpoint ${dir}: neither ${SINGLE_FILE} nor ${INDEX_FILE}; expected a safetensors checkpoint (.bin checkpoints are not read)`);
  }
  const tensors = new Map<string, TensorEntry>();
  const shards: Shard[] = [];
  let index: Checkpoint['index'];
  if (hasIndex) {
    const raw = await readJsonObject(indexPath, '--checkpoint');
    const wm = raw.weight_map;
    if (wm === null || typeof wm !== 'object' || Array.isArray(wm) || !Object.values(wm).every((f) => typeof f === 'string')) {
      throw new AuraUserError(`${indexPath}: weight_map is not an object of file names`);
    }
    index = { ...(raw.metadata && typeof raw.metadata === 'object' ? { metadata: raw.metadata as Record<string, unknown> } : {}), weight_map: wm as Record<string, string> };
    const files = [...new Set(Object.values(index.weight_map))];
    for (const f of files) {
      if (f.includes('/') || f.includes('\\') || f.startsWith('.')) throw new AuraUserError(`${indexPath}: shard name ${JSON.stringify(f)} is not a file in the checkpoint folder`);
      shards.push(await readShardHeader(dir, f));
    }
    for (const s of shards) for (const t of s.tensors) {
      if (index.weight_map[t.name] !== s.file) throw new AuraUserError(`${indexPath}: tensor ${t.name} is in ${s.file} but the index says ${index.weight_map[t.name] ?? 'nothing'}`);
    }
    for (const [name, f] of Object.entries(index.weight_map)) {
      if (!shards.some((s) => s.file === f && s.tensors.some((t) => t.name === name))) throw new AuraUserError(`${indexPath}: tensor ${name} is missing from ${f}`);
    }
  } else {
    shards.push(await readShardHeader(dir, SINGLE_FILE));
  }
  for (const s of shards) for (const t of s.tensors) {
    if (tensors.has(t.name)) throw new AuraUserError(`--checkpoint ${dir}: tensor ${t.name} is in two shards`);
    tensors.set(t.name, t);
  }
  return { dir, config, shards, tensors, ...(index ? { index } : {}) };
}

/** The 8-byte length, the JSON header, and each tensor's absolute range, checked against the file size. */
export async function readShardHeader(dir: string, file: string): Promise<Shard> {
  const path = join(dir, file);
  const fail = (what: string): never => {
    throw new AuraUserError(`${path}: ${what}; not a valid safetensors file`);
  };
  const fh = await open(path, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new AuraUserError(e.code === 'ENOENT' ? `${path}: no such file (named by the checkpoint)` : `${path}: cannot read (${e.code ?? String(e)})`);
  });
  try {
    const size = (await fh.stat()).size;
    const lenBuf = Buffer.alloc(8);
    if (size < 8 || (await fh.read(lenBuf, 0, 8, 0)).bytesRead !== 8) fail('shorter than its 8-byte header length');
    const headerLen = Number(lenBuf.readBigUInt64LE(0));
    if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > size) fail(`header length ${headerLen} exceeds the file`);
    const hb = Buffer.alloc(headerLen);
    await fh.read(hb, 0, headerLen, 8);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(hb));
    } catch {
      fail('header is not UTF-8 JSON');
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header is not a JSON object');
    const shard: Shard = { file, path, tensors: [], metadata: {} };
    const dataStart = 8 + headerLen;
    for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (info && typeof info === 'object') for (const [k, v] of Object.entries(info)) if (typeof v === 'string') shard.metadata[k] = v;
        continue;
      }
      const e = (info ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      const width = typeof e.dtype === 'string' ? DTYPE_BYTES[e.dtype] : undefined;
      if (width === undefined) fail(`tensor ${name} has dtype ${JSON.stringify(e.dtype)}, which this reader does not know`);
      const shape = e.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(`tensor ${name} has an invalid shape`);
      const offs = e.data_offsets;
      if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0) || offs[0] > offs[1]) fail(`tensor ${name} has invalid data_offsets`);
      const [b, en] = offs as [number, number];
      const need = (shape as number[]).reduce((a, x) => a * x, 1) * width!;
      if (en - b !== need) fail(`tensor ${name}: data_offsets span ${en - b} bytes, shape [${shape}] of ${e.dtype} needs ${need}`);
      if (dataStart + en > size) fail(`tensor ${name} ends past the end of the file`);
      shard.tensors.push({ name, dtype: e.dtype as string, shape: shape as number[], begin: dataStart + b, end: dataStart + en, shard });
    }
    shard.tensors.sort((a, b) => a.begin - b.begin);
    return shard;
  } finally {
    await fh.close();
  }
}

/** The bytes of one tensor, read by its offset. */
export async function readTensorBytes(t: TensorEntry): Promise<Uint8Array> {
  const fh = await open(t.shard.path, 'r');
  try {
    const buf = Buffer.alloc(t.end - t.begin);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, t.begin + off);
      if (bytesRead === 0) throw new AuraUserError(`${t.shard.path}: ended inside tensor ${t.name}`);
      off += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

async function readJsonObject(path: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuraUserError(code === 'ENOENT' ? `${what}: ${path} does not exist` : `${path}: cannot read (${code ?? String(e)})`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AuraUserError(`${path}: not valid JSON`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new AuraUserError(`${path}: expected a JSON object`);
  return v as Record<string, unknown>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}
