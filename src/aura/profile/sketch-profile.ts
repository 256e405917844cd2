// Profiling in sketch mode (`profile --sketch BINS`): the same batches as an exact profile (texts sorted
// by token count, left-padded, pooled in the graph), but each batch's pooled responses go into per-class
// histograms (sketch.ts) instead of response matrices, so the folder's size no longer grows with the data.
// Layout, next to manifest.json, order.json and progress.json:
//   sketch/<site>.<pooling>.range.f64    per neuron: low end, then bin width (from the calibration batches)
//   sketch/counts.f64    the batches counted (d, then d batch numbers, ascending), then per site in manifest
//                        order, max then mean: [2 classes][neurons][bins + 2] counts. One file, replaced
//                        atomically, so the counts and the record of what they hold never disagree.
//   auroc/<site>.<pooling>.f64, .bound.f64   AUROC per neuron and its proven error bound
// The range comes from calibration batches spread over the whole run (global batch numbers, the same for
// every shard), so shards bin alike and their counts add up in `merge`.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile, atomicWriteStream } from '../atomic-write';
import { AuraUserError } from '../errors';
import { removeProfileOutputs } from './folder';
import { NeuronSketch, calibrate } from './sketch';
import { ChunkedReader } from './sketch-memory';
import { PROFILE_FORMAT, PROFILE_VERSION, dataHash, readManifest, settingsDifference, shardBatches, siteFileName, writeProgress } from './store';
import type { LanguageModel } from '../../engine/model';
import type { ConceptData } from '../datasets';
import type { ExtractOptions, ExtractTiming } from './extract';
import type { Pooling, ProfileManifest } from './store';
import { syncEveryMs } from './sync-interval';

const POOLINGS = ['max', 'mean'] as const;

export interface SketchSummary {
  id: string;
  neurons: number;
  bestAuroc: number;
  /** The bound of the neuron with the best AUROC, and the largest bound of the site. */
  bestBound: number;
  maxBound: number;
  experts: number;
}

export function rangePath(dir: string, site: string, pooling: Pooling): string {
  return join(dir, 'sketch', `${siteFileName(site)}.${pooling}.range.f64`);
}

export function countsPath(dir: string): string {
  return join(dir, 'sketch', 'counts.f64');
}

export function boundPath(dir: string, site: string, pooling: Pooling): string {
  return join(dir, 'auroc', `${siteFileName(site)}.${pooling}.bound.f64`);
}

/** Global batches used to fix the bins: up to `count`, evenly spread over the run (short and long texts). */
export function calibrationBatches(batches: number, count: number): number[] {
  const c = Math.min(batches, count);
  return [...new Set(Array.from({ length: c }, (_, k) => Math.floor((k * batches) / c)))];
}

/** Runs this folder's batches (all, or a shard's) into histograms; the caller has checked and locked `dir`. */
export async function sketchResponsesLocked(
  model: LanguageModel,
  data: ConceptData,
  dir: string,
  o: ExtractOptions & { bins: number; calibration?: number },
): Promise<{ manifest: ProfileManifest; reusedBatches: number; timing: ExtractTiming }> {
  // Tokenizing, forward passes and writing the counts; histogram updates count as pooling.
  const timing: ExtractTiming = { tokenizeS: 0, batchingS: 0, forwardS: 0, poolingS: 0, writingS: 0, tokens: 0, paddedTokens: 0 };
  const started = performance.now();
  const seqLen = Math.min(o.seqLen ?? 128, model.facts.maxPositions ?? Infinity);
  const batchSize = o.batchSize ?? 16;
  const sites = (o.sites?.length ? o.sites.map((id) => model.site(id)) : model.sites).map((s) => ({ id: s.id, neurons: s.neurons }));
  const encoded = data.examples.map((e, i) => ({ ids: model.tokenizer.encode(e.text).slice(0, seqLen), label: e.label, i }));
  const empty = encoded.find((e) => e.ids.length === 0);
  if (empty) throw new AuraUserError(`${data.source}: example ${empty.i + 1} encodes to no tokens`);
  encoded.sort((a, b) => a.ids.length - b.ids.length || a.i - b.i);
  timing.tokenizeS = (performance.now() - started) / 1000;
  const batches = Math.ceil(encoded.length / batchSize);
  const manifest: ProfileManifest = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    model: { name: model.name, fingerprint: model.fingerprint },
    data: { source: data.source, positives: data.positives, negatives: data.negatives, hash: dataHash(data.examples) },
    seqLen,
    batchSize,
    sites,
    examples: encoded.length,
    batches,
    pooling: o.pooling ?? 'max',
    ...(o.sampling ? { sampling: o.sampling } : {}),
    ...(o.shard ? { shard: o.shard } : {}),
    sketch: { bins: o.bins, calibration: calibrationBatches(batches, o.calibration ?? 4) },
  };
  mkdirSync(dir, { recursive: true });
  const previous = readManifest(dir);
  const difference = previous && settingsDifference(previous, manifest);
  if (difference) throw new AuraUserError(`${dir}: holds a profile made with other settings: ${difference}; use another --out, or the same settings to resume`);
  const resume = !!previous;
  if (!resume) removeProfileOutputs(dir, ['progress.json', 'summary.json', 'stats.json', 'auroc', 'sketch']);
  await atomicWriteFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  await atomicWriteFile(join(dir, 'order.json'), JSON.stringify({ labels: encoded.map((e) => e.label), exampleIndex: encoded.map((e) => e.i) }));
  mkdirSync(join(dir, 'sketch'), { recursive: true });
  const pad = model.facts.padTokenId ?? model.facts.eosTokenIds[0] ?? 0;
  const run = async (b: number) => {
    const chunk = encoded.slice(b * batchSize, (b + 1) * batchSize);
    const width = Math.max(...chunk.map((c) => c.ids.length));
    const ids = chunk.map((c) => [...new Array<number>(width - c.ids.length).fill(pad), ...c.ids]);
    const mask = chunk.map((c) => [...new Array<number>(width - c.ids.length).fill(0), ...new Array<number>(c.ids.length).fill(1)]);
    const t0 = performance.now();
    const r = await model.extract({ ids, mask, pool: sites.map((s) => s.id) });
    timing.forwardS += (performance.now() - t0) / 1000;
    for (const c of chunk) timing.tokens += c.ids.length;
    timing.paddedTokens += chunk.length * width;
    return { pooled: r.pooled!, labels: chunk.map((c) => c.label) };
  };

  // The bins: from the calibration batches (run again here; they are few), or as saved by an earlier run.
  let state = resume && existsSync(countsPath(dir)) ? readSketches(dir, manifest) : undefined;
  if (!state) {
    const calib = new Map<string, Float32Array[]>();
    for (const b of manifest.sketch!.calibration) {
      o.signal?.throwIfAborted();
      const { pooled } = await run(b);
      for (const s of sites) for (const p of POOLINGS) calib.set(`${s.id}|${p}`, [...(calib.get(`${s.id}|${p}`) ?? []), pooled.get(s.id)![p]]);
    }
    const sketches = new Map<string, NeuronSketch>();
    for (const s of sites) {
      for (const p of POOLINGS) {
        const parts = calib.get(`${s.id}|${p}`)!;
        const all = new Float32Array(parts.reduce((n, a) => n + a.length, 0));
        let off = 0;
        for (const a of parts) {
          all.set(a, off);
          off += a.length;
        }
        const sk = new NeuronSketch(s.neurons, o.bins, calibrate(all, s.neurons, o.bins));
        sketches.set(`${s.id}|${p}`, sk);
        const range = new Float64Array(2 * s.neurons);
        range.set(sk.range.lo, 0);
        range.set(sk.range.width, s.neurons);
        await atomicWriteFile(rangePath(dir, s.id, p), new Uint8Array(range.buffer));
      }
    }
    state = { sketches, done: new Set<number>() };
  }
  const { sketches, done } = state;
  const save = async () => {
    const t0 = performance.now();
    await writeSketches(dir, manifest, sketches, done);
    timing.writingS += (performance.now() - t0) / 1000;
    // progress.json follows the counts file (which is the truth on resume) for merge and scoring checks.
    await writeProgress(dir, done);
  };
  const mine = shardBatches(batches, o.shard);
  const reused = mine.filter((b) => done.has(b)).length;
  const syncMs = syncEveryMs();
  let lastSync = performance.now();
  let synced = done.size;
  try {
    for (const [k, b] of mine.entries()) {
      o.signal?.throwIfAborted();
      if (done.has(b)) continue;
      const { pooled, labels } = await run(b);
      const t0 = performance.now();
      for (const s of sites) for (const p of POOLINGS) sketches.get(`${s.id}|${p}`)!.add(pooled.get(s.id)![p], labels);
      timing.poolingS += (performance.now() - t0) / 1000;
      done.add(b);
      if (performance.now() - lastSync >= syncMs || k === mine.length - 1) {
        await save();
        lastSync = performance.now();
        synced = done.size;
      }
      o.onProgress?.({ batch: k + 1, batches: mine.length, examples: encoded.length, reused: false });
    }
  } finally {
    // A cancelled run keeps what it counted.
    if (done.size > synced) await save().catch(() => undefined);
  }
  if (mine.length === 0 || !existsSync(countsPath(dir))) await save();
  return { manifest, reusedBatches: reused, timing };
}

/** The sketches of a folder and the batches they hold, from the range files and counts.f64. */
export function readSketches(dir: string, m: ProfileManifest, chunkBytes?: number): { sketches: Map<string, NeuronSketch>; done: Set<number> } {
  const bins = m.sketch!.bins;
  const per = m.sites.map((s) => 2 * s.neurons * (bins + 2));
  const path = countsPath(dir);
  // Read by chunks straight into each sketch: one readFileSync is limited to 2 GiB and held a second copy.
  let file: ChunkedReader;
  try {
    file = new ChunkedReader(path, chunkBytes);
  } catch (e) {
    throw new AuraUserError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)}; the sketch is incomplete: run its profile command again)`);
  }
  try {
    const head = new Float64Array(1);
    const d = file.read(head) ? head[0]! : -1;
    const total = 1 + d + 2 * per.reduce((a, b) => a + b, 0);
    if (!Number.isInteger(d) || d < 0 || file.size !== total * 8) throw new AuraUserError(`${path}: not the counts of this sketch (expected ${Number.isInteger(d) && d >= 0 ? total * 8 : 'a batch count first and more'} bytes, found ${file.size})`);
    const batches = new Float64Array(d);
    file.read(batches);
    const done = new Set(Array.from(batches));
    const sketches = new Map<string, NeuronSketch>();
    for (const s of m.sites) {
      for (const p of POOLINGS) {
        const range = readF64(rangePath(dir, s.id, p), 2 * s.neurons);
        const sk = new NeuronSketch(s.neurons, bins, { lo: range.slice(0, s.neurons), width: range.slice(s.neurons) });
        if (!file.read(sk.counts)) throw new AuraUserError(`${path}: ends before the counts of ${s.id}`);
        sketches.set(`${s.id}|${p}`, sk);
      }
    }
    return { sketches, done };
  } finally {
    file.close();
  }
}

export async function writeSketches(dir: string, m: ProfileManifest, sketches: Map<string, NeuronSketch>, done: Set<number>): Promise<void> {
  const sorted = [...done].sort((a, b) => a - b);
  const parts = [Float64Array.of(sorted.length, ...sorted), ...m.sites.flatMap((s) => POOLINGS.map((p) => sketches.get(`${s.id}|${p}`)!.counts))];
  await atomicWriteStreamOf(countsPath(dir), parts);
}

async function atomicWriteStreamOf(path: string, parts: Float64Array[]): Promise<void> {
  await atomicWriteStream(path, parts.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength)));
}

function readF64(path: string, n: number): Float64Array {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    throw new AuraUserError(`${path}: missing (the sketch is incomplete; run its profile command again)`);
  }
  if (buf.length !== n * 8) throw new AuraUserError(`${path}: expected ${n * 8} bytes, found ${buf.length}`);
  return new Float64Array(Uint8Array.from(buf).buffer);
}

/** AUROC and bound per neuron from the histograms of a complete sketch folder, written next to them. */
export async function scoreSketch(dir: string, m: ProfileManifest): Promise<SketchSummary[]> {
  const { sketches, done } = readSketches(dir, m);
  if (done.size !== m.batches) throw new AuraUserError(`${dir}: the profile is incomplete (run "aura-lens profile" again to resume)`);
  mkdirSync(join(dir, 'auroc'), { recursive: true });
  const summaries: SketchSummary[] = [];
  for (const s of m.sites) {
    for (const p of POOLINGS) {
      const sk = sketches.get(`${s.id}|${p}`)!;
      const { auroc, bound } = sk.auroc();
      await atomicWriteFile(join(dir, 'auroc', `${siteFileName(s.id)}.${p}.f64`), new Uint8Array(auroc.buffer));
      await atomicWriteFile(boundPath(dir, s.id, p), new Uint8Array(bound.buffer));
      if (p !== m.pooling) continue;
      let best = 0;
      let bestBound = 0;
      let maxBound = 0;
      let experts = 0;
      auroc.forEach((a, j) => {
        if (a > best) [best, bestBound] = [a, bound[j]!];
        maxBound = Math.max(maxBound, bound[j]!);
        if (a > 0.5) experts++;
      });
      summaries.push({ id: s.id, neurons: s.neurons, bestAuroc: best, bestBound, maxBound, experts });
    }
  }
  await atomicWriteFile(join(dir, 'summary.json'), JSON.stringify({ pooling: m.pooling, sketch: m.sketch, sites: summaries }, null, 2));
  return summaries;
}
