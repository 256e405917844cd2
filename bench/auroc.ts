// AUROC per neuron: aura-lens against apple/ml-aura's own call pattern (scikit-learn's roc_auc_score on
// chunks of 10 neurons over a multiprocessing.Pool of every core, as src/utils/auroc.py and
// scripts/learn_aura.py call it) and against a vectorised rank-based AUROC over the whole matrix in
// NumPy/SciPy, at equal thread counts. Same data on every side, warm (pools started, JIT warmed), best
// of N on every side, and every neuron's value compared: exit 1 when values disagree, 3 when a baseline fails.
//   node --import tsx bench/auroc.ts [--positives 2000] [--negatives 2000] [--neurons 3072] [--threads N] [--reps 3]
// The default is one GPT-2 small MLP layer (c_fc, 3072 neurons) over 2,000 + 2,000 texts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aurocPerNeuron } from '../src/aura/auroc';
import { createAurocPool, sharedResponses } from '../src/aura/auroc-pool';
import { mulberry32 } from '../src/aura/random';
import { ROOT, arg, bestOf, check, fmt, maxDiff, python, readF64, record, threadsArg } from './common';

/**
 * Max-pooled GELU-like activations: a per-neuron offset, a shift on positives for a fifth of the neurons
 * (so AUROCs spread around 0.5 as in a real model), and GELU's floor, which makes near-ties.
 */
function makeResponses(rows: number, n: number, positive: boolean, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const neuronRng = mulberry32(12345);
  const offset = Float64Array.from({ length: n }, () => neuronRng() * 2 - 1.5);
  const shift = Float64Array.from({ length: n }, () => (neuronRng() < 0.2 ? neuronRng() * 0.6 : 0));
  const m = sharedResponses(rows, n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      const x = offset[j]! + (positive ? shift[j]! : 0) + gauss();
      m[r * n + j] = 0.5 * x * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x * x * x)));
    }
  }
  return m;
}

async function main(): Promise<void> {
  const P = arg('positives', 2000);
  const Q = arg('negatives', 2000);
  const n = arg('neurons', 3072);
  const threads = threadsArg();
  const reps = arg('reps', 3);
  console.log(`AUROC: ${P} positives + ${Q} negatives x ${n} neurons (float32), ${threads} threads, best of ${reps} warm runs`);
  const pos = makeResponses(P, n, true, 1);
  const neg = makeResponses(Q, n, false, 2);
  const dir = mkdtempSync(join(tmpdir(), 'aura-bench-auroc-'));
  try {
    writeFileSync(join(dir, 'pos.f32'), new Uint8Array(pos.buffer, 0, P * n * 4));
    writeFileSync(join(dir, 'neg.f32'), new Uint8Array(neg.buffer, 0, Q * n * 4));
    const single = await bestOf(reps, () => aurocPerNeuron(pos, neg, n));
    const bundled = join(ROOT, 'dist', 'auroc-worker.js');
    const pool = createAurocPool({ threads, ...(existsSync(bundled) ? { workerFile: bundled } : {}) });
    const pooled = await bestOf(reps, () => pool.run(pos, neg, n));
    await pool.close();

    const py = python(['auroc', '--dir', dir, '--pos', String(P), '--neg', String(Q), '--neurons', String(n), '--threads', String(threads), '--reps', String(reps)]);
    const mlaura = readF64(join(dir, 'mlaura.f64'));
    const rank1 = readF64(join(dir, 'rank_1.f64'));
    const rankT = readF64(join(dir, `rank_${threads}.f64`));
    const t = {
      auraLens1: single.seconds,
      auraLensT: pooled.seconds,
      mlaura: py.mlaura_s as number,
      rank1: py.rank_1_s as number,
      rankT: py[`rank_${threads}_s`] as number,
    };
    const row = (name: string, s: number): void => console.log(`  ${name.padEnd(58)} ${s.toFixed(3).padStart(8)} s`);
    row(`ml-aura compute_auroc (sklearn, chunks of 10, Pool(${threads}))`, t.mlaura);
    row('vectorised rank AUROC (NumPy), 1 thread', t.rank1);
    row(`vectorised rank AUROC, columns over ${threads} threads`, t.rankT);
    row('aura-lens aurocPerNeuron, 1 thread', t.auraLens1);
    row(`aura-lens worker pool, ${threads} threads`, t.auraLensT);
    const tol = 1e-9;
    check(`aura-lens (pool) vs ml-aura, all ${n} neurons`, maxDiff(pooled.value, mlaura), tol);
    check('aura-lens (pool) vs rank AUROC', maxDiff(pooled.value, rankT), tol);
    check('aura-lens (1 thread) vs pool', maxDiff(single.value, pooled.value), 0);
    check('rank AUROC 1 thread vs threaded', maxDiff(rank1, rankT), 0);
    const ratios = {
      vsMlAuraEqualThreads: t.mlaura / t.auraLensT,
      vsRankEqualThreads: t.rankT / t.auraLensT,
      vsRankOneThread: t.rank1 / t.auraLens1,
    };
    console.log(`  aura-lens is ${fmt(ratios.vsMlAuraEqualThreads, 1)}x ml-aura's pattern (goal >= 10x), ${fmt(ratios.vsRankEqualThreads, 1)}x the rank AUROC at ${threads} threads (goal >= 3x), ${fmt(ratios.vsRankOneThread, 1)}x at 1 thread`);
    record('auroc', { positives: P, negatives: Q, neurons: n, threads, reps, seconds: t, ratios, valuesCompared: n, agree: process.exitCode !== 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
