/**
 * Atomic file replacement: write a temporary file in the target's directory, fsync it, then rename
 * it over the target. A rename within one directory is atomic on POSIX filesystems (and replaces
 * the target on Windows), so a kill or crash mid-export leaves either the old file or the new one,
 * never a truncated mix. Temporary files are named `.<name>.<pid>.<random>.tmp` so they never
 * shadow the target, and ones left by a killed process are removed by the next write.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AuraUserError } from './errors';

export type Chunk = Uint8Array | string;

/** Replaces `target` with `data` atomically. Returns the number of bytes written. */
export async function atomicWriteFile(target: string, data: Chunk, verify?: Verify): Promise<number> {
  return atomicWriteStream(target, [data], verify);
}

/** Reads the finished temporary file back and throws if it is not what was meant: nothing is then replaced. */
export type Verify = (tempPath: string) => Promise<void>;

/**
 * Replaces `target` with the concatenated chunks atomically, holding one chunk at a time, for
 * exports larger than memory should hold at once (an ONNX model with its weights). Returns bytes written.
 */
export async function atomicWriteStream(target: string, chunks: Iterable<Chunk> | AsyncIterable<Chunk>, verify?: Verify): Promise<number> {
  await removeStaleTemps(target);
  const temp = tempPathFor(target);
  let fh: FileHandle | undefined;
  let bytes = 0;
  try {
    fh = await open(temp, 'wx');
    await keepMode(target, fh);
    for await (const chunk of chunks) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      // A FileHandle write may be partial; loop until the whole chunk is down.
      let off = 0;
      while (off < buf.length) off += (await fh.write(buf, off, buf.length - off)).bytesWritten;
      bytes += buf.length;
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    if (verify) await verify(temp);
    await rename(temp, target);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw asUserError(target, e);
  }
  await syncDirectory(dirname(target));
  return bytes;
}

/** `.<name>.<pid>.<random>.tmp` next to the target: same filesystem, so the rename is atomic. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Removes temporary files of `target` left by processes that no longer run. Returns how many. */
export async function removeStaleTemps(target: string): Promise<number> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-f]+\.tmp$/.exec(name.slice(prefix.length));
    if (!m || isAlive(Number(m[1]))) continue;
    if (await unlink(join(dir, name)).then(() => true, () => false)) removed++;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** An export over an existing file keeps that file's permissions. */
async function keepMode(target: string, fh: FileHandle): Promise<void> {
  const st = await stat(target).catch(() => undefined);
  if (st?.isFile()) await fh.chmod(st.mode & 0o7777).catch(() => undefined);
}

/** Makes the rename itself durable; directories cannot be opened for sync on Windows, which is fine. */
async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // Best effort only.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

function asUserError(target: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new AuraUserError(`${target}: the directory does not exist`);
  if (code === 'EACCES' || code === 'EPERM') return new AuraUserError(`${target}: permission denied`);
  if (code === 'EISDIR') return new AuraUserError(`${target}: is a directory`);
  if (code === 'ENOSPC') return new AuraUserError(`${target}: no space left on the device`);
  return e;
}
