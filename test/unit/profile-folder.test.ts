// Profile folder safety (issue 10 items 1, 2, 11, 19): one writer per folder, no resuming with other
// settings, never emptying a folder aura-lens did not write, and user mistakes as one-line user errors.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { LOCK_FILE, lockFolder } from '../../src/aura/profile/lock';
import { LanguageModel } from '../../src/engine/model';
import { CLI, runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import type { ConceptData } from '../../src/aura/datasets';

const TINY = join(MODELS, 'gpt2-tiny');

function examples(n: number) {
  return Array.from({ length: n }, (_, i) => ({ text: `${i % 2 ? 'you are a damn fool' : 'the weather is fine'} number ${i} and more words ${'x '.repeat(i % 7)}`, label: (i % 2) as 0 | 1 }));
}

function dataFile(dir: string, n = 40): string {
  const f = join(dir, 'data.jsonl');
  writeFileSync(f, examples(n).map((e) => JSON.stringify(e)).join('\n') + '\n');
  return f;
}

/** Every file under a folder, by relative path, with its bytes. */
function filesOf(dir: string, rel = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = join(rel, e.name);
    if (e.isDirectory()) for (const [k, v] of filesOf(dir, p)) out.set(k, v);
    else out.set(p, readFileSync(join(dir, p)));
  }
  return out;
}

/** The pid of a process that has exited: a lock it held is stale. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('profile folder safety', () => {
  let model: LanguageModel;
  let data: ConceptData;
  before(async () => {
    model = await LanguageModel.open(TINY, { threads: 1 });
    data = await loadConceptData({ kind: 'memory', examples: examples(24) });
  });
  after(async () => model?.dispose());

  it('refuses a folder locked by a live run, naming its pid and host', async () => {
    const dir = scratchDir('locked');
    const held = lockFolder(dir);
    try {
      // The lock file says this process holds it: it is alive, so the run must not start.
      await assert.rejects(profileConcept(model, data, dir, { batchSize: 4 }), (e: Error) => {
        assert.equal(e.name, 'UserError'); // engine and aura share one user-error class
        assert.match(e.message, new RegExp(`another aura-lens profile run is writing this folder \\(pid ${process.pid} on `));
        assert.doesNotMatch(e.message, /\n/);
        return true;
      });
      assert.ok(!existsSync(join(dir, 'manifest.json')), 'nothing was written under the lock');
    } finally {
      held.release();
    }
    assert.ok(!existsSync(join(dir, LOCK_FILE)), 'release removes the lock');
  });

  it('takes over a stale lock left by a killed process on this host', async () => {
    const dir = scratchDir('stale');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: hostname(), since: '2020-01-01T00:00:00Z' }));
    const r = await profileConcept(model, data, dir, { batchSize: 4 });
    assert.equal(r.manifest.examples, 24);
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
  });

  it('does not guess about a lock held from another host, and says how to clear it', async () => {
    const dir = scratchDir('remote');
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'some-other-node', since: '2020-01-01T00:00:00Z' }));
    await assert.rejects(profileConcept(model, data, dir, { batchSize: 4 }), /pid 1 on some-other-node.*if that process is gone, delete .*\.aura-lens\.lock/);
  });

  it('refuses to resume a profile made with other settings, naming the difference, and keeps it intact', async () => {
    const dir = scratchDir('settings');
    await profileConcept(model, data, dir, { batchSize: 4, seqLen: 16 });
    const before = filesOf(dir);
    await assert.rejects(profileConcept(model, data, dir, { batchSize: 4, seqLen: 8 }), /other settings: --seq-len \(folder: 16, now: 8\)/);
    await assert.rejects(profileConcept(model, data, dir, { batchSize: 4, seqLen: 16, pooling: 'mean' }), /--pooling \(folder: max, now: mean\)/);
    await assert.rejects(profileConcept(model, data, dir, { batchSize: 4, seqLen: 16, sites: ['transformer.h.1.mlp.c_fc'] }), /--sites \(folder: transformer\.h\.0/);
    const other = await loadConceptData({ kind: 'memory', examples: examples(24).slice(2) });
    await assert.rejects(profileConcept(model, other, dir, { batchSize: 4, seqLen: 16 }), /data hash/);
    await assert.rejects(profileConcept(model, data, dir, { batchSize: 4, seqLen: 16, shard: { index: 1, count: 2 } }), /--shard \(folder: none \(a whole profile\), now: 1\/2\)/);
    assert.deepEqual(filesOf(dir), before, 'a refused run changes nothing');
    // The same settings resume (here: reuse everything).
    const again = await profileConcept(model, data, dir, { batchSize: 4, seqLen: 16 });
    assert.equal(again.reusedBatches, 6);
  });

  it('never deletes what it did not write: a non-empty folder that is not a profile is refused', async () => {
    const dir = scratchDir('foreign');
    mkdirSync(join(dir, 'auroc'));
    writeFileSync(join(dir, 'auroc', 'mine.txt'), 'precious');
    writeFileSync(join(dir, 'notes.md'), 'also precious');
    await assert.rejects(profileConcept(model, data, dir, { batchSize: 4 }), /is not empty and is not an aura-lens profile \(it holds "notes\.md"\)/);
    assert.equal(readFileSync(join(dir, 'auroc', 'mine.txt'), 'utf8'), 'precious');
    const other = scratchDir('foreign-manifest');
    writeFileSync(join(other, 'manifest.json'), '{"name": "some other tool"}');
    await assert.rejects(profileConcept(model, data, other, { batchSize: 4 }), /manifest\.json that is not an aura-lens profile's/);
  });

  it('the CLI: --out onto a file, under a file or where it cannot write is exit 1 with one line', () => {
    const d = scratchDir('cli-out');
    const data = dataFile(d);
    const file = join(d, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string, RegExp][] = [
      [file, /--out .*a-file: is a file; expected a folder/],
      [join(file, 'sub'), /a part of the path is a file/],
      ['/sys/aura-lens-cannot-write-here', /cannot write there \(EPERM|EACCES|EROFS\)/],
    ];
    for (const [out, want] of cases) {
      const r = runCli(['profile', TINY, '--data', data, '--out', out]);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(readFileSync(file, 'utf8'), 'x');
  });

  it('the CLI: --seq-len -1 is named as out of range; --seq-len past the context says it is clamped', () => {
    const d = scratchDir('cli-seq');
    const data = dataFile(d, 12);
    const neg = runCli(['profile', TINY, '--data', data, '--seq-len', '-1', '--out', join(d, 'p1')]);
    assert.equal(neg.status, 1);
    assert.equal(neg.stderr.trim(), 'aura-lens: --seq-len: expected an integer >= 1 and <= 8192, got "-1"');
    const long = runCli(['profile', TINY, '--data', data, '--seq-len', '100', '--out', join(d, 'p2'), '--json']);
    assert.equal(long.status, 0, long.stderr);
    assert.match(long.stderr, /--seq-len 100 is past the model's context of 32 tokens; texts are truncated to 32/);
  });

  it('the CLI: generate --max-new-tokens past the context says how many tokens it can give', () => {
    const r = runCli(['generate', TINY, '--prompt', 'The cat', '--max-new-tokens', '100', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const n = (r.json!.promptIds as number[]).length;
    assert.match(r.stderr, new RegExp(`--max-new-tokens 100 goes past the model's context of 32 tokens; at most ${32 - n} new tokens`));
    assert.ok((r.json!.ids as number[]).length <= 32 - n);
    const short = runCli(['generate', TINY, '--prompt', 'The cat', '--max-new-tokens', '5', '--json']);
    assert.equal(short.stderr, '');
  });

  it('two concurrent CLI runs into one --out never mix: one fails clearly, the folder equals a clean run', async () => {
    const d = scratchDir('cli-race');
    const data = dataFile(d, 160);
    const out = join(d, 'out');
    const run = (seqLen: string) =>
      new Promise<{ status: number | null; stderr: string; seqLen: string }>((resolve) => {
        const p = spawn(process.execPath, [CLI, 'profile', TINY, '--data', data, '--seq-len', seqLen, '--batch-size', '2', '--threads', '1', '--out', out]);
        let stderr = '';
        p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        p.on('close', (status) => resolve({ status, stderr, seqLen }));
      });
    const results = await Promise.all([run('24'), run('8')]);
    const ok = results.filter((r) => r.status === 0);
    const failed = results.filter((r) => r.status !== 0);
    assert.equal(ok.length, 1, results.map((r) => r.stderr).join('\n'));
    assert.equal(failed[0]!.status, 1);
    // Refused either by the lock (the runs overlapped) or by the settings check (they did not).
    assert.match(failed[0]!.stderr, /another aura-lens profile run is writing this folder|other settings: --seq-len/);
    const clean = join(d, 'clean');
    const c = runCli(['profile', TINY, '--data', data, '--seq-len', ok[0]!.seqLen, '--batch-size', '2', '--threads', '1', '--out', clean]);
    assert.equal(c.status, 0, c.stderr);
    const got = filesOf(out);
    const want = filesOf(clean);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    for (const [k, v] of want) assert.ok(got.get(k)!.equals(v), `${k} differs from a clean run`);
  });
});
