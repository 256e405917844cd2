// AUROC per neuron: aura-lens against apple/ml-aura's own call pattern (scikit-learn's roc_auc_score on
// chunks of 10 neurons over a multiprocessing.Pool of every core, as src/utils/auroc.py and
// scripts/learn_aura.py call it) and against a vectorised rank-based AUROC over the whole matrix in
// NumPy, at equal thread counts. Same data on every side, warm (pools started, JIT warmed), and every
// neuron's value compared: exit 1 when values disagree, 3 when a baseline fails. --runs rounds (default
// 5), each timing every side once in turn (aura-lens, then the Python side in a fresh process, warmed
// before its clock starts), give one ratio per round: the table shows their median with min-max.
//   node --import tsx bench/auroc.ts [--positives 2000] [--negatives 2000] [--neurons 3072] [--threads N] [--runs 5]
// The default is one GPT-2 small MLP layer (c_fc, 3072 neurons) over 2,000 + 2,000 texts.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aurocPerNeuron } from '../src/aura/auroc';
import { createAurocPool, sharedResponses } from '../src/aura/auroc-pool';
import { mulberry32 } from '../src/aura/random';
import { ROOT, arg, check, maxDiff, python, readF64, record, threadsArg } from './common';
import { fmtSpread, spread } from './spread';

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
  const runs = arg('runs', 5);
  console.log(`AUROC: ${P} positives + ${Q} negatives x ${n} neurons (float32), ${threads} threads, ${runs} rounds, every side warm`);
  const pos = makeResponses(P, n, true, 1);
  const neg = makeResponses(Q, n, false, 2);
  const dir = mkdtempSync(join(tmpdir(), 'aura-bench-auroc-'));
  try {
    writeFileSync(join(dir, 'pos.f32'), new Uint8Array(pos.buffer, 0, P * n * 4));
    writeFileSync(join(dir, 'neg.f32'), new Uint8Array(neg.buffer, 0, Q * n * 4));
    const bundled = join(ROOT, 'dist', 'auroc-worker.js');
    const pool = createAurocPool({ threads, ...(existsSync(bundled) ? { workerFile: bundled } : {}) });
    const time = async <T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> => {
      const t0 = performance.now();
      const value = await fn();
      return { seconds: (performance.now() - t0) / 1000, value };
    };
    // Warm: the JIT, and the pool's workers started.
    aurocPerNeuron(pos, neg, n);
    await pool.run(pos, neg, n);
    const samples = { auraLens1: [] as number[], auraLensT: [] as number[], mlaura: [] as number[], rank1: [] as number[], rankT: [] as number[] };
    let single = new Float64Array(0);
    let pooled = new Float64Array(0);
    for (let i = 0; i < runs; i++) {
      const a = await time(() => aurocPerNeuron(pos, neg, n));
      const b = await time(() => pool.run(pos, neg, n));
      single = Float64Array.from(a.value);
      pooled = Float64Array.from(b.value);
      const py = python(['auroc', '--dir', dir, '--pos', String(P), '--neg', String(Q), '--neurons', String(n), '--threads', String(threads), '--reps', '1']);
      samples.auraLens1.push(a.seconds);
      samples.auraLensT.push(b.seconds);
      samples.mlaura.push(py.mlaura_s as number);
      samples.rank1.push(py.rank_1_s as number);
      samples.rankT.push(py[`rank_${threads}_s`] as number);
    }
    await pool.close();

    const mlaura = readF64(join(dir, 'mlaura.f64'));
    const rank1 = readF64(join(dir, 'rank_1.f64'));
    const rankT = readF64(join(dir, `rank_${threads}.f64`));
    const seconds = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, spread(v)])) as Record<keyof typeof samples, ReturnType<typeof spread>>;
    const row = (name: string, s: ReturnType<typeof spread>): void => console.log(`  ${name.padEnd(58)} ${fmtSpread(s, 3, ' s')}`);
    row(`ml-aura compute_auroc (sklearn, chunks of 10, Pool(${threads}))`, seconds.mlaura);
    row('vectorised rank AUROC (NumPy), 1 thread', seconds.rank1);
    row(`vectorised rank AUROC, columns over ${threads} threads`, seconds.rankT);
    row('aura-lens aurocPerNeuron, 1 thread', seconds.auraLens1);
    row(`aura-lens worker pool, ${threads} threads`, seconds.auraLensT);
    const tol = 1e-9;
    check(`aura-lens (pool) vs ml-aura, all ${n} neurons`, maxDiff(pooled, mlaura), tol);
    check('aura-lens (pool) vs rank AUROC', maxDiff(pooled, rankT), tol);
    check('aura-lens (1 thread) vs pool', maxDiff(single, pooled), 0);
    check('rank AUROC 1 thread vs threaded', maxDiff(rank1, rankT), 0);
    // One ratio per round (both sides timed in that round), summarised.
    const per = (theirs: number[], ours: number[]) => spread(theirs.map((t, i) => t / ours[i]!));
    const ratios = {
      vsMlAuraEqualThreads: per(samples.mlaura, samples.auraLensT),
      vsRankEqualThreads: per(samples.rankT, samples.auraLensT),
      vsRankOneThread: per(samples.rank1, samples.auraLens1),
    };
    console.log(`  aura-lens is ${fmtSpread(ratios.vsMlAuraEqualThreads, 1, 'x')} ml-aura's pattern (goal >= 10x), ${fmtSpread(ratios.vsRankEqualThreads, 1, 'x')} the rank AUROC at ${threads} threads (goal >= 3x), ${fmtSpread(ratios.vsRankOneThread, 1, 'x')} at 1 thread`);
    record('auroc', { positives: P, negatives: Q, neurons: n, threads, runs, seconds, ratios, valuesCompared: n, agree: process.exitCode !== 1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
