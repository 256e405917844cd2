// Screened intervals and the rank-sum permutation null (issue 22, item 5) against references written
// by test/fixtures/aura/make_stats_screen_golden.py: scikit-learn AUROCs, a full percentile bootstrap
// in numpy/scipy on the same mulberry32 draws, DeLong placement standard errors in numpy, and the
// null from roc_auc_score on the same mulberry32 shuffles (never against this code's own output).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SCREEN_MARGIN } from '../../src/aura/stats/interval-screen';
import { permutationPositives } from '../../src/aura/stats/permutation';
import { neuronUncertainty } from '../../src/aura/stats/uncertainty';

const g = JSON.parse(readFileSync(join(__dirname, '../fixtures/aura/stats-screen-golden.json'), 'utf8'));
const pos = Float32Array.from(g.pos as number[]);
const neg = Float32Array.from(g.neg as number[]);
const n = g.neurons as number;
const P = g.positives as number;
const Q = g.negatives as number;
const boot = g.bootstrap as { resamples: number; seed: number; confidence: number; low: number[]; high: number[] };
const refSe = g.se as number[];
const perms = permutationPositives(P, Q, g.null.permutations, g.null.seed);
const opts = { resamples: boot.resamples, seed: boot.seed, confidence: boot.confidence, permutations: perms };
const screened = neuronUncertainty(pos, neg, n, { ...opts, intervals: 'screened' });
const full = neuronUncertainty(pos, neg, n, opts);
const nearChance = (auroc: number, low: number) => auroc > 0.5 && low <= 0.5;

describe('screened intervals against the full bootstrap (numpy/scipy reference)', () => {
  it('AUROCs equal scikit-learn exactly', () => {
    for (let k = 0; k < n; k++) assert.ok(Math.abs(screened.auroc[k]! - g.auroc[k]) <= 1e-12, `auroc[${k}]`);
  });

  it('the full computation still equals the reference bootstrap', () => {
    for (let k = 0; k < n; k++) {
      assert.ok(Math.abs(full.ciLow[k]! - boot.low[k]!) <= 1e-12 && Math.abs(full.ciHigh[k]! - boot.high[k]!) <= 1e-12, `neuron ${k}`);
      assert.equal(full.bootstrapped[k], 1);
    }
  });

  it('a bootstrapped neuron has exactly the reference interval; the screen bootstraps the near-threshold experts and no others', () => {
    let count = 0;
    for (let k = 0; k < n; k++) {
      const lowNormal = g.auroc[k] - (g.zEffective as number) * refSe[k]!;
      if (screened.bootstrapped[k]) {
        count++;
        assert.ok(Math.abs(screened.ciLow[k]! - boot.low[k]!) <= 1e-12 && Math.abs(screened.ciHigh[k]! - boot.high[k]!) <= 1e-12, `neuron ${k}`);
        assert.ok(g.auroc[k] > 0.5, `neuron ${k} (AUROC ${g.auroc[k]}) is not an expert yet was bootstrapped`);
      } else if (g.auroc[k] > 0.5) {
        // Well inside or outside the threshold by the reference's own standard error.
        assert.ok(Math.abs(lowNormal - 0.5) > SCREEN_MARGIN * refSe[k]! * (1 - 1e-9), `neuron ${k}: lower bound ${lowNormal} is near 0.5 yet not bootstrapped`);
      }
    }
    // The fixture puts many neurons near the threshold, and many away from it.
    assert.ok(count >= 20 && count <= n - 60, `bootstrapped ${count} of ${n}`);
  });

  it('a normal interval is AUROC ± z·SE with the reference standard error and quantile (clamped to [0, 1])', () => {
    const z = g.zEffective as number;
    let checked = 0;
    for (let k = 0; k < n; k++) {
      if (screened.bootstrapped[k]) continue;
      const lo = Math.max(0, g.auroc[k] - z * refSe[k]!);
      const hi = Math.min(1, g.auroc[k] + z * refSe[k]!);
      assert.ok(Math.abs(screened.ciLow[k]! - lo) <= 1e-9 && Math.abs(screened.ciHigh[k]! - hi) <= 1e-9, `neuron ${k}: [${screened.ciLow[k]}, ${screened.ciHigh[k]}] vs [${lo}, ${hi}]`);
      checked++;
    }
    assert.ok(checked >= 60, `only ${checked} normal intervals`);
  });

  it('every near-chance verdict equals the full bootstrap', () => {
    let agree = 0;
    for (let k = 0; k < n; k++) {
      assert.equal(nearChance(screened.auroc[k]!, screened.ciLow[k]!), nearChance(g.auroc[k], boot.low[k]!), `neuron ${k}`);
      agree++;
    }
    assert.equal(agree, n);
  });

  it('a normal interval is within 1 reference standard error of the bootstrap interval, and the median width within 5%', () => {
    const wFull: number[] = [];
    const wScreened: number[] = [];
    for (let k = 0; k < n; k++) {
      wFull.push(boot.high[k]! - boot.low[k]!);
      wScreened.push(screened.ciHigh[k]! - screened.ciLow[k]!);
      if (screened.bootstrapped[k]) continue;
      const tol = 1 * refSe[k]!;
      assert.ok(Math.abs(screened.ciLow[k]! - boot.low[k]!) <= tol, `ciLow[${k}]: ${screened.ciLow[k]} vs ${boot.low[k]} (SE ${refSe[k]})`);
      assert.ok(Math.abs(screened.ciHigh[k]! - boot.high[k]!) <= tol, `ciHigh[${k}]: ${screened.ciHigh[k]} vs ${boot.high[k]} (SE ${refSe[k]})`);
      assert.ok(screened.ciLow[k]! >= 0 && screened.ciHigh[k]! <= 1);
    }
    const median = (w: number[]) => w.sort((a, b) => a - b)[Math.floor((w.length - 1) / 2)]!;
    const a = median(wFull);
    const b = median(wScreened);
    assert.ok(Math.abs(b - a) <= 0.05 * a, `median width ${b} vs ${a}`);
  });

  it('a class below 20 examples gets every neuron bootstrapped', () => {
    const few = neuronUncertainty(pos.subarray(0, 19 * n), neg, n, { resamples: boot.resamples, seed: boot.seed, confidence: boot.confidence, intervals: 'screened' });
    assert.ok(few.bootstrapped.every((b) => b === 1));
  });

  it('the screen is deterministic under its seed', () => {
    const again = neuronUncertainty(pos, neg, n, { ...opts, intervals: 'screened' });
    assert.deepEqual(again.ciLow, screened.ciLow);
    assert.deepEqual(again.ciHigh, screened.ciHigh);
    assert.deepEqual(again.bootstrapped, screened.bootstrapped);
  });
});

describe('the permutation null from sorted ranks (scikit-learn reference)', () => {
  it('every neuron under every permutation equals roc_auc_score on the shuffled labels', () => {
    const want = g.null.auroc as number[][];
    assert.equal(screened.null.length, want.length * n);
    for (let r = 0; r < want.length; r++) {
      for (let k = 0; k < n; k++) assert.ok(Math.abs(screened.null[r * n + k]! - want[r]![k]!) <= 1e-12, `permutation ${r}, neuron ${k}: ${screened.null[r * n + k]} vs ${want[r]![k]}`);
    }
  });

  it('the same with every interval bootstrapped, and with none', () => {
    const none = neuronUncertainty(pos, neg, n, { ...opts, resamples: 0 });
    assert.deepEqual(full.null, screened.null);
    assert.deepEqual(none.null, screened.null);
  });
});

describe('responses the model made NaN', () => {
  it('are refused naming the neuron and the class', () => {
    for (const [which, m] of [['toxic', 'pos'], ['non-toxic', 'neg']] as const) {
      const p = pos.slice();
      const q = neg.slice();
      (m === 'pos' ? p : q)[7 * n + 37] = Number.NaN;
      assert.throws(() => neuronUncertainty(p, q, n, { resamples: 0 }), new RegExp(`responses of neuron 37 are NaN for some ${which} examples`));
      assert.throws(() => neuronUncertainty(Float64Array.from(p), Float64Array.from(q), n, { resamples: 0 }), /neuron 37 are NaN/);
    }
  });
});
