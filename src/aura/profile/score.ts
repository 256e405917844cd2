// AUROC per neuron for every profiled site (both poolings), from the response matrices on disk, one
// site at a time so memory holds one site's matrix; written next to the responses.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { atomicWriteFile } from '../atomic-write';
import { createAurocPool } from '../auroc-pool';
import { AuraUserError } from '../errors';
import { neuronStats } from '../neuron-stats';
import * as v from 'valibot';
import { aurocPath, readProfileFile, readProgress, readSplitMatrix, requireManifest, responsesPath } from './store';
import type { SiteAuroc } from '../experts';
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

export async function scoreProfileTimed(dir: string, o: ScoreOptions = {}): Promise<{ summaries: SiteSummary[]; timing: ScoreTiming }> {
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
        }
      }
      o.onProgress?.(i + 1, m.sites.length);
    }
  } finally {
    await pool.close();
  }
  lap();
  await atomicWriteFile(join(dir, 'stats.json'), JSON.stringify({ pooling: m.pooling, sites: stats }));
  await atomicWriteFile(join(dir, 'summary.json'), JSON.stringify({ pooling: m.pooling, sites: summaries }, null, 2));
  timing.writingS += lap();
  return { summaries, timing };
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
