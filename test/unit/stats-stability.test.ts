// Split-half stability of the expert set (issue 20, item 6), checked against a computation written
// here from the definitions: AUROC as the share of (toxic, non-toxic) pairs ordered right (ties one
// half), top-k by a comparator sort (AUROC descending, then global index), Jaccard on JS Sets,
// Spearman as Pearson's r of scipy.stats.rankdata('average')-style ranks computed by counting.
// The small Spearman reference (0.624254) was also computed by the same formula in plain Python.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { mulberry32 } from '../../src/aura/random';
import { PROFILE_FORMAT, PROFILE_VERSION, halfAurocPath, responsesPath } from '../../src/aura/profile/store';
import { groupRows, scoreProfileTimed } from '../../src/aura/profile/score';
import { STABLE_JACCARD, averageRanks, halfSplit, spearman, topKOverlap } from '../../src/aura/stats/stability';
import type { Stability } from '../../src/aura/stats/stability';
import { stabilityStatsFrom } from '../../src/host/panel-stability';
import { scratchDir } from '../helpers/scratch';

/** Rank by counting: 1 + #smaller + (#equal - 1) / 2, scipy's 'average' method. */
function handRanks(x: number[]): number[] {
  return x.map((v) => 1 + x.filter((w) => w < v).length + (x.filter((w) => w === v).length - 1) / 2);
}

function handSpearman(a: number[], b: number[]): number {
  const ra = handRanks(a);
  const rb = handRanks(b);
  const ma = ra.reduce((s, v) => s + v, 0) / ra.length;
  const mb = rb.reduce((s, v) => s + v, 0) / rb.length;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (ra[i]! - ma) * (rb[i]! - mb);
    saa += (ra[i]! - ma) ** 2;
    sbb += (rb[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function handTopK(x: number[], k: number): Set<number> {
  const idx = x.map((_, i) => i).sort((i, j) => x[j]! - x[i]! || i - j);
  return new Set(idx.slice(0, Math.min(k, x.length)));
}

function handJaccard(a: Set<number>, b: Set<number>): number {
  const inter = [...a].filter((i) => b.has(i)).length;
  return inter / new Set([...a, ...b]).size;
}

function pairAuroc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

describe('stability primitives', () => {
  it('average ranks equal scipy.stats.rankdata on ties', () => {
    // scipy.stats.rankdata([0.7, 0.5, 0.7, 0.1, 0.5, 0.7]) = [5, 2.5, 5, 1, 2.5, 5]
    assert.deepEqual(Array.from(averageRanks(Float64Array.from([0.7, 0.5, 0.7, 0.1, 0.5, 0.7]))), [5, 2.5, 5, 1, 2.5, 5]);
  });

  it('Spearman equals the hand computation with ties', () => {
    const a = [0.9, 0.6, 0.6, 0.3, 0.8, 0.5, 0.5, 0.1];
    const b = [0.7, 0.65, 0.2, 0.3, 0.9, 0.5, 0.4, 0.4];
    const want = handSpearman(a, b);
    assert.ok(Math.abs(want - 0.624254) < 1e-6, `hand reference ${want}`);
    assert.ok(Math.abs(spearman(Float64Array.from(a), Float64Array.from(b))! - want) < 1e-12);
    assert.equal(spearman(Float64Array.from([0.5, 0.5, 0.5]), Float64Array.from([0.1, 0.2, 0.3])), null);
  });

  it('top-k Jaccard equals Sets, with ties broken by index and k capped', () => {
    const rng = mulberry32(7);
    // Values on a coarse grid so ties at the cut are common.
    const a = Array.from({ length: 300 }, () => Math.round(rng() * 40) / 40);
    const b = Array.from({ length: 300 }, (_, i) => (rng() < 0.5 ? a[i]! : Math.round(rng() * 40) / 40));
    for (const k of [1, 10, 100, 1000]) {
      const got = topKOverlap(Float64Array.from(a), Float64Array.from(b), k);
      const ta = handTopK(a, k);
      const tb = handTopK(b, k);
      assert.equal(got.k, Math.min(k, 300));
      assert.equal(got.shared, [...ta].filter((i) => tb.has(i)).length, `k=${k}`);
      assert.ok(Math.abs(got.jaccard - handJaccard(ta, tb)) < 1e-15, `k=${k}`);
    }
  });

  it('groupRows puts the rows of one half first, in place, each row intact', () => {
    const n = 3;
    const rows = 9;
    const m = Float32Array.from({ length: rows * n }, (_, i) => i);
    const h = halfSplit(rows, 2, 5)!.pos;
    groupRows(m, n, h.held, h.rank);
    const want = [...h.held, ...h.rank].flatMap((r) => [r * n, r * n + 1, r * n + 2]);
    assert.deepEqual(Array.from(m), want);
  });

  it('halves split each class in two disjoint seeded parts', () => {
    const h = halfSplit(11, 6, 3)!;
    for (const [c, n] of [[h.pos, 11], [h.neg, 6]] as const) {
      assert.deepEqual([...c.held, ...c.rank].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
      assert.ok(Math.abs(c.held.length - c.rank.length) <= 1);
    }
    assert.deepEqual(halfSplit(11, 6, 3), h, 'same seed, same halves');
    assert.notDeepEqual(Array.from(halfSplit(11, 6, 4)!.pos.held), Array.from(h.pos.held));
    assert.equal(halfSplit(1, 6), undefined);
  });
});

const SITES = [
  { id: 'transformer.h.0.mlp.c_fc', neurons: 150 },
  { id: 'transformer.h.1.mlp.c_fc', neurons: 90 },
];
const N = 120; // examples, toxic and non-toxic interleaved

function normals(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** A finished profile folder whose neurons with global index < `planted` respond 2 sd higher on toxic texts. */
function writeProfile(name: string, planted: number): { dir: string; labels: number[]; cols: number[][] } {
  const dir = scratchDir(name);
  const labels = Array.from({ length: N }, (_, i) => i % 2);
  const manifest = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    model: { name: 'synthetic', fingerprint: 'sha256:0' },
    data: { source: 'synthetic', positives: N / 2, negatives: N / 2, hash: 'sha256:0' },
    seqLen: 16,
    batchSize: 12,
    sites: SITES,
    examples: N,
    batches: 10,
    pooling: 'max',
  };
  mkdirSync(join(dir, 'responses'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'order.json'), JSON.stringify({ labels, exampleIndex: labels.map((_, i) => i) }));
  writeFileSync(join(dir, 'progress.json'), JSON.stringify({ done: Array.from({ length: 10 }, (_, i) => i) }));
  const z = normals(mulberry32(42));
  const cols: number[][] = [];
  let global = 0;
  for (const s of SITES) {
    const m = new Float32Array(N * s.neurons);
    for (let k = 0; k < s.neurons; k++) {
      const shift = global + k < planted ? 2 : 0;
      for (let r = 0; r < N; r++) m[r * s.neurons + k] = z() + (labels[r] ? shift : 0);
      cols.push(Array.from({ length: N }, (_, r) => m[r * s.neurons + k]!));
    }
    global += s.neurons;
    for (const pooling of ['max', 'mean'] as const) writeFileSync(responsesPath(dir, s.id, pooling), new Uint8Array(m.buffer));
  }
  return { dir, labels, cols };
}

/** The stability of a folder computed from the definitions, on the split halfSplit reports. */
function handStability(labels: number[], cols: number[][]) {
  const posRows = labels.flatMap((l, r) => (l ? [r] : []));
  const negRows = labels.flatMap((l, r) => (l ? [] : [r]));
  const h = halfSplit(posRows.length, negRows.length, 0)!;
  const half = (p: Uint32Array, q: Uint32Array) => cols.map((c) => pairAuroc(Array.from(p, (i) => c[posRows[i]!]!), Array.from(q, (i) => c[negRows[i]!]!)));
  const a = half(h.pos.held, h.neg.held);
  const b = half(h.pos.rank, h.neg.rank);
  return { a, b, jaccard: (k: number) => handJaccard(handTopK(a, k), handTopK(b, k)), spearman: handSpearman(a, b) };
}

describe('split-half stability in the profile folder', () => {
  let planted: ReturnType<typeof writeProfile>;
  let noise: ReturnType<typeof writeProfile>;
  before(() => {
    planted = writeProfile('stability-planted', 110);
    noise = writeProfile('stability-noise', 0);
  });

  it('summary.json reports Jaccard at k = 10, 100, 240 (1000 capped) and Spearman equal to the hand computation', async () => {
    const r = await scoreProfileTimed(planted.dir, { threads: 0 });
    const onDisk = JSON.parse(readFileSync(join(planted.dir, 'summary.json'), 'utf8')).stability as Stability;
    assert.deepEqual(onDisk, JSON.parse(JSON.stringify(r.stability)));
    const want = handStability(planted.labels, planted.cols);
    assert.deepEqual(onDisk.topK.map((t) => t.k), [10, 100, 240]);
    for (const t of onDisk.topK) assert.ok(Math.abs(t.jaccard - want.jaccard(t.k)) < 1e-15, `k=${t.k}: ${t.jaccard} vs ${want.jaccard(t.k)}`);
    assert.ok(Math.abs(onDisk.spearman! - want.spearman) < 1e-12);
    assert.deepEqual(onDisk.halves, { a: { positives: 30, negatives: 30 }, b: { positives: 30, negatives: 30 } });
    // The half AUROC files hold each half's AUROC per neuron (read by the panel's neuron detail).
    const fileA = new Float64Array(Uint8Array.from(readFileSync(halfAurocPath(planted.dir, SITES[1]!.id, 'max', 'a'))).buffer);
    for (let k = 0; k < SITES[1]!.neurons; k++) assert.ok(Math.abs(fileA[k]! - want.a[SITES[0]!.neurons + k]!) < 1e-12);
    assert.ok(want.jaccard(100) >= STABLE_JACCARD, 'planted experts are found again');
    assert.equal(onDisk.stable, true);
    assert.equal(onDisk.warning, undefined);
  });

  it('pure noise: the top 100 overlap is below the level and the profile says so', async () => {
    const r = await scoreProfileTimed(noise.dir, { threads: 0 });
    const s = r.stability as Stability;
    const want = handStability(noise.labels, noise.cols);
    assert.ok(Math.abs(s.topK[1]!.jaccard - want.jaccard(100)) < 1e-15);
    assert.ok(want.jaccard(100) < STABLE_JACCARD);
    assert.equal(s.stable, false);
    assert.match(s.warning!, /unstable experts: the top 100 of two halves/);
    assert.ok(Math.abs(s.spearman! - want.spearman) < 1e-12);
  });

  it("the panel's badge per row: stable in both halves' top 100, unstable in one, none in neither", async () => {
    await scoreProfileTimed(planted.dir, { threads: 0 });
    const want = handStability(planted.labels, planted.cols);
    const topA = handTopK(want.a, 100);
    const topB = handTopK(want.b, 100);
    // Rows in an order unlike the global one (last neuron first), as a ranking would be.
    const total = SITES[0]!.neurons + SITES[1]!.neurons;
    const globals = Array.from({ length: total }, (_, i) => total - 1 - i);
    const site = Uint32Array.from(globals, (g) => (g < SITES[0]!.neurons ? 0 : 1));
    const neuron = Uint32Array.from(globals, (g) => (g < SITES[0]!.neurons ? g : g - SITES[0]!.neurons));
    const sites = SITES.map((s, i) => ({ id: s.id, layer: i, kind: 'mlp-in' as never, neurons: s.neurons }));
    const r = stabilityStatsFrom(planted.dir, 'max', { sites, site, neuron });
    assert.equal(r.stability!.stable, true);
    const counts = [0, 0, 0];
    globals.forEach((g, row) => {
      const n = (topA.has(g) ? 1 : 0) + (topB.has(g) ? 1 : 0);
      const badge = n === 2 ? 1 : n === 1 ? 2 : 0;
      assert.equal(r.stableBadge![row], badge, `row ${row} (neuron ${g})`);
      counts[badge]!++;
    });
    assert.ok(counts[1]! > 0 && counts[2]! > 0 && counts[0]! > 0, `every badge occurs: ${counts}`);
    // Another pooling than the profile's own has no half files: the verdict without badges.
    assert.equal(stabilityStatsFrom(planted.dir, 'mean', { sites, site, neuron }).stableBadge, undefined);
  });
});
