// Merging shard folders (`profile --shard I/N`) into one profile, identical file for file and byte for
// byte to a single run over all the data on the same hardware: shards run exactly the batches a single
// run would (the same examples, padding and width), so each row's responses are the same floats, and the
// merge puts every row back at its offset in the global order before scoring as a single run does.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../atomic-write';
import { AuraUserError } from '../errors';
import { prepareProfileFolder } from './folder';
import { lockFolder } from './lock';
import { scoreProfile } from './score';
import { ResponseWriter, readManifest, readProfileFile, readProgress, responsesPath, settingsDifference, shardBatches, shardRows, writeProgress } from './store';
import { diskFullError } from '../disk-full';
import { readSketches, scoreSketch, writeSketches, rangePath } from './sketch-profile';
import type { SiteSummary } from './score';
import type { SketchSummary } from './sketch-profile';
import type { ProfileManifest } from './store';

export interface MergeResult {
  manifest: ProfileManifest;
  summaries: SiteSummary[] | SketchSummary[];
  shards: number;
}

interface Shard {
  dir: string;
  m: ProfileManifest & { shard: NonNullable<ProfileManifest['shard']> };
}

/** Checks the shards agree and cover the data exactly once, then writes the merged profile to `out`. */
export async function mergeShards(dirs: string[], out: string, o: { threads?: number; signal?: AbortSignal } = {}): Promise<MergeResult> {
  if (dirs.length === 0) throw new AuraUserError('merge: give the shard folders to merge (aura-lens merge SHARD_DIR... --out DIR)');
  const shards = checkShards(dirs);
  const first = shards[0]!;
  const { shard: _, ...whole } = first.m;
  const manifest: ProfileManifest = whole;
  prepareProfileFolder(out);
  if (readManifest(out)) throw new AuraUserError(`--out ${out}: already holds a profile; give a new or empty folder for the merged profile`);
  const lock = lockFolder(out, 'merge');
  try {
    await atomicWriteFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await atomicWriteFile(join(out, 'order.json'), readProfileFile(first.dir, 'order.json'));
    if (manifest.sketch) {
      await addSketches(shards, out, manifest);
      return { manifest, summaries: await scoreSketch(out, manifest), shards: shards.length };
    }
    copyRows(shards, out, manifest);
    await writeProgress(out, new Set(shardBatches(manifest.batches, undefined)));
    const summaries = await scoreProfile(out, o);
    return { manifest, summaries, shards: shards.length };
  } catch (e) {
    throw diskFullError(out, e, mergeAgain(out));
  } finally {
    lock.release();
  }
}

/** The shards in index order, after every check; each failure names the folder or the shard at fault. */
function checkShards(dirs: string[]): Shard[] {
  const shards: Shard[] = dirs.map((dir) => {
    const m = readManifest(dir);
    if (!m) throw new AuraUserError(`${dir}: not a profile shard (no aura-lens manifest.json)`);
    if (!m.shard) throw new AuraUserError(`${dir}: is a whole profile, not a shard (it was made without --shard)`);
    return { dir, m: m as Shard['m'] };
  });
  const ref = shards[0]!;
  const count = ref.m.shard.count;
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    if (s.m.shard.count !== count) throw new AuraUserError(`${s.dir}: is shard ${s.m.shard.index}/${s.m.shard.count}, but ${ref.dir} is one of ${count} shards`);
    const diff = settingsDifference({ ...ref.m, shard: s.m.shard }, s.m);
    if (diff) throw new AuraUserError(`${s.dir}: shard made with other settings than ${ref.dir}: ${diff}`);
    const twice = byIndex.get(s.m.shard.index);
    if (twice !== undefined) throw new AuraUserError(`shard ${s.m.shard.index}/${count} is given twice: ${twice} and ${s.dir}`);
    byIndex.set(s.m.shard.index, s.dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const which = missing.slice(0, 10).map((i) => `${i}/${count}`).join(', ');
    throw new AuraUserError(`merge: shard${missing.length > 1 ? 's' : ''} ${which}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''} missing (given ${shards.length} of ${count})`);
  }
  const order = readProfileFile(ref.dir, 'order.json');
  for (const s of shards) {
    const want = shardBatches(s.m.batches, s.m.shard);
    const done = readProgress(s.dir);
    const left = want.filter((b) => !done.has(b)).length;
    if (left > 0) throw new AuraUserError(`${s.dir}: shard ${s.m.shard.index}/${count} is incomplete (${want.length - left} of ${want.length} batches); run its profile command again to resume it`);
    if (s !== ref && !readProfileFile(s.dir, 'order.json').equals(order)) throw new AuraUserError(`${s.dir}: order.json differs from ${ref.dir}'s (the shards did not see the same data)`);
    // Before anything is written to --out: every response file of every shard is there, whole.
    if (!s.m.sketch) for (const site of s.m.sites) for (const pooling of ['max', 'mean'] as const) closeSync(openFile(responsesPath(s.dir, site.id, pooling), shardRows(s.m) * site.neurons * 4));
  }
  return shards.sort((a, b) => a.m.shard.index - b.m.shard.index);
}

/** Sketch shards: the merged histograms are the sums of the shards' (same bins, checked). */
async function addSketches(shards: Shard[], out: string, m: ProfileManifest): Promise<void> {
  const total = readSketches(shards[0]!.dir, shards[0]!.m);
  for (const s of shards.slice(1)) {
    const next = readSketches(s.dir, s.m);
    for (const [key, sk] of total.sketches) {
      try {
        sk.merge(next.sketches.get(key)!);
      } catch (e) {
        throw new AuraUserError(`${s.dir}: ${(e as Error).message} (its calibration differs from ${shards[0]!.dir}'s)`);
      }
    }
    for (const b of next.done) total.done.add(b);
  }
  mkdirSync(join(out, 'sketch'), { recursive: true });
  for (const site of m.sites) for (const p of ['max', 'mean'] as const) await atomicWriteFile(rangePath(out, site.id, p), readFileSync(rangePath(shards[0]!.dir, site.id, p)));
  await writeSketches(out, m, total.sketches, total.done);
  await writeProgress(out, total.done);
}

function mergeAgain(out: string): string {
  return `remove ${out} and run the merge again (the shards are unchanged)`;
}

/** Copies each shard's rows, batch by batch, to their rows in the merged matrices (memory: one batch). */
function copyRows(shards: Shard[], out: string, m: ProfileManifest): void {
  const writer = new ResponseWriter(out, m, true, m.examples, mergeAgain(out));
  try {
    for (const s of shards) {
      const batches = shardBatches(m.batches, s.m.shard);
      for (const site of m.sites) {
        for (const pooling of ['max', 'mean'] as const) {
          const path = responsesPath(s.dir, site.id, pooling);
          const fd = openFile(path, shardRows(s.m) * site.neurons * 4);
          try {
            batches.forEach((b, k) => {
              const rows = Math.min(m.batchSize, m.examples - b * m.batchSize);
              const buf = new Float32Array(rows * site.neurons);
              const bytes = new Uint8Array(buf.buffer);
              let off = 0;
              const at = k * m.batchSize * site.neurons * 4;
              while (off < bytes.length) {
                const n = readSync(fd, bytes, off, bytes.length - off, at + off);
                if (n === 0) throw new AuraUserError(`${path}: ends early (expected ${shardRows(s.m)} rows of ${site.neurons} responses)`);
                off += n;
              }
              writer.write(site.id, site.neurons, pooling, b * m.batchSize, buf);
            });
          } finally {
            closeSync(fd);
          }
        }
      }
    }
    writer.sync();
  } finally {
    writer.close();
  }
}

function openFile(path: string, size: number): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AuraUserError(`${path}: is missing; the shard is incomplete or was altered (run its profile command again to complete it)`);
    throw new AuraUserError(`${path}: cannot read the shard's responses (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const st = fstatSync(fd).size;
  if (st !== size) {
    closeSync(fd);
    throw new AuraUserError(`${path}: expected ${size} bytes of responses, found ${st}`);
  }
  return fd;
}
