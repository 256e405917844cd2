// AUROC per neuron for every profiled site (both poolings), from the response matrices on disk, one
// site at a time so memory holds one site's matrix; written next to the responses.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../atomic-write';
import { createAurocPool } from '../auroc-pool';
import { AuraUserError } from '../errors';
import { neuronStats } from '../neuron-stats';
import * as v from 'valibot';
import { halfSplit, stabilityOf } from '../stats/stability';
import { aurocPath, halfAurocPath, readProfileFile, readProgress, readSplitMatrix, requireManifest, responsesPath } from './store';
import type { SiteAuroc } from '../experts';
import type { Stability } from '../stats/stability';
import type { Pooling, ProfileManifest } from './store';

export interface SiteSummary {
  id: string;
  neurons: number;
  bestAuroc: number;
  experts: number;
}

/** Splits a row-major [rows, n] matrix by label into positives and negatives. */
export function splitByLabel(m: Float32Array, labels: Uint8Array, n: number): { pos: Float32Array; neg: Float32Array } {
  let p = 0;
  for (const l of labels) p += l;
  const pos = new Float32Array(p * n);
  const neg = new Float32Array((labels.length - p) * n);
  let pi = 0;
  let ni = 0;
  labels.forEach((l, r) => {
    const row = m.subarray(r * n, (r + 1) * n);
    if (l) pos.set(row, pi++ * n);
    else neg.set(row, ni++ * n);
  });
  return { pos, neg };
}

/** The labels in extraction order, from order.json; a damaged file is a one-line error naming it. */
export function readLabels(dir: string): Uint8Array {
  const text = readProfileFile(dir, 'order.json').toString('utf8');
  const path = join(dir, 'order.json');
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new AuraUserError(`${path}: is not valid JSON (${(e as Error).message.split('\n')[0]}); the profile is damaged`);
  }
  const r = v.safeParse(OrderSchema, j);
  if (!r.success) throw new AuraUserError(`${path}: expected {"labels": [0 or 1, ...], ...}; the profile is damaged`);
  return Uint8Array.from(r.output.labels);
}

const OrderSchema = v.object({ labels: v.array(v.picklist([0, 1])) });

export interface ScoreOptions {
  threads?: number;
  signal?: AbortSignal;
  onProgress?: (site: number, sites: number) => void;
}

/** Seconds spent reading the response matrices, in the AUROC itself, in the summary statistics, and writing. */
export interface ScoreTiming {
  readingS: number;
  aurocS: number;
  statsS: number;
  writingS: number;
}

export async function scoreProfile(dir: string, o: ScoreOptions = {}): Promise<SiteSummary[]> {
  return (await scoreProfileTimed(dir, o)).summaries;
}

/** summary.json's `stability`: the split-half verdict, or why there is none. */
export type StabilityEntry = Stability | { unavailable: string };

export async function scoreProfileTimed(dir: string, o: ScoreOptions = {}): Promise<{ summaries: SiteSummary[]; timing: ScoreTiming; stability: StabilityEntry }> {
  const timing: ScoreTiming = { readingS: 0, aurocS: 0, statsS: 0, writingS: 0 };
  let clock = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const s = (now - clock) / 1000;
    clock = now;
    return s;
  };
  const m = requireManifest(dir);
  if (readProgress(dir).size !== m.batches) throw new AuraUserError(`${dir}: the profile is incomplete (run "aura-lens profile" again to resume)`);
  const labels = readLabels(dir);
  mkdirSync(join(dir, 'auroc'), { recursive: true });
  const P = labels.reduce((a, l) => a + l, 0);
  // Split-half stability (src/aura/stats/stability.ts) on the profile's own pooling and seed 0.
  const halves = halfSplit(P, labels.length - P, 0);
  const halfA: Float64Array[] = [];
  const halfB: Float64Array[] = [];
  const summaries: SiteSummary[] = [];
  const stats: Record<string, Record<string, number[]>> = {};
  // One pool for the whole profile: starting workers costs more than a small site's AUROC.
  const pool = createAurocPool(o.threads !== undefined ? { threads: o.threads } : {});
  try {
    for (const [i, s] of m.sites.entries()) {
      for (const pooling of ['max', 'mean'] as const) {
        lap();
        if (labels.length !== m.examples) throw new AuraUserError(`${dir}: order.json has ${labels.length} labels, the manifest ${m.examples} examples`);
        const { pos, neg } = readSplitMatrix(responsesPath(dir, s.id, pooling), labels, s.neurons);
        timing.readingS += lap();
        const auroc = await pool.run(pos, neg, s.neurons, o.signal ? { signal: o.signal } : {});
        timing.aurocS += lap();
        await atomicWriteFile(aurocPath(dir, s.id, pooling), new Uint8Array(auroc.buffer));
        timing.writingS += lap();
        if (pooling === m.pooling) {
          let best = 0;
          let experts = 0;
          for (const a of auroc) {
            best = Math.max(best, a);
            if (a > 0.5) experts++;
          }
          summaries.push({ id: s.id, neurons: s.neurons, bestAuroc: best, experts });
          const st = neuronStats(pos, neg, s.neurons);
          stats[s.id] = {
            meanPositive: round(st.meanPositive),
            meanNegative: round(st.meanNegative),
            maxPositive: round(st.maxPositive),
            maxNegative: round(st.maxNegative),
          };
          timing.statsS += lap();
          if (halves) {
            // The matrices are done with: regroup their rows in place (half A first) so each half is
            // a view, not a copy; a GPT-2 site at 20,000 texts is 0.74 GB.
            const n = s.neurons;
            const run = (m: Float32Array, at: number, to: number) => m.subarray(at * n, to * n);
            const pa = halves.pos.held.length;
            const qa = halves.neg.held.length;
            groupRows(pos, n, halves.pos.held, halves.pos.rank);
            groupRows(neg, n, halves.neg.held, halves.neg.rank);
            const opts = o.signal ? { signal: o.signal } : {};
            const a = await pool.run(run(pos, 0, pa), run(neg, 0, qa), n, opts);
            const b = await pool.run(run(pos, pa, pos.length / n), run(neg, qa, neg.length / n), n, opts);
            halfA.push(a);
            halfB.push(b);
            timing.aurocS += lap();
            await atomicWriteFile(halfAurocPath(dir, s.id, pooling, 'a'), new Uint8Array(a.buffer));
            await atomicWriteFile(halfAurocPath(dir, s.id, pooling, 'b'), new Uint8Array(b.buffer));
            timing.writingS += lap();
          }
        }
      }
      o.onProgress?.(i + 1, m.sites.length);
    }
  } finally {
    await pool.close();
  }
  const stability: StabilityEntry = halves
    ? stabilityOf(concat(halfA), concat(halfB), halves, 0)
    : { unavailable: `split-half stability needs at least 2 examples of each class (${P} toxic, ${labels.length - P} non-toxic)` };
  timing.statsS += lap();
  await atomicWriteFile(join(dir, 'stats.json'), JSON.stringify({ pooling: m.pooling, sites: stats }));
  await atomicWriteFile(join(dir, 'summary.json'), JSON.stringify({ pooling: m.pooling, sites: summaries, stability }, null, 2));
  timing.writingS += lap();
  return { summaries, timing, stability };
}

/** Reorders the rows of a [rows, n] matrix in place to `first` then `rest` (one row of scratch). */
export function groupRows(m: Float32Array, n: number, first: Uint32Array, rest: Uint32Array): void {
  const rows = first.length + rest.length;
  const order = new Uint32Array(rows);
  order.set(first);
  order.set(rest, first.length);
  const done = new Uint8Array(rows);
  const tmp = new Float32Array(n);
  // Row `pos` of the result is row order[pos] of the input: follow each cycle with one saved row.
  for (let start = 0; start < rows; start++) {
    if (done[start]) continue;
    tmp.set(m.subarray(start * n, (start + 1) * n));
    let pos = start;
    for (;;) {
      done[pos] = 1;
      const src = order[pos]!;
      if (src === start) {
        m.set(tmp, pos * n);
        break;
      }
      m.copyWithin(pos * n, src * n, (src + 1) * n);
      pos = src;
    }
  }
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** summary.json's stability entry, or undefined for a profile written before it existed. */
export function readStability(dir: string): StabilityEntry | undefined {
  try {
    const j = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { stability?: StabilityEntry };
    return j.stability;
  } catch {
    return undefined;
  }
}

function round(a: Float64Array): number[] {
  return Array.from(a, (v) => Math.round(v * 1e5) / 1e5);
}

/** The AUROCs of a finished profile, in site order, for the intervention methods. */
export function readAurocs(dir: string, pooling?: Pooling): { manifest: ProfileManifest; sites: SiteAuroc[] } {
  const manifest = requireManifest(dir);
  const p = pooling ?? manifest.pooling;
  const sites = manifest.sites.map((s) => {
    const f = aurocPath(dir, s.id, p);
    if (!existsSync(f)) throw new AuraUserError(`${dir}: no AUROC for ${s.id} (run "aura-lens profile" to finish the profile)`);
    const buf = readFileSync(f);
    if (buf.length !== s.neurons * 8) throw new AuraUserError(`${f}: expected ${s.neurons} AUROC values, found ${buf.length / 8}`);
    return { siteId: s.id, auroc: new Float64Array(Uint8Array.from(buf).buffer) };
  });
  return { manifest, sites };
}
