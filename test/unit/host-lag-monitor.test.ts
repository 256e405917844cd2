// The lag monitor (perf_hooks.monitorEventLoopDelay) sees a block of the event loop wherever it
// falls in the measured window, including right before the window closes (where the first monitor
// was blind), and the always-on watchdog reports blocks over its threshold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureLag, watchLag } from '../../src/host/lag-monitor';

function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Spin: the event loop cannot turn.
  }
}

test('a block just before the work resolves is measured', async () => {
  const { lag } = await measureLag(async () => {
    await new Promise((r) => setTimeout(r, 30));
    block(200);
    return 1;
  });
  assert.ok(lag.maxMs >= 180, `max ${lag.maxMs} ms`);
  assert.ok(lag.samples > 0);
});

// How little a quiet window reports depends on the machine's load, so that bound lives in the
// budgets lane (bench/budgets.ts, "lag monitor: quiet 100 ms window"); here, the report's shape.
test('a quiet window is sampled throughout and reports a consistent histogram', async () => {
  const { value, lag } = await measureLag(() => new Promise<number>((r) => setTimeout(() => r(7), 100)));
  assert.equal(value, 7, 'the work\'s own result comes back');
  assert.ok(lag.samples > 0, `${lag.samples} samples`);
  assert.ok(lag.seconds >= 0.1, `the window covered the work (${lag.seconds} s)`);
  assert.ok(Number.isFinite(lag.maxMs) && lag.maxMs >= 0 && lag.p99Ms >= 0 && lag.p99Ms <= lag.maxMs, JSON.stringify(lag));
});

test('the watchdog reports a block over its threshold', async () => {
  const seen: number[] = [];
  const watch = watchLag((ms) => seen.push(ms), { thresholdMs: 50, periodMs: 100 });
  try {
    await new Promise((r) => setTimeout(r, 30));
    block(150);
    await new Promise((r) => setTimeout(r, 250));
    assert.ok(seen.some((ms) => ms >= 130), `reported ${JSON.stringify(seen)}`);
  } finally {
    watch.dispose();
  }
});
