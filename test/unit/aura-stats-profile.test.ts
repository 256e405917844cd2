// profileStatistics on a synthetic profile folder with planted experts: the q-values find exactly
// the planted neurons among noise, the pooled permutation null is calibrated (about 5% of null
// AUROCs have p <= 0.05), and a held-out split reports AUROCs on texts the ranking did not see.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { mulberry32 } from '../../src/aura/random';
import { PROFILE_FORMAT, PROFILE_VERSION, responsesPath } from '../../src/aura/profile/store';
import { profileStatistics } from '../../src/aura/stats/significance';
import { scratchDir } from '../helpers/scratch';

const SITES = [
  { id: 'transformer.h.0.mlp.c_fc', neurons: 120 },
  { id: 'transformer.h.1.mlp.c_fc', neurons: 80 },
];
const PLANTED = new Set([3, 50, 119, 130, 199]); // global indices with a real shift
const N = 160; // examples: 80 toxic, 80 non-toxic, interleaved

/** Box-Muller normals from a seeded generator. */
function normals(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

let dir: string;
before(() => {
  dir = scratchDir('stats-profile');
  const labels = Array.from({ length: N }, (_, i) => i % 2);
  const manifest = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    model: { name: 'synthetic', fingerprint: 'sha256:0' },
    data: { source: 'synthetic', positives: N / 2, negatives: N / 2, hash: 'sha256:0' },
    seqLen: 16,
    batchSize: 16,
    sites: SITES,
    examples: N,
    batches: 10,
    pooling: 'max',
  };
  mkdirSync(join(dir, 'responses'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'order.json'), JSON.stringify({ labels, exampleIndex: labels.map((_, i) => i) }));
  const z = normals(mulberry32(42));
  let global = 0;
  for (const s of SITES) {
    const m = new Float32Array(N * s.neurons);
    for (let k = 0; k < s.neurons; k++) {
      const shift = PLANTED.has(global + k) ? 1.5 : 0;
      for (let r = 0; r < N; r++) m[r * s.neurons + k] = z() + (labels[r] ? shift : 0);
    }
    global += s.neurons;
    for (const pooling of ['max', 'mean'] as const) writeFileSync(responsesPath(dir, s.id, pooling), new Uint8Array(m.buffer));
  }
});

describe('profile statistics on planted experts', () => {
  it('the significant experts at q <= 0.01 are exactly the planted neurons', () => {
    const st = profileStatistics(dir, { resamples: 50, permutations: 20, maxQ: 0.01 });
    const found: number[] = [];
    let off = 0;
    for (const s of st.sites) {
      for (let i = 0; i < s.neurons; i++) if (s.auroc[i]! > 0.5 && s.q[i]! <= 0.01) found.push(off + i);
      off += s.neurons;
    }
    assert.deepEqual(found, [...PLANTED].sort((a, b) => a - b));
    assert.equal(st.summary.significant, PLANTED.size);
    assert.equal(st.tooSmall, false);
    // Planted experts have intervals well above 0.5.
    assert.ok(st.sites[0]!.ciLow![3]! > 0.75, `ci ${st.sites[0]!.ciLow![3]}`);
  });

  it('the pooled permutation null is calibrated: about 5% of null AUROCs reach p <= 0.05', () => {
    const st = profileStatistics(dir, { resamples: 0, permutations: 20 });
    assert.equal(st.null!.histogram.reduce((a, b) => a + b, 0), 20 * 200);
    assert.ok(st.null!.rejectRate > 0.03 && st.null!.rejectRate < 0.07, `reject rate ${st.null!.rejectRate}`);
    assert.equal(st.sites[0]!.ciLow, undefined);
  });

  it('held-out: planted experts keep a high AUROC on the texts the ranking did not see', () => {
    const st = profileStatistics(dir, { resamples: 0, permutations: 0, heldOut: 0.25, maxQ: 0.01 });
    assert.deepEqual(st.heldOut, { fraction: 0.25, rank: { positives: 60, negatives: 60 }, held: { positives: 20, negatives: 20 } });
    assert.ok(st.summary.heldOut!.meanHeldOutAuroc! > 0.75, `held-out ${st.summary.heldOut!.meanHeldOutAuroc}`);
  });
});
