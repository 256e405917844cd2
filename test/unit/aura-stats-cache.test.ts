// The panel's statistics and transport fits cached in the profile folder (issue 9, item 1): a reopen
// reads them instead of recomputing (counted), another setting or other content recomputes, and a
// truncated, altered or foreign cache file is ignored with a log line, never an error.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { prepareProfileFolder } from '../../src/aura/profile/folder';
import { aurocPath } from '../../src/aura/profile/store';
import { profileContentFingerprint, statisticsCachePath, transportCachePath } from '../../src/aura/stats/cache';
import { profileStatistics } from '../../src/aura/stats/significance';
import { TRANSPORT_METHODS, transportSitesFromProfile } from '../../src/aura/transport';
import { PANEL_STATS, panelStatistics } from '../../src/host/model-host/panel-stats';
import { GOLDEN_SITE, goldenProfileFolder } from '../helpers/golden-profile';
import type { StatsOptions } from '../../src/aura/stats/significance';

/** panelStatistics with the real computations, counted. */
function counted(dir: string) {
  const calls = { stats: 0, transport: 0 };
  const open = (options: StatsOptions = PANEL_STATS('max')) =>
    panelStatistics(dir, options.pooling ?? 'max', {
      options,
      computeStats: () => (calls.stats++, profileStatistics(dir, options)),
      computeTransport: () => (calls.transport++, new Map(TRANSPORT_METHODS.map((m) => [m, transportSitesFromProfile(dir, m)]))),
    });
  return { calls, open };
}

/** Typed arrays compared by value (deepEqual on typed arrays of different buffers holds too, but say it). */
function sameStats(a: Awaited<ReturnType<typeof panelStatistics>>, b: Awaited<ReturnType<typeof panelStatistics>>): void {
  assert.deepEqual(b.stats, a.stats);
  assert.deepEqual(b.transport, a.transport);
  assert.ok(b.stats.sites[0]!.heldOutAuroc instanceof Float64Array);
  assert.ok(b.transport['linear-act'][0]!.gain instanceof Float32Array);
}

describe('statistics cache in the profile folder', () => {
  it('a reopen reads the statistics and transport fits back instead of recomputing them', async () => {
    const dir = goldenProfileFolder('cache-reopen');
    const { calls, open } = counted(dir);
    const first = await open();
    assert.deepEqual(calls, { stats: 1, transport: 1 });
    assert.ok(first.notes.some((n) => n.startsWith(`statistics cached in ${statisticsCachePath(dir, 'max')}`)), first.notes.join('\n'));
    assert.ok(first.notes.some((n) => n.startsWith(`transport cached in ${transportCachePath(dir)}`)));
    const second = await open();
    assert.deepEqual(calls, { stats: 1, transport: 1 }, 'nothing recomputed');
    assert.ok(second.notes.some((n) => n.startsWith('statistics read from')), second.notes.join('\n'));
    assert.ok(second.notes.some((n) => n.startsWith('transport fits read from')));
    sameStats(first, second);
    // What the cache gives back is what a fresh computation gives (not only what was written).
    assert.deepEqual(second.stats, profileStatistics(dir, PANEL_STATS('max')));
  });

  it('another statistics setting, another pooling or other content recomputes', async () => {
    const dir = goldenProfileFolder('cache-key');
    const { calls, open } = counted(dir);
    await open();
    await open({ ...PANEL_STATS('max'), resamples: 20 });
    assert.equal(calls.stats, 2, 'B changed');
    await open({ ...PANEL_STATS('max'), resamples: 20, seed: 4 });
    assert.equal(calls.stats, 3, 'seed changed');
    await open({ ...PANEL_STATS('max'), resamples: 20, seed: 4, permutations: 3 });
    assert.equal(calls.stats, 4, 'permutations changed');
    await open({ ...PANEL_STATS('max'), resamples: 20, seed: 4, permutations: 3, heldOutColumn: 0.25 });
    assert.equal(calls.stats, 5, 'split changed');
    await open({ ...PANEL_STATS('max'), resamples: 20, seed: 4, permutations: 3, heldOutColumn: 0.25 });
    assert.equal(calls.stats, 5, 'same settings again: cached');
    assert.equal(calls.transport, 1, 'the transport fits depend on none of them');
    await open(PANEL_STATS('mean'));
    assert.equal(calls.stats, 6, 'mean pooling has its own file');
    // Other responses: a new AUROC file (as a new profile into the same folder writes) changes the content.
    const fp = profileContentFingerprint(dir);
    const a = readFileSync(aurocPath(dir, GOLDEN_SITE, 'max'));
    a[0] ^= 1;
    writeFileSync(aurocPath(dir, GOLDEN_SITE, 'max'), a);
    assert.notEqual(profileContentFingerprint(dir), fp);
    await open({ ...PANEL_STATS('max'), resamples: 20, seed: 4, permutations: 3, heldOutColumn: 0.25 });
    assert.deepEqual(calls, { stats: 7, transport: 2 });
  });

  for (const [name, spoil, why] of [
    ['truncated', (p: string) => truncateSync(p, statSync(p).size - 5), /truncated or padded/],
    ['cut inside its header', (p: string) => truncateSync(p, 40), /no header line|not JSON/],
    ['altered', (p: string) => {
      const b = readFileSync(p);
      b[b.length - 3] ^= 0xff;
      writeFileSync(p, b);
    }, /checksum/],
    ['empty', (p: string) => writeFileSync(p, ''), /no header line/],
    ['not a cache file', (p: string) => writeFileSync(p, '{"format":"something else"}\n'), /not a aura-lens\.cache version 1 header/],
  ] as const) {
    it(`a ${name} cache file is ignored with a log line and recomputed`, async () => {
      const dir = goldenProfileFolder('cache-spoilt');
      const { calls, open } = counted(dir);
      const good = await open();
      spoil(statisticsCachePath(dir, 'max'));
      spoil(transportCachePath(dir));
      const again = await open();
      assert.deepEqual(calls, { stats: 2, transport: 2 });
      const ignored = again.notes.filter((n) => n.startsWith('ignored the'));
      assert.equal(ignored.length, 2, again.notes.join('\n'));
      for (const n of ignored) assert.match(n, why);
      assert.ok(ignored.every((n) => !n.includes('\n')), 'one line each');
      sameStats(good, again);
      // And it was replaced by a good one.
      await open();
      assert.deepEqual(calls, { stats: 2, transport: 2 });
    });
  }

  it('a folder where the cache cannot be written still opens (said in the log)', async () => {
    const dir = goldenProfileFolder('cache-unwritable');
    // A file where the cache folder goes: mkdir fails whoever runs the test (root ignores permissions).
    writeFileSync(join(dir, 'cache'), 'not a folder');
    const { calls, open } = counted(dir);
    const r = await open();
    assert.ok(r.notes.some((n) => /^could not cache the statistics in .*; they will be recomputed next time$/.test(n)), r.notes.join('\n'));
    assert.equal(r.stats.sites[0]!.auroc.length, 10);
    await open();
    assert.equal(calls.stats, 2);
  });

  it('a profile folder holding a cache is still a profile folder (profile --out may write into it again)', async () => {
    const dir = goldenProfileFolder('cache-folder');
    await counted(dir).open();
    prepareProfileFolder(dir);
    rmSync(join(dir, 'cache'), { recursive: true });
    mkdirSync(join(dir, 'cache'));
    prepareProfileFolder(dir);
  });
});
