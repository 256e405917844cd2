/**
 * AUROC benchmark: aura-lens's exact per-neuron AUROC (one thread, and the worker pool) against
 * scikit-learn's roc_auc_score called once per neuron, as apple/ml-aura computes it, on the same data
 * in the same run. Prints the times, the largest difference between the two, and the ratios.
 *
 *   node --import tsx bench/auroc.ts [--positives 2000] [--negatives 2000] [--neurons 3072] [--threads N]
 *
 * The default size is one GPT-2 small MLP layer (c_fc, 3072 neurons) profiled on 2000 + 2000 texts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { aurocPerNeuron } from '../src/aura/auroc';
import { createAurocPool, sharedResponses } from '../src/aura/auroc-pool';
import { mulberry32 } from '../src/aura/random';

const PYTHON = '/usr/bin/python3';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

/**
 * Max-pooled GELU activations: a per-neuron offset, a small shift on toxic texts for some neurons
 * (so AUROCs spread around 0.5 as in a real model), and GELU's floor, which makes ties near -0.17.
 */
function makeResponses(rows: number, n: number, toxic: boolean, seed: number): Float32Array {
  const rng = mulberry32(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const neuronRng = mulberry32(12345);
  const offset = Float64Array.from({ length: n }, () => neuronRng() * 2 - 1.5);
  const shift = Float64Array.from({ length: n }, () => (neuronRng() < 0.2 ? neuronRng() * 0.6 : 0));
  const m = sharedResponses(rows, n);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < n; j++) {
      const x = offset[j] + (toxic ? shift[j] : 0) + gauss();
      m[r * n + j] = 0.5 * x * (1 + Math.tanh(0.7978845608 * (x + 0.044715 * x * x * x)));
    }
  }
  return m;
}

const PY_SCRIPT = `
import json, sys, time
import numpy as np
from sklearn.metrics import roc_auc_score
d, P, Q, N = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
pos = np.fromfile(d + '/pos.f32', dtype='<f4').reshape(P, N)
neg = np.fromfile(d + '/neg.f32', dtype='<f4').reshape(Q, N)
x = np.concatenate([pos, neg], 0)
y = np.r_[np.ones(P), np.zeros(Q)]
t = time.perf_counter()
auc = np.array([roc_auc_score(y, x[:, j]) for j in range(N)])
per_neuron = time.perf_counter() - t
# apple/ml-aura's own call: chunks of 10 neurons with average=None (on one process here).
t = time.perf_counter()
chunked = np.concatenate([roc_auc_score(y[:, None].repeat(x[:, s:s + 10].shape[1], 1), x[:, s:s + 10], average=None) for s in range(0, N, 10)])
chunked_s = time.perf_counter() - t
auc.astype('<f8').tofile(d + '/sklearn.f64')
print(json.dumps({"per_neuron_s": per_neuron, "chunked_s": chunked_s, "chunked_max_diff": float(np.abs(chunked - auc).max())}))
`;

function hasSklearn(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import numpy, sklearn'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  const P = arg('positives', 2000);
  const Q = arg('negatives', 2000);
  const n = arg('neurons', 3072);
  const threads = arg('threads', availableParallelism());
  console.log(`AUROC benchmark: ${P} positives + ${Q} negatives × ${n} neurons (float32), ${availableParallelism()} CPUs`);
  if (!hasSklearn()) {
    console.log(`skipped: ${PYTHON} with numpy and scikit-learn is not available (this is a benchmark, not a test)`);
    return;
  }
  const pos = makeResponses(P, n, true, 1);
  const neg = makeResponses(Q, n, false, 2);
  const dir = await mkdtemp(join(tmpdir(), 'aura-bench-'));
  try {
    await writeFile(join(dir, 'pos.f32'), new Uint8Array(pos.buffer));
    await writeFile(join(dir, 'neg.f32'), new Uint8Array(neg.buffer));

    aurocPerNeuron(pos.subarray(0, 50 * n), neg.subarray(0, 50 * n), n); // warm the JIT
    // Best of two: the machine may be shared, and a benchmark should report the code, not the neighbours.
    let single = Infinity;
    let ts: Float64Array = new Float64Array(0) as Float64Array;
    for (let rep = 0; rep < 2; rep++) {
      const t0 = performance.now();
      ts = aurocPerNeuron(pos, neg, n);
      single = Math.min(single, (performance.now() - t0) / 1000);
    }

    const bundled = join(__dirname, '..', 'dist', 'auroc-worker.js');
    const workerFile = existsSync(bundled) ? bundled : undefined;
    // A cold run includes starting the workers; a warm one is what each further site costs when
    // profiling a model (one pool for all sites).
    const workers = createAurocPool({ threads, workerFile });
    let t = performance.now();
    const pooled = await workers.run(pos, neg, n);
    const pool = (performance.now() - t) / 1000;
    t = performance.now();
    await workers.run(pos, neg, n);
    const warm = (performance.now() - t) / 1000;
    await workers.close();

    const py = spawnSync(PYTHON, ['-c', PY_SCRIPT, dir, String(P), String(Q), String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
    const times = JSON.parse(py.stdout.trim().split('\n').at(-1) as string) as { per_neuron_s: number; chunked_s: number; chunked_max_diff: number };
    const skBytes = await readFile(join(dir, 'sklearn.f64'));
    const sk = new Float64Array(skBytes.buffer, skBytes.byteOffset, n);

    let maxDiff = 0;
    let poolDiff = 0;
    for (let j = 0; j < n; j++) {
      maxDiff = Math.max(maxDiff, Math.abs(ts[j] - sk[j]));
      poolDiff = Math.max(poolDiff, Math.abs(pooled[j] - ts[j]));
    }
    const row = (name: string, s: number): string => `  ${name.padEnd(48)} ${s.toFixed(3).padStart(8)} s`;
    console.log(row('scikit-learn roc_auc_score, once per neuron', times.per_neuron_s));
    console.log(row('scikit-learn, 10 neurons per call (ml-aura)', times.chunked_s));
    console.log(row('aura-lens aurocPerNeuron, 1 thread', single));
    const kind = workerFile ? 'dist bundle' : 'tsx';
    console.log(row(`aura-lens pool, ${threads} workers, cold (${kind})`, pool));
    console.log(row(`aura-lens pool, ${threads} workers, warm`, warm));
    console.log(`  max |aura-lens - sklearn| = ${maxDiff.toExponential(2)}; pool vs 1 thread: ${poolDiff}; sklearn chunked vs per neuron: ${times.chunked_max_diff.toExponential(2)}`);
    const ratio = (x: number): string => `${(times.per_neuron_s / x).toFixed(1)}x`;
    console.log(`  ratio sklearn_time / ts_time: ${ratio(single)} (1 thread), ${ratio(pool)} (pool, cold), ${ratio(warm)} (pool, warm)`);
    if (maxDiff > 1e-12) console.log('  WARNING: values differ by more than 1e-12');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(2);
});
