// A model's identity is every byte of its files, but hashing gigabytes on every open would cost more
// than the open itself. So each file's sha256 is kept in a small record keyed the way git's index keys
// a file: device, inode, size, modification and status-change times (nanoseconds). Replacing the file
// (cp -p, rsync -a, tar) keeps size and mtime but changes the inode or the ctime, so the hash is
// computed again once per file version. A record is trusted only when the file's times are older than
// the hashing by more than the file system's timestamp step ("racily clean" in git's terms): a write
// within the same step would otherwise leave every key field as it was.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { dirname, join } from 'node:path';
import * as v from 'valibot';

/** Bytes read per step: large enough for throughput, small enough to never hold a model. */
const CHUNK = 8 * 1024 ** 2;
/** The records' folder inside the cache root (the weight cache's eviction leaves it alone). */
export const HASHES_DIR = 'hashes';

const RecordSchema = v.object({
  path: v.string(),
  dev: v.string(),
  ino: v.string(),
  size: v.string(),
  mtimeNs: v.string(),
  ctimeNs: v.string(),
  hashedAtNs: v.string(),
  sha256: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
});
type HashRecord = v.InferOutput<typeof RecordSchema>;

export interface ContentHash {
  /** sha256 of the file's bytes, hex. */
  sha256: string;
  /** True when it came from the record, false when the file was read. */
  fromCache: boolean;
}

/**
 * sha256 of `realFile`'s content, from the record under `cacheRoot` when the file is unchanged since it
 * was hashed, else by reading it in chunks (and recording it, best effort: a cache that cannot be
 * written only means hashing again next time). `cacheRoot` undefined: always read.
 */
export function contentHash(realFile: string, cacheRoot: string | undefined): ContentHash {
  const fd = openSync(realFile, 'r');
  try {
    const before = fstatSync(fd, { bigint: true });
    const recordFile = cacheRoot === undefined ? undefined : join(cacheRoot, HASHES_DIR, `${createHash('sha256').update(realFile).digest('hex').slice(0, 32)}.json`);
    const known = recordFile ? readRecord(recordFile) : undefined;
    if (known && known.path === realFile && sameVersion(known, before) && !racy(known, before)) return { sha256: known.sha256, fromCache: true };
    const hashedAtNs = BigInt(Date.now()) * 1_000_000n;
    const sha256 = hashFd(fd, before.size);
    const after = fstatSync(fd, { bigint: true });
    // A file written while it was read has no single content: hash it, but remember nothing.
    if (recordFile && sameStat(before, after)) writeRecord(recordFile, { path: realFile, ...statKey(before), hashedAtNs: String(hashedAtNs), sha256 });
    return { sha256, fromCache: false };
  } finally {
    closeSync(fd);
  }
}

function hashFd(fd: number, size: bigint): string {
  const h = createHash('sha256');
  const b = Buffer.allocUnsafeSlow(CHUNK);
  let at = 0;
  for (;;) {
    const n = readSync(fd, b, 0, b.length, at);
    if (n === 0) break;
    h.update(b.subarray(0, n));
    at += n;
  }
  if (BigInt(at) !== size) throw new Error(`file changed size while being hashed (${size} -> ${at} bytes)`);
  return h.digest('hex');
}

function statKey(s: BigIntStats): Omit<HashRecord, 'path' | 'hashedAtNs' | 'sha256'> {
  return { dev: String(s.dev), ino: String(s.ino), size: String(s.size), mtimeNs: String(s.mtimeNs), ctimeNs: String(s.ctimeNs) };
}

function sameVersion(r: HashRecord, s: BigIntStats): boolean {
  const k = statKey(s);
  return r.dev === k.dev && r.ino === k.ino && r.size === k.size && r.mtimeNs === k.mtimeNs && r.ctimeNs === k.ctimeNs;
}

function sameStat(a: BigIntStats, b: BigIntStats): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/**
 * A change within one timestamp step of the hashing leaves mtime and ctime as recorded. Linux stamps
 * files from a clock that ticks every few milliseconds; a file system with whole-second times (ns part
 * 0) is given two seconds (FAT's step).
 */
function racy(r: HashRecord, s: BigIntStats): boolean {
  const coarse = s.mtimeNs % 1_000_000_000n === 0n && s.ctimeNs % 1_000_000_000n === 0n;
  const step = coarse ? 2_000_000_000n : 50_000_000n;
  const newest = s.mtimeNs > s.ctimeNs ? s.mtimeNs : s.ctimeNs;
  return newest + step >= BigInt(r.hashedAtNs);
}

function readRecord(file: string): HashRecord | undefined {
  try {
    const r = v.safeParse(RecordSchema, JSON.parse(readFileSync(file, 'utf8')));
    return r.success ? r.output : undefined;
  } catch {
    return undefined;
  }
}

function writeRecord(file: string, r: HashRecord): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    makeFolders(dirname(file), 0);
    writeFileSync(tmp, JSON.stringify(r));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was made where nothing can be made.
    }
  }
}

/** mkdir -p with a bounded depth: Node's recursive mkdirSync never returns under /proc. */
export function makeFolders(dir: string, depth = 0): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    const parent = dirname(dir);
    if (code !== 'ENOENT' || parent === dir || depth > 64) throw e;
    makeFolders(parent, depth + 1);
    mkdirSync(dir);
  }
}
