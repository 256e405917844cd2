/**
 * Writes the folded checkpoint folder: into a temporary folder next to `out`, shard by shard and tensor
 * by tensor (an untouched tensor is copied in chunks, byte for byte unless the dtype changes), then
 * the index and the copied config/tokenizer files, then reads every shard's header back and one folded
 * tensor's checksum before the folder is renamed into place. A failure or cancel leaves `out` as it was.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuraUserError } from '../../errors';
import { DTYPE_BYTES, TORCH_NAME, decodeFloats, encodeFloats } from './dtype';
import { INDEX_FILE, readShardHeader } from './checkpoint';
import type { FloatDtype } from './dtype';
import type { Checkpoint, TensorEntry } from './checkpoint';

/** One tensor of an output shard: copied from the source, or made (folded or created). */
export interface OutTensor {
  name: string;
  dtype: string;
  shape: number[];
  source?: TensorEntry;
  /** Present for folded and created tensors: their bytes, made when written. */
  make?: () => Promise<Uint8Array>;
}

export interface OutShard {
  file: string;
  tensors: OutTensor[];
  metadata: Record<string, string>;
}

export interface WritePlan {
  ckpt: Checkpoint;
  shards: OutShard[];
  /** config.json as written (the source's with any switch the fold needs). */
  config: Record<string, unknown>;
  /** Source files not copied (the weights and the index, which are rewritten). */
  skip: (name: string) => boolean;
  /** Extra files for the folder (a model card, provenance), written before the folder is verified. */
  extraFiles?: (dir: string) => Promise<void>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface WriteResult {
  bytes: number;
  files: string[];
}

const CHUNK = 8 * 1024 * 1024;

export async function writeCheckpointFolder(out: string, plan: WritePlan): Promise<WriteResult> {
  const parent = dirname(out);
  const ps = await stat(parent).catch(() => undefined);
  if (!ps?.isDirectory()) throw new AuraUserError(`--out ${out}: the folder it goes in (${parent}) does not exist`);
  const existing = await stat(out).catch(() => undefined);
  if (existing && !existing.isDirectory()) throw new AuraUserError(`--out ${out}: exists and is not a folder`);
  // An existing --out is replaced whole, so it must be empty or a checkpoint folder (an earlier export),
  // never a folder of other things.
  if (existing) {
    const names = await readdir(out);
    const checkpoint = names.includes('config.json') && names.some((n) => n.endsWith('.safetensors'));
    if (names.length > 0 && !checkpoint) throw new AuraUserError(`--out ${out}: exists and is not an empty folder or a checkpoint folder, which it would replace; choose a new folder`);
  }
  const temp = join(parent, `.${basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(temp);
  try {
    const total = plan.shards.reduce((n, s) => n + s.tensors.reduce((m, t) => m + bytesOf(t), 0), 0);
    let done = 0;
    const checksums = new Map<string, string>();
    const files: string[] = [];
    for (const shard of plan.shards) {
      await writeShard(join(temp, shard.file), shard, plan, checksums, (n) => {
        done += n;
        plan.onProgress?.(done, total);
      });
      files.push(shard.file);
    }
    if (plan.ckpt.index) {
      const weightMap: Record<string, string> = {};
      for (const s of plan.shards) for (const t of s.tensors) weightMap[t.name] = s.file;
      const sorted = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]!]));
      const metadata = { ...(plan.ckpt.index.metadata ?? {}), total_size: total };
      await writeFile(join(temp, INDEX_FILE), `${JSON.stringify({ metadata, weight_map: sorted }, null, 2)}\n`);
      files.push(INDEX_FILE);
    }
    for (const name of await readdir(plan.ckpt.dir)) {
      if (name === 'config.json' || plan.skip(name)) continue;
      const st = await stat(join(plan.ckpt.dir, name));
      if (!st.isFile()) continue;
      await copyFile(join(plan.ckpt.dir, name), join(temp, name));
      files.push(name);
    }
    await writeFile(join(temp, 'config.json'), `${JSON.stringify(plan.config, null, 2)}\n`);
    files.push('config.json');
    await plan.extraFiles?.(temp);
    await verifyFolder(temp, plan, checksums);
    await replaceFolder(temp, out, !!existing);
    return { bytes: total, files };
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
}

function bytesOf(t: OutTensor): number {
  return t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype]!;
}

function headerBytes(shard: OutShard): Buffer {
  const header: Record<string, unknown> = {};
  if (Object.keys(shard.metadata).length > 0) header.__metadata__ = shard.metadata;
  let offset = 0;
  for (const t of shard.tensors) {
    const n = bytesOf(t);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + n] };
    offset += n;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad > 0) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json]);
}

async function writeAll(fh: FileHandle, buf: Uint8Array): Promise<void> {
  let off = 0;
  while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
}

async function writeShard(path: string, shard: OutShard, plan: WritePlan, checksums: Map<string, string>, progress: (n: number) => void): Promise<void> {
  const fh = await open(path, 'wx');
  let src: FileHandle | undefined;
  let srcPath = '';
  // One chunk buffer for every copy: a new one per chunk would leave GC garbage that holds RSS up.
  const chunk = Buffer.allocUnsafe(CHUNK);
  try {
    await writeAll(fh, headerBytes(shard));
    for (const t of shard.tensors) {
      plan.signal?.throwIfAborted();
      if (t.make) {
        const bytes = await t.make();
        if (bytes.length !== bytesOf(t)) throw new Error(`export --format hf: ${t.name} was made with ${bytes.length} bytes, expected ${bytesOf(t)}`);
        // The first made tensor's checksum is compared with the file's after writing.
        if (checksums.size === 0) checksums.set(t.name, sha256(bytes));
        await writeAll(fh, bytes);
        progress(bytes.length);
        continue;
      }
      const s = t.source!;
      if (srcPath !== s.shard.path) {
        await src?.close();
        src = await open(s.shard.path, 'r');
        srcPath = s.shard.path;
      }
      const convert = t.dtype !== s.dtype;
      // Chunks hold whole elements, so a conversion never splits one.
      for (let at = s.begin; at < s.end; at += CHUNK) {
        plan.signal?.throwIfAborted();
        const n = Math.min(CHUNK, s.end - at);
        const buf = chunk.subarray(0, n);
        let got = 0;
        while (got < n) {
          const { bytesRead } = await src!.read(buf, got, n - got, at + got);
          if (bytesRead === 0) throw new AuraUserError(`${s.shard.path}: ended inside tensor ${s.name}`);
          got += bytesRead;
        }
        if (!convert) {
          await writeAll(fh, buf);
          progress(n);
          continue;
        }
        const r = encodeFloats(decodeFloats(buf, s.dtype as FloatDtype), t.dtype as FloatDtype);
        if (r.overflow !== undefined) {
          const index = (at - s.begin) / DTYPE_BYTES[s.dtype]! + r.overflow;
          throw new AuraUserError(`--dtype ${TORCH_NAME[t.dtype as FloatDtype]}: tensor ${s.name} element ${index} overflows it; keep the checkpoint's dtype`);
        }
        await writeAll(fh, r.bytes);
        progress(r.bytes.length);
      }
    }
    await fh.sync();
  } finally {
    await src?.close();
    await fh.close();
  }
}

/** Every shard's header lists exactly the planned tensors; the checksummed tensor reads back the same. */
async function verifyFolder(dir: string, plan: WritePlan, checksums: Map<string, string>): Promise<void> {
  for (const shard of plan.shards) {
    const back = await readShardHeader(dir, shard.file);
    const want = shard.tensors.map((t) => `${t.name}:${t.dtype}:${t.shape.join('x')}`).join();
    const got = back.tensors.map((t) => `${t.name}:${t.dtype}:${t.shape.join('x')}`).join();
    if (want !== got) throw new Error(`export --format hf: ${shard.file} did not read back as written`);
    const size = (await stat(join(dir, shard.file))).size;
    const end = back.tensors.length ? back.tensors[back.tensors.length - 1]!.end : size;
    if (end !== size) throw new Error(`export --format hf: ${shard.file} has ${size - end} bytes after its last tensor`);
    for (const t of back.tensors) {
      const sum = checksums.get(t.name);
      if (sum === undefined) continue;
      const fh = await open(t.shard.path, 'r');
      try {
        const buf = Buffer.alloc(t.end - t.begin);
        await fh.read(buf, 0, buf.length, t.begin);
        if (sha256(buf) !== sum) throw new Error(`export --format hf: ${t.name} in ${shard.file} did not read back as written`);
      } finally {
        await fh.close();
      }
    }
  }
}

/** Renames the finished folder into place; an existing `out` is moved aside first and removed after. */
async function replaceFolder(temp: string, out: string, exists: boolean): Promise<void> {
  if (!exists) {
    await rename(temp, out);
    return;
  }
  const aside = `${temp}.old`;
  await rename(out, aside);
  try {
    await rename(temp, out);
  } catch (e) {
    await rename(aside, out);
    throw e;
  }
  await rm(aside, { recursive: true, force: true });
}

export function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
