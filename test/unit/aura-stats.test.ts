// Statistics of issue 9, item 1 against NumPy/SciPy/scikit-learn references written by
// test/fixtures/aura/make_stats_golden.py (never against this code's own output).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { aurocPerNeuron } from '../../src/aura/auroc';
import { benjaminiHochberg } from '../../src/aura/stats/mann-whitney';
import { normalSf } from '../../src/aura/stats/normal';
import { checkSampleSize } from '../../src/aura/stats/small-sample';
import { heldOutSplit, selectRows } from '../../src/aura/stats/split';
import { neuronUncertainty } from '../../src/aura/stats/uncertainty';
import { AuraUserError } from '../../src/aura/errors';

const golden = JSON.parse(readFileSync(join(__dirname, '../fixtures/aura/stats-golden.json'), 'utf8'));
const s = golden.stats;
const pos = Float32Array.from(s.pos as number[]);
const neg = Float32Array.from(s.neg as number[]);
const n = s.neurons as number;

function close(got: ArrayLike<number>, want: number[], rtol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const tol = rtol * Math.max(Math.abs(want[i]!), 1e-300);
    assert.ok(Math.abs(got[i]! - want[i]!) <= tol, `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

describe('statistics vs NumPy/SciPy', () => {
  const u = neuronUncertainty(pos, neg, n, { resamples: s.bootstrap.resamples, seed: s.bootstrap.seed, confidence: s.bootstrap.confidence });

  it('AUROC equals scikit-learn', () => close(u.auroc, s.auroc, 1e-12, 'auroc'));

  it('bootstrap intervals equal resampled roc_auc_score + numpy.percentile on the same draws', () => {
    close(u.ciLow, s.bootstrap.low, 1e-12, 'ciLow');
    close(u.ciHigh, s.bootstrap.high, 1e-12, 'ciHigh');
    for (let k = 0; k < n; k++) assert.ok(u.ciLow[k]! <= u.ciHigh[k]!);
  });

  it('one-sided Mann-Whitney p-values equal scipy (asymptotic, tie-corrected)', () => close(u.p, s.p, 1e-9, 'p'));

  it('p-values resolve far into the tail (down to 1e-108)', () => {
    const t = golden.tail;
    const tu = neuronUncertainty(Float32Array.from(t.pos), Float32Array.from(t.neg), t.neurons, { resamples: 1 });
    close(tu.p, t.p, 1e-8, 'tail p');
    close(benjaminiHochberg(tu.p), t.q, 1e-8, 'tail q');
  });

  it('Benjamini-Hochberg q-values equal the NumPy reference', () => close(benjaminiHochberg(Float64Array.from(s.p)), s.q, 1e-12, 'q'));

  it('held-out split and AUROCs equal the reference', () => {
    const h = s.heldOut;
    const split = heldOutSplit(s.positives, s.negatives, h.fraction, h.seed);
    assert.deepEqual(Array.from(split.pos.held), h.heldPositives);
    assert.deepEqual(Array.from(split.neg.held), h.heldNegatives);
    const rank = aurocPerNeuron(selectRows(pos, n, split.pos.rank), selectRows(neg, n, split.neg.rank), n);
    const held = aurocPerNeuron(selectRows(pos, n, split.pos.held), selectRows(neg, n, split.neg.held), n);
    close(rank, h.rankAuroc, 1e-12, 'rank auroc');
    close(held, h.heldAuroc, 1e-12, 'held auroc');
  });

  it('normal tail matches known values', () => {
    close([normalSf(0), normalSf(1.96), normalSf(-1.96), normalSf(8), normalSf(30)], [0.5, 0.024997895148220435, 0.9750021048517795, 6.22096057427178e-16, 4.906713927148187e-198], 1e-12, 'sf');
  });
});

describe('small profiles say so', () => {
  it('warns below 20 examples in a class, and not at 20', () => {
    const small = checkSampleSize(3, 2);
    assert.equal(small.tooSmall, true);
    assert.equal(small.warnings.length, 2);
    assert.match(small.warnings[0]!, /only 3 toxic examples \(fewer than 20 per class\)/);
    assert.deepEqual(checkSampleSize(20, 20), { tooSmall: false, warnings: [] });
  });
  it('rejects a held-out fraction that leaves a part without a class', () => {
    assert.throws(() => heldOutSplit(1, 10, 0.3), (e: Error) => e instanceof AuraUserError && /held-out part has 0 toxic/.test(e.message));
    assert.throws(() => heldOutSplit(10, 10, 1), (e: Error) => e instanceof AuraUserError && /--held-out: 1 is not a fraction/.test(e.message));
  });
});
