// The end-to-end benchmark's AUROC agreement bound (bench/auroc-agreement.ts): for responses moved by
// at most delta each, the AUROC moves by no more than the bound, checked against the pairwise
// definition of AUROC on random data; equal responses give a bound of 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { aurocDifferenceBound, pairsWithin } from '../../bench/auroc-agreement';

/** AUROC by its definition: the share of (positive, negative) pairs ordered right, ties half. */
function pairwiseAuroc(pos: ArrayLike<number>, neg: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < pos.length; i++) for (let j = 0; j < neg.length; j++) s += pos[i]! > neg[j]! ? 1 : pos[i] === neg[j] ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

test('pairsWithin counts the pairs within the width, as a double loop does', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 6 }), (p, n, w) => {
      let expected = 0;
      for (const a of p) for (const b of n) if (Math.abs(a - b) <= w) expected++;
      assert.equal(pairsWithin(sorted(p), sorted(n), w), expected);
    }),
  );
});

test('responses moved by at most delta move the AUROC by no more than the bound', () => {
  // Coarse values make ties and near-ties common; the perturbation is up to delta on every response.
  const values = fc.array(fc.integer({ min: 0, max: 12 }).map((v) => v / 4), { minLength: 1, maxLength: 25 });
  fc.assert(
    fc.property(values, values, fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 50, maxLength: 50 }), fc.constantFrom(0, 0.05, 0.2, 0.3), (p, n, noise, delta) => {
      const q = p.map((v, i) => v + delta * noise[i % 50]!);
      const m = n.map((v, i) => v + delta * noise[(i + 25) % 50]!);
      const { bound, delta: seen } = aurocDifferenceBound(sorted(p), sorted(n), sorted(q), sorted(m));
      assert.ok(seen <= delta + 1e-12, `delta ${seen} > ${delta}`);
      const diff = Math.abs(pairwiseAuroc(p, n) - pairwiseAuroc(q, m));
      assert.ok(diff <= bound + 1e-12, `AUROC moved ${diff}, bound ${bound}`);
    }),
    { numRuns: 500 },
  );
});

test('identical responses give delta 0 and a bound of 0 (no tied pairs); a reordering within a class changes nothing', () => {
  const p = [0.1, 0.5, 0.5, 0.9];
  const n = [0.2, 0.6, 0.7];
  assert.deepEqual(aurocDifferenceBound(sorted(p), sorted(n), sorted([...p].reverse()), sorted(n)), { delta: 0, bound: 0 });
});

test('a bigger move is seen: delta is the largest sorted difference and the bound grows with it', () => {
  const p = sorted([0, 1, 2, 3]);
  const n = sorted([0.5, 1.5, 2.5]);
  const small = aurocDifferenceBound(p, n, sorted([0, 1, 2, 3.01]), n);
  const large = aurocDifferenceBound(p, n, sorted([0, 1, 2, 3.6]), n);
  assert.equal(small.delta.toFixed(2), '0.01');
  assert.equal(small.bound, 0);
  assert.ok(large.bound > 0);
});
