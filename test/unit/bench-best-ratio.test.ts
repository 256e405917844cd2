// The end-to-end benchmark's ratio rule (bench/best-ratio.ts) on runs worked out by hand: each side's
// best over every thread count, the same turns on both sides, and the per-turn spread at those counts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestRatio } from '../../bench/best-ratio';
import type { PipelineRun } from '../../bench/best-ratio';

const run = (turn: number, threads: number, seconds: number, forwardS = seconds / 2): PipelineRun => ({ turn, threads, seconds, forwardS });
// aura-lens is fastest at 2 threads, the baseline at 1 thread.
const ours = [run(0, 1, 30), run(0, 2, 20), run(1, 1, 28), run(1, 2, 16), run(2, 1, 29), run(2, 2, 10)];
const theirs = [run(0, 1, 60), run(0, 2, 80), run(1, 1, 64), run(1, 2, 70), run(2, 1, 50), run(2, 2, 75)];

test('bestRatio: each side at the thread count its best came from; per turn at those counts', () => {
  const r = bestRatio(ours, theirs, 'seconds', 3);
  assert.equal(r.value, 50 / 10);
  assert.equal(r.auraLensThreads, 2);
  assert.equal(r.theirThreads, 1);
  // Per turn, baseline at 1 thread over aura-lens at 2: 60/20 = 3, 64/16 = 4, 50/10 = 5.
  assert.deepEqual(r.perTurn, { median: 4, min: 3, max: 5, runs: 3 });
});

test('bestRatio: a side run fewer turns is compared with our best over those same turns only', () => {
  const r = bestRatio(ours, theirs.filter((x) => x.turn < 2), 'seconds', 2);
  // Our best over turns 0-1 is 16 s (not turn 2's 10 s); theirs 60 s.
  assert.equal(r.value, 60 / 16);
  assert.deepEqual(r.perTurn, { median: 3.5, min: 3, max: 4, runs: 2 });
});

test('bestRatio: the forward stage is compared by its own best, whichever run it came from', () => {
  const o = [run(0, 1, 30, 9), run(0, 2, 20, 12)];
  const t = [run(0, 1, 60, 27), run(0, 2, 80, 24)];
  const r = bestRatio(o, t, 'forwardS', 1);
  assert.equal(r.value, 24 / 9);
  assert.equal(r.auraLensThreads, 1);
  assert.equal(r.theirThreads, 2);
});

test('bestRatio: a side without a run in the turns compared is an error, not a ratio', () => {
  assert.throws(() => bestRatio([], theirs, 'seconds', 1), /aura-lens has no run/);
});
