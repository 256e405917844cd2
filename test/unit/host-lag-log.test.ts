// The output channel's lag lines (issue 23 item 9): a block during one of our tasks is logged at once
// with the task; the others are summarised, one line per minute at most, with count and longest.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LagLog } from '../../src/host/lag-log';

function clocked() {
  let t = 0;
  const lines: string[] = [];
  const log = new LagLog((l) => lines.push(l), { now: () => t });
  return { log, lines, at: (ms: number) => (t = ms) };
}

test('a block while our task runs is logged at once, naming the task', () => {
  const { log, lines } = clocked();
  log.block(120, 'Profiling toxic.txt');
  assert.deepEqual(lines, ["the extension host's event loop was blocked for 120 ms while aura-lens was profiling toxic.txt"]);
});

test('147 blocks of nobody of ours over 30 minutes give at most one line a minute, with count and longest', () => {
  const { log, lines, at } = clocked();
  // 147 blocks spread over 30 minutes: every 12 s or so, 51–197 ms each.
  const blocks = Array.from({ length: 147 }, (_, i) => ({ t: 1_000 + i * 12_240, ms: 51 + i }));
  for (const b of blocks) {
    at(b.t);
    log.block(b.ms, null);
  }
  at(30 * 60_000 + 60_000);
  log.flush();
  assert.ok(lines.length <= 31, `${lines.length} lines for 31 minutes`);
  // Hand count: the first window closes at the first block at or after 60 s (i = 5, t = 62,200 ms),
  // which is counted in it: blocks 0..5, six of them, longest 51 + 5 = 56 ms, 51+…+56 = 321 ms.
  assert.equal(lines[0], "the extension host's event loop was blocked 6 times in the last 62 s with no aura-lens task running (longest 56 ms, 321 ms in all): VS Code or another extension");
  const counted = lines.map((l) => Number(/blocked (\d+) time/.exec(l)![1]));
  assert.equal(counted.reduce((a, b) => a + b, 0), 147, 'every block is in some summary');
  assert.match(lines.at(-1)!, /longest 197 ms/);
});

test('nothing to summarise writes nothing; shutdown writes what is pending', () => {
  const { log, lines, at } = clocked();
  at(120_000);
  log.flush();
  assert.deepEqual(lines, []);
  at(121_000);
  log.block(80, undefined);
  assert.deepEqual(lines, []);
  log.flush(true);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /blocked 1 time in the last 1 s .*longest 80 ms/);
});
