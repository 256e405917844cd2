// Sharded profiling (issue 12 item 1): four shard processes merged equal one run, file for file and byte
// for byte; a missing, duplicated, incomplete or mismatched shard is a clear error naming it; an
// interrupted shard resumes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { extractResponses } from '../../src/aura/profile/extract';
import { mergeShards } from '../../src/aura/profile/merge';
import { readAurocs } from '../../src/aura/profile/score';
import { shardBatches } from '../../src/aura/profile/store';
import { LanguageModel } from '../../src/engine/model';
import { CLI, runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const TINY = join(MODELS, 'gpt2-tiny');

function examples(n: number) {
  return Array.from({ length: n }, (_, i) => ({ text: `${i % 3 ? 'you are a damn fool' : 'the weather is fine'} ${i} ${'word '.repeat(i % 9)}`, label: (i % 3 ? 1 : 0) as 0 | 1 }));
}

function filesOf(dir: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = join(rel, e.name);
    if (e.isDirectory()) for (const [k, v] of filesOf(dir, p)) out.set(k, v);
    else out.set(p, readFileSync(join(dir, p)));
  }
  return out;
}

function assertSameFiles(got: string, want: string): void {
  const g = filesOf(got);
  const w = filesOf(want);
  assert.deepEqual([...g.keys()].sort(), [...w.keys()].sort());
  for (const [k, v] of w) assert.ok(g.get(k)!.equals(v), `${k} differs`);
}

function cli(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args]);
    let stderr = '';
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('sharded profiling and merge', () => {
  it('splits batches round-robin, each exactly once', () => {
    assert.deepEqual(shardBatches(10, { index: 1, count: 4 }), [1, 5, 9]);
    const all = [0, 1, 2, 3].flatMap((index) => shardBatches(10, { index, count: 4 })).sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: 10 }, (_, i) => i));
    assert.deepEqual(shardBatches(2, { index: 3, count: 4 }), []);
  });

  it('four shard processes merged equal one run, byte for byte (CLI)', async () => {
    const d = scratchDir('shards-cli');
    const data = join(d, 'data.jsonl');
    writeFileSync(data, examples(150).map((e) => JSON.stringify(e)).join('\n') + '\n');
    const common = ['--data', data, '--max-per-class', '60', '--seed', '3', '--seq-len', '24', '--batch-size', '8', '--threads', '1'];
    const single = runCli(['profile', TINY, ...common, '--out', join(d, 'single')]);
    assert.equal(single.status, 0, single.stderr);
    const shards = await Promise.all([0, 1, 2, 3].map((i) => cli(['profile', TINY, ...common, '--shard', `${i}/4`, '--out', join(d, `shard${i}`)])));
    for (const s of shards) assert.equal(s.status, 0, s.stderr);
    const merged = runCli(['merge', ...[3, 1, 0, 2].map((i) => join(d, `shard${i}`)), '--out', join(d, 'merged'), '--json']);
    assert.equal(merged.status, 0, merged.stderr);
    assert.equal(merged.json!.shards, 4);
    // Every file: manifest, order, progress, responses, AUROC, stats, summary. None carries a timestamp.
    assertSameFiles(join(d, 'merged'), join(d, 'single'));
    assert.ok(filesOf(join(d, 'merged')).size >= 4 * 4 + 5);
    // fit reads the merged profile like any other.
    const fit = runCli(['fit', join(d, 'merged'), '--method', 'aura', '--out', join(d, 'iv.json'), '--json']);
    assert.equal(fit.status, 0, fit.stderr);
    // A shard is not a profile until merged.
    const early = runCli(['fit', join(d, 'shard0'), '--method', 'aura', '--out', join(d, 'iv0.json')]);
    assert.equal(early.status, 1);
    assert.match(early.stderr, /is shard 0\/4 of a profile; run "aura-lens merge" on all 4 shards first/);
  });

  describe('in process', () => {
    let model: LanguageModel;
    const d = scratchDir('shards');
    before(async () => {
      model = await LanguageModel.open(TINY, { threads: 1 });
    });
    after(async () => model?.dispose());

    it('an interrupted shard resumes; missing, duplicated, incomplete or mismatched shards are named', async () => {
      const data = await loadConceptData({ kind: 'memory', examples: examples(60) });
      const o = { batchSize: 4, seqLen: 16 };
      await profileConcept(model, data, join(d, 'single'), o);
      for (const index of [0, 2]) await profileConcept(model, data, join(d, `s${index}`), { ...o, shard: { index, count: 3 } });
      // Shard 1 is stopped after two of its batches, then resumed.
      const stop = new AbortController();
      await assert.rejects(
        extractResponses(model, data, join(d, 's1'), { ...o, shard: { index: 1, count: 3 }, signal: stop.signal, onProgress: (e) => e.batch === 2 && stop.abort() }),
        (e: Error) => e.name === 'AbortError',
      );
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 's1'), join(d, 's2')], join(d, 'early')), /s1: shard 1\/3 is incomplete \(2 of 5 batches\)/);
      const again = await profileConcept(model, data, join(d, 's1'), { ...o, shard: { index: 1, count: 3 } });
      assert.equal(again.reusedBatches, 2);

      await assert.rejects(mergeShards([join(d, 's0'), join(d, 's2')], join(d, 'm1')), /merge: shard 1\/3 missing \(given 2 of 3\)/);
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 's1'), join(d, 's1')], join(d, 'm2')), /shard 1\/3 is given twice: .*s1 and .*s1/);
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 'single')], join(d, 'm3')), /single: is a whole profile, not a shard/);
      await profileConcept(model, data, join(d, 'other'), { ...o, seqLen: 8, shard: { index: 1, count: 3 } });
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 'other'), join(d, 's2')], join(d, 'm4')), /other: shard made with other settings than .*s0: --seq-len \(folder: 16, now: 8\)/);
      await profileConcept(model, data, join(d, 'four'), { ...o, shard: { index: 3, count: 4 } });
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 'four')], join(d, 'm5')), /four: is shard 3\/4, but .*s0 is one of 3 shards/);
      // A merge never writes over a profile.
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 's1'), join(d, 's2')], join(d, 'single')), /already holds a profile/);

      const r = await mergeShards([join(d, 's2'), join(d, 's0'), join(d, 's1')], join(d, 'merged'));
      assert.equal(r.shards, 3);
      assertSameFiles(join(d, 'merged'), join(d, 'single'));
      assert.deepEqual(readAurocs(join(d, 'merged')).sites.map((s) => Array.from(s.auroc)), readAurocs(join(d, 'single')).sites.map((s) => Array.from(s.auroc)));
    });

    it('a shard whose response file was cut short is named', async () => {
      const data = await loadConceptData({ kind: 'memory', examples: examples(20) });
      const o = { batchSize: 4, seqLen: 16 };
      for (const index of [0, 1]) await profileConcept(model, data, join(d, `t${index}`), { ...o, shard: { index, count: 2 } });
      cpSync(join(d, 't1'), join(d, 't1cut'), { recursive: true });
      const f = readdirSync(join(d, 't1cut', 'responses'))[0]!;
      writeFileSync(join(d, 't1cut', 'responses', f), readFileSync(join(d, 't1cut', 'responses', f)).subarray(0, 12));
      await assert.rejects(mergeShards([join(d, 't0'), join(d, 't1cut')], join(d, 'cut')), new RegExp(`t1cut/responses/${f.replace(/[.%]/g, '\\$&')}: expected \\d+ bytes of responses, found 12`));
    });
  });
});
