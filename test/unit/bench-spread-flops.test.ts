// The benchmark table's pure helpers against values worked out by hand: the spread of repeated runs
// (bench/spread.ts) and the work of a pipeline's padded batches (bench/flops.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardFlops, gpt2Shape, paddedBatches, paddedTokens } from '../../bench/flops';
import { fmtSpread, spread } from '../../bench/spread';

test('spread: median of an odd count is the middle value, min and max the ends, in any input order', () => {
  assert.deepEqual(spread([5, 1, 3]), { median: 3, min: 1, max: 5, runs: 3 });
  assert.deepEqual(spread([7]), { median: 7, min: 7, max: 7, runs: 1 });
});

test('spread: median of an even count is the mean of the middle two', () => {
  assert.deepEqual(spread([4, 10, 1, 2]), { median: 3, min: 1, max: 10, runs: 4 });
});

test('spread: an empty list or a non-finite value is refused, not summarised', () => {
  assert.throws(() => spread([]), /no values/);
  assert.throws(() => spread([1, NaN]), /not finite/);
  assert.throws(() => spread([1, Infinity]), /not finite/);
});

test('fmtSpread: median then the range and the run count', () => {
  assert.equal(fmtSpread({ median: 4.25, min: 3.9, max: 4.81, runs: 5 }, 1, 'x'), '4.3x (3.9–4.8, 5 runs)');
  assert.equal(fmtSpread({ median: 2, min: 2, max: 2, runs: 1 }, 0), '2 (2–2, 1 run)');
});

test('paddedBatches: groups in the order given, each padded to its longest rounded up to the multiple', () => {
  // [3,1] -> width 4 (3 rounded up to 2's multiple), [5,2] -> 6, [2] -> 2
  assert.deepEqual(paddedBatches([3, 1, 5, 2, 2], 2, 2), [
    { rows: 2, width: 4 },
    { rows: 2, width: 6 },
    { rows: 1, width: 2 },
  ]);
  assert.equal(paddedTokens(paddedBatches([3, 1, 5, 2, 2], 2, 2)), 2 * 4 + 2 * 6 + 1 * 2);
  // Sorted, no rounding: [1,2] -> 2, [2,3] -> 3, [5] -> 5.
  assert.deepEqual(paddedBatches([1, 2, 2, 3, 5], 2), [
    { rows: 2, width: 2 },
    { rows: 2, width: 3 },
    { rows: 1, width: 5 },
  ]);
  assert.equal(paddedTokens(paddedBatches([1, 2, 2, 3, 5], 2)), 15);
});

test('forwardFlops: per padded batch, by hand for layers 2, d 4, inner 16, vocab 10', () => {
  const shape = gpt2Shape({ n_layer: 2, n_embd: 4, n_inner: null, vocab_size: 10 });
  assert.deepEqual(shape, { layers: 2, d: 4, inner: 16, vocab: 10 });
  // rows 2 x width 3 = 6 tokens; per token and layer 8*4*4 + 4*4*16 + 4*3*4 = 128 + 256 + 48 = 432;
  // 6 tokens x 2 layers x 432 = 5184; the head adds 6 x 2*4*10 = 480.
  assert.equal(forwardFlops(shape, [{ rows: 2, width: 3 }], false), 5184);
  assert.equal(forwardFlops(shape, [{ rows: 2, width: 3 }], true), 5664);
  // The sorted batches above: 4*2*416 + 6*2*432 + 5*2*464 = 3328 + 5184 + 4640.
  assert.equal(forwardFlops(shape, paddedBatches([1, 2, 2, 3, 5], 2), false), 13152);
});
