import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aurocPerNeuron, responseShape } from '../../src/aura/auroc';
import { aurocParallel, createAurocPool, sharedResponses } from '../../src/aura/auroc-pool';
import { AuraUserError } from '../../src/aura/errors';
import { neuronStats } from '../../src/aura/neuron-stats';
import { mulberry32 } from '../../src/aura/random';
import { golden } from '../fixtures/aura/golden';

/** The definition, pair by pair: what every fast path must equal. */
function bruteForce(pos: ArrayLike<number>, neg: ArrayLike<number>, n: number): number[] {
  const P = pos.length / n;
  const Q = neg.length / n;
  const out: number[] = [];
  for (let j = 0; j < n; j++) {
    let twice = 0;
    for (let a = 0; a < P; a++) {
      for (let b = 0; b < Q; b++) {
        const p = pos[a * n + j];
        const q = neg[b * n + j];
        twice += p > q ? 2 : p === q ? 1 : 0;
      }
    }
    out.push(twice / (2 * P * Q));
  }
  return out;
}

function randomMatrix(rows: number, n: number, seed: number, decimals?: number): Float32Array {
  const rng = mulberry32(seed);
  const m = new Float32Array(rows * n);
  for (let i = 0; i < m.length; i++) {
    const v = (rng() - 0.5) * 4;
    m[i] = decimals === undefined ? v : Math.round(v * 10 ** decimals) / 10 ** decimals;
  }
  return m;
}

describe('aurocPerNeuron', () => {
  for (const c of golden.cases) {
    it(`equals scikit-learn's roc_auc_score on "${c.name}" (${c.positives}×${c.negatives}×${c.neurons})`, () => {
      const got = aurocPerNeuron(Float32Array.from(c.pos), Float32Array.from(c.neg), c.neurons);
      for (let j = 0; j < c.neurons; j++) {
        assert.ok(Math.abs(got[j] - c.auroc_sklearn[j]) <= 1e-9, `neuron ${j}: ${got[j]} vs sklearn ${c.auroc_sklearn[j]}`);
        // The count is exact, so it equals the exact rational rounded once, bit for bit.
        assert.equal(got[j], c.auroc_exact[j], `neuron ${j}`);
      }
    });
  }

  it('gives the same values from float64 input', () => {
    const c = golden.cases[0];
    const got = aurocPerNeuron(Float64Array.from(c.pos), Float64Array.from(c.neg), c.neurons);
    assert.deepEqual(Array.from(got), c.auroc_exact);
  });

  it('orders -0 with +0 and ±Infinity like any value', () => {
    const pos = Float32Array.from([-0, Infinity, -Infinity, 0, 1, 2]);
    const neg = Float32Array.from([0, Infinity, 5, -0, -Infinity, 2]);
    assert.deepEqual(Array.from(aurocPerNeuron(pos, neg, 3)), bruteForce(pos, neg, 3));
  });

  it('matches the pairwise definition on random tied and continuous data, views included', () => {
    for (const [decimals, seed] of [[1, 1], [undefined, 2], [0, 3]] as const) {
      const buf = randomMatrix(41 * 70 + 7, 1, seed, decimals);
      const pos = buf.subarray(7, 7 + 23 * 70); // a view with a byte offset
      const neg = randomMatrix(18 * 70, 1, seed + 10, decimals);
      assert.deepEqual(Array.from(aurocPerNeuron(pos, neg, 70)), bruteForce(pos, neg, 70));
    }
  });

  it('rejects NaN responses, naming the neuron', () => {
    const pos = Float32Array.from([0.1, 0.2, NaN, 0.4]);
    const neg = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    assert.throws(() => aurocPerNeuron(pos, neg, 2), (e: Error) => e instanceof AuraUserError && /neuron 0 .*NaN.*toxic/.test(e.message));
    assert.throws(() => aurocPerNeuron(neg, pos, 2), (e: Error) => e instanceof AuraUserError && /neuron 0 .*non-toxic/.test(e.message));
    assert.throws(() => aurocPerNeuron(Float64Array.from(pos), Float64Array.from(neg), 2), /NaN/);
  });

  it('rejects an empty class and a bad shape', () => {
    assert.throws(() => aurocPerNeuron(new Float32Array(0), new Float32Array(4), 2), (e: Error) => e instanceof AuraUserError && /no toxic/.test(e.message));
    assert.throws(() => aurocPerNeuron(new Float32Array(4), new Float32Array(0), 2), /no non-toxic/);
    assert.throws(() => responseShape(new Float32Array(5), new Float32Array(4), 2), RangeError);
  });
});

describe('neuronStats', () => {
  it('equals numpy mean and max per class', () => {
    for (const c of golden.cases) {
      const s = neuronStats(Float32Array.from(c.pos), Float32Array.from(c.neg), c.neurons);
      for (let j = 0; j < c.neurons; j++) {
        assert.ok(Math.abs(s.meanPositive[j] - c.mean_pos[j]) < 1e-12);
        assert.ok(Math.abs(s.meanNegative[j] - c.mean_neg[j]) < 1e-12);
        assert.equal(s.maxPositive[j], c.max_pos[j]);
        assert.equal(s.maxNegative[j], c.max_neg[j]);
      }
    }
  });
});

describe('aurocParallel', () => {
  const n = 300;
  const pos = randomMatrix(60 * n, 1, 7, 1);
  const neg = randomMatrix(50 * n, 1, 8, 1);
  const expected = Array.from(aurocPerNeuron(pos, neg, n));

  it('splits neurons over worker threads, reports progress, and equals the single-thread result', async () => {
    const progress: number[] = [];
    const got = await aurocParallel(pos, neg, n, { threads: 2, onProgress: (done, total) => {
      assert.equal(total, n);
      progress.push(done);
    } });
    assert.deepEqual(Array.from(got), expected);
    assert.equal(progress.at(-1), n);
    assert.ok(progress.every((d, i) => i === 0 || d > progress[i - 1]));
  });

  it('keeps its workers across runs of a pool, for profiling many sites', async () => {
    const pool = createAurocPool({ threads: 2 });
    try {
      const first = await pool.run(pos, neg, n);
      const second = await pool.run(neg, pos, n); // swapped classes, new shared inputs
      assert.deepEqual(Array.from(first), expected);
      assert.deepEqual(Array.from(second), Array.from(aurocPerNeuron(neg, pos, n)));
      assert.ok(Math.abs(second[0] - (1 - expected[0])) < 1e-12);
    } finally {
      await pool.close();
    }
    await assert.rejects(pool.run(pos, neg, n), /closed/);
  });

  it('reads shared input without copying and computes on this thread with threads: 0', async () => {
    const shared = sharedResponses(60, n);
    shared.set(pos);
    assert.deepEqual(Array.from(await aurocParallel(shared, neg, n, { threads: 0 })), expected);
  });

  it('stops when aborted and rethrows a worker NaN as a user error', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await assert.rejects(aurocParallel(pos, neg, n, { threads: 1, signal: controller.signal }), /stop/);

    const late = new AbortController();
    const run = aurocParallel(pos, neg, n, { threads: 0, signal: late.signal, onProgress: () => late.abort(new Error('late stop')) });
    await assert.rejects(run, /late stop/);

    const bad = pos.slice();
    bad[5 * n + 123] = NaN;
    await assert.rejects(aurocParallel(bad, neg, n, { threads: 1 }), (e: Error) => e instanceof AuraUserError && /neuron 123/.test(e.message));
  });
});
