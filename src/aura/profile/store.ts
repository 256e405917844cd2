// On-disk layout of a profile (the `profile --out DIR` folder, also the response cache):
//   manifest.json        what was profiled: model fingerprint, data hash, sites, sequence length
//   order.json           example labels in extraction order (examples are sorted by token count)
//   progress.json        batches finished so far; an interrupted run resumes after them
//   responses/<site>.max.f32, .mean.f32   [examples, neurons] float32, row i = example i in order
//   auroc/<site>.max.f64, .mean.f64       AUROC per neuron, float64
//   summary.json         per site: neurons, best AUROC, experts; written when the profile completes
//   stats.json           per site: mean and max response per class (the panel's neuron detail)
//   cache/               the panel's statistics and transport fits, keyed by this folder's content
//                        and the statistics settings (src/aura/stats/cache.ts); safe to delete
// A shard folder (`profile --shard I/N`) has the same files, but its manifest names the shard and its
// response matrices hold only the rows of its batches (batches b with b % N == I, in order); no AUROC.
// Each site's matrix is written by rows as batches finish, so memory stays at one batch of responses.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AuraUserError } from '../errors';
import { diskFullError } from '../disk-full';
import { atomicWriteFile } from '../atomic-write';

export const PROFILE_FORMAT = 'aura-lens.profile';
export const PROFILE_VERSION = 1;

export interface ProfileManifest {
  format: typeof PROFILE_FORMAT;
  version: number;
  model: { name: string; fingerprint: string };
  data: { source: string; positives: number; negatives: number; hash: string };
  seqLen: number;
  batchSize: number;
  sites: { id: string; neurons: number }[];
  examples: number;
  batches: number;
  /** Pooling the AUROC files were computed for first (both are stored). */
  pooling: 'max' | 'mean';
  /** How the examples were sampled from the file (provenance; the data hash decides reuse). */
  sampling?: { maxPerClass: number | null; seed: number };
  /** Present in a shard folder only: this folder holds batches b with b % count === index. */
  shard?: ShardSpec;
  /** Sketch mode (`profile --sketch BINS`): histograms instead of responses; see sketch.ts. */
  sketch?: { bins: number; calibration: number[] };
}

export interface ShardSpec {
  index: number;
  count: number;
}

/** The global batches a shard runs: every count-th batch from its index, so shards get equal work
 *  although batches are sorted by length. The same on every machine for the same data and settings. */
export function shardBatches(batches: number, shard: ShardSpec | undefined): number[] {
  const out: number[] = [];
  const step = shard?.count ?? 1;
  for (let b = shard?.index ?? 0; b < batches; b += step) out.push(b);
  return out;
}

/** Rows a folder's response matrices hold: all examples, or the rows of a shard's batches. */
export function shardRows(m: Pick<ProfileManifest, 'examples' | 'batches' | 'batchSize' | 'shard'>): number {
  if (!m.shard) return m.examples;
  return shardBatches(m.batches, m.shard).reduce((n, b) => n + Math.min(m.batchSize, m.examples - b * m.batchSize), 0);
}

export type Pooling = 'max' | 'mean';

/** Site ids are module paths; keep them readable as file names but never let one escape the folder. */
export function siteFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function responsesPath(dir: string, site: string, pooling: Pooling): string {
  return join(dir, 'responses', `${siteFileName(site)}.${pooling}.f32`);
}

export function aurocPath(dir: string, site: string, pooling: Pooling): string {
  return join(dir, 'auroc', `${siteFileName(site)}.${pooling}.f64`);
}

/** A site's AUROCs on one half of the split-half stability check (src/aura/stats/stability.ts). */
export function halfAurocPath(dir: string, site: string, pooling: Pooling, half: 'a' | 'b'): string {
  return join(dir, 'auroc', `${siteFileName(site)}.${pooling}.half-${half}.f64`);
}

export function dataHash(examples: readonly { text: string; label: number }[]): string {
  const h = createHash('sha256');
  for (const e of examples) h.update(`${e.label}\u0000${e.text}\u0001`);
  return `sha256:${h.digest('hex')}`;
}

/** Same model, data, sites, truncation and batching: the finished batches can be reused. */
export function sameWork(a: ProfileManifest, b: ProfileManifest): boolean {
  return (
    a.version === b.version &&
    a.model.fingerprint === b.model.fingerprint &&
    a.data.hash === b.data.hash &&
    a.seqLen === b.seqLen &&
    a.batchSize === b.batchSize &&
    JSON.stringify(a.sites) === JSON.stringify(b.sites)
  );
}

/**
 * The first setting in which a folder's manifest differs from this run's, as "what (folder: x, now: y)",
 * or undefined when the finished batches can be reused. Resuming into a folder made with other settings
 * would mix two runs' responses under one manifest, so callers refuse it and name the difference.
 */
export function settingsDifference(had: ProfileManifest, now: ProfileManifest): string | undefined {
  const show = (v: unknown) => (v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v));
  const shard = (s?: ShardSpec) => (s ? `${s.index}/${s.count}` : 'none (a whole profile)');
  const checks: [string, unknown, unknown][] = [
    ['profile version', had.version, now.version],
    ['model fingerprint', had.model?.fingerprint, now.model.fingerprint],
    ['data hash (another file, --max-per-class or --seed)', had.data?.hash, now.data.hash],
    ['--seq-len', had.seqLen, now.seqLen],
    ['--batch-size', had.batchSize, now.batchSize],
    ['--pooling', had.pooling, now.pooling],
    ['--sites', had.sites?.map((s) => s.id).join(','), now.sites.map((s) => s.id).join(',')],
    ['site sizes', had.sites?.map((s) => s.neurons).join(','), now.sites.map((s) => s.neurons).join(',')],
    ['--max-per-class', had.sampling?.maxPerClass, now.sampling?.maxPerClass],
    ['--seed', had.sampling?.seed, now.sampling?.seed],
  ];
  for (const [what, a, b] of checks) {
    // Sampling is provenance written by the CLI; a folder without it (made by the extension) compares on the data hash alone.
    if ((what === '--max-per-class' || what === '--seed') && (had.sampling === undefined || now.sampling === undefined)) continue;
    if (a !== b) return `${what} (folder: ${show(a)}, now: ${show(b)})`;
  }
  if ((had.sketch?.bins ?? 0) !== (now.sketch?.bins ?? 0)) return `--sketch (folder: ${had.sketch?.bins ?? 'none (exact)'}, now: ${now.sketch?.bins ?? 'none (exact)'})`;
  if (shard(had.shard) !== shard(now.shard)) return `--shard (folder: ${shard(had.shard)}, now: ${shard(now.shard)})`;
  return undefined;
}

export function readManifest(dir: string): ProfileManifest | undefined {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) return undefined;
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as ProfileManifest;
    return m.format === PROFILE_FORMAT ? m : undefined;
  } catch {
    return undefined;
  }
}

export function requireManifest(dir: string): ProfileManifest {
  const m = readManifest(dir);
  if (!m) throw new AuraUserError(`${dir}: not a profile folder (expected manifest.json written by "aura-lens profile")`);
  if (m.version !== PROFILE_VERSION) throw new AuraUserError(`${join(dir, 'manifest.json')}: profile version ${m.version}, expected ${PROFILE_VERSION}`);
  if (m.shard) throw new AuraUserError(`${dir}: is shard ${m.shard.index}/${m.shard.count} of a profile; run "aura-lens merge" on all ${m.shard.count} shards first`);
  return m;
}

export function readProgress(dir: string): Set<number> {
  try {
    const j = JSON.parse(readFileSync(join(dir, 'progress.json'), 'utf8')) as { done?: unknown };
    return new Set(Array.isArray(j.done) ? j.done.filter((x): x is number => Number.isInteger(x)) : []);
  } catch {
    return new Set();
  }
}

export async function writeProgress(dir: string, done: Set<number>): Promise<void> {
  await atomicWriteFile(join(dir, 'progress.json'), JSON.stringify({ done: [...done].sort((a, b) => a - b) }));
}

/** The file calls of ResponseWriter: a seam where tests inject a full disk (ENOSPC) at any write. */
export const responseFs = { openSync, ftruncateSync, writeSync, fsyncSync };

/** Fixed-size response matrices written by row blocks at their offsets (resumable, any order). */
export class ResponseWriter {
  private readonly fds = new Map<string, number>();
  private readonly paths = new Map<number, string>();

  /** `again`: what to do after a full disk, in its one-line message (a profile resumes; a merge starts over). */
  constructor(dir: string, m: ProfileManifest, fresh: boolean, rows = m.examples, private readonly again?: string) {
    mkdirSync(join(dir, 'responses'), { recursive: true });
    for (const s of m.sites) {
      for (const pooling of ['max', 'mean'] as const) {
        const p = responsesPath(dir, s.id, pooling);
        try {
          const fd = responseFs.openSync(p, fresh || !existsSync(p) ? 'w+' : 'r+');
          this.fds.set(`${s.id}|${pooling}`, fd);
          this.paths.set(fd, p);
          responseFs.ftruncateSync(fd, rows * s.neurons * 4);
        } catch (e) {
          this.close();
          throw diskFullError(p, e, this.again);
        }
      }
    }
  }

  /** Rows [row, row + values.length / neurons) of a site's matrix. */
  write(site: string, neurons: number, pooling: Pooling, row: number, values: Float32Array): void {
    const fd = this.fds.get(`${site}|${pooling}`)!;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    let off = 0;
    try {
      while (off < bytes.length) off += responseFs.writeSync(fd, bytes, off, bytes.length - off, row * neurons * 4 + off);
    } catch (e) {
      throw diskFullError(this.paths.get(fd)!, e, this.again);
    }
  }

  sync(): void {
    for (const fd of this.fds.values()) {
      try {
        responseFs.fsyncSync(fd);
      } catch (e) {
        throw diskFullError(this.paths.get(fd)!, e, this.again);
      }
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.paths.clear();
  }
}

/**
 * A file of a profile folder, or a one-line error naming it: a folder copied in part, a file removed by
 * hand, or a shard given before it finished must not surface as an internal ENOENT.
 */
export function readProfileFile(dir: string, name: string): Buffer {
  const path = join(dir, name);
  try {
    return readFileSync(path);
  } catch (e) {
    throw profileFileError(path, e);
  }
}

export function profileFileError(path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new AuraUserError(`${path}: is missing; the profile is incomplete or was altered (run its profile command again into that folder to complete it)`);
  if (code === 'EISDIR') return new AuraUserError(`${path}: is a folder; expected a file of the profile`);
  if (code) return new AuraUserError(`${path}: cannot be read (${code})`);
  return e as Error;
}

export function readMatrix(path: string, rows: number, neurons: number): Float32Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw profileFileError(path, e);
  }
  if (buf.length !== rows * neurons * 4) throw new AuraUserError(`${path}: expected ${rows * neurons * 4} bytes of responses, found ${buf.length}`);
  // Small reads may come from Node's shared pool at an unaligned offset: copy those.
  return buf.byteOffset % 4 === 0 ? new Float32Array(buf.buffer, buf.byteOffset, rows * neurons) : new Float32Array(Uint8Array.from(buf).buffer);
}

/** Rows read per chunk by readSplitMatrix. */
const SPLIT_CHUNK_BYTES = 8 * 1024 ** 2;

/**
 * A response matrix split by label straight from disk, a chunk of rows at a time, into shared memory
 * (the AUROC workers read it there without a copy). Reading the whole file, then splitting it, then
 * copying it for the workers held three copies of a site's matrix: 0.74 GB per GPT-2 MLP site at
 * 20,000 texts, which took a profile past 1.5 GB; this holds one.
 */
export function readSplitMatrix(path: string, labels: Uint8Array, neurons: number): { pos: Float32Array; neg: Float32Array } {
  const rows = labels.length;
  let p = 0;
  for (const l of labels) p += l;
  const pos = new Float32Array(new SharedArrayBuffer(p * neurons * 4));
  const neg = new Float32Array(new SharedArrayBuffer((rows - p) * neurons * 4));
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw profileFileError(path, e);
  }
  try {
    const size = fstatSync(fd).size;
    if (size !== rows * neurons * 4) throw new AuraUserError(`${path}: expected ${rows * neurons * 4} bytes of responses, found ${size}`);
    const perChunk = Math.max(1, Math.floor(SPLIT_CHUNK_BYTES / Math.max(1, neurons * 4)));
    const buf = new Float32Array(Math.min(rows, perChunk) * neurons);
    const bytes = new Uint8Array(buf.buffer);
    let pi = 0;
    let ni = 0;
    for (let r0 = 0; r0 < rows; r0 += perChunk) {
      const n = Math.min(perChunk, rows - r0);
      const want = n * neurons * 4;
      for (let got = 0; got < want; ) {
        const k = readSync(fd, bytes, got, want - got, r0 * neurons * 4 + got);
        if (k === 0) throw new AuraUserError(`${path}: ends early`);
        got += k;
      }
      for (let i = 0; i < n; i++) {
        const row = buf.subarray(i * neurons, (i + 1) * neurons);
        if (labels[r0 + i]) pos.set(row, pi++ * neurons);
        else neg.set(row, ni++ * neurons);
      }
    }
  } finally {
    closeSync(fd);
  }
  return { pos, neg };
}
