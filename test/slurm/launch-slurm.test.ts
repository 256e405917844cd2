// Issue 21: the profile array on a real Slurm (scripts/slurm/start-local.sh: munge, slurmctld and slurmd
// on localhost). A 3-task array on the demo model; task 1 is cancelled mid-shard and slurmd restarted (a
// node "reboot"); `launch wait` requeues the task, which resumes its shard, and merges; the merged profile
// must equal a single local run of the same settings byte for byte, file for file.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CLI, runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

const ROOT = join(__dirname, '..', '..');
const MODEL = join(ROOT, 'media', 'demo', 'model');
const DATA = join(ROOT, 'media', 'demo', 'concept.jsonl');
const START = join(ROOT, 'scripts', 'slurm', 'start-local.sh');
// Small enough for two busy cores, with enough batches (200 per shard, each recorded as it finishes:
// AURA_LENS_SYNC_MS=0) to stop a task half-way.
const PROFILE_ARGS = ['--max-per-class', '300', '--batch-size', '1'];
const CLI_ON_NODES = `${process.execPath} ${CLI}`;

function slurm(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

/** Every file under a folder, relative path -> bytes. */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

function progress(shard: string): number {
  try {
    return (JSON.parse(readFileSync(join(shard, 'progress.json'), 'utf8')) as { done: number[] }).done.length;
  } catch {
    return 0;
  }
}

async function until(what: string, ok: () => boolean, seconds: number, pollMs = 100): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The pid of the task that profiles one shard (the sbatch script execs the CLI, so it is the task itself). */
function shardPid(shard: string, index: number, count: number): number {
  const r = spawnSync('pgrep', ['-f', '--', `--shard ${index}/${count} --out ${shard}( |$)`], { encoding: 'utf8' });
  const pids = r.stdout.trim().split('\n').filter(Boolean).map(Number);
  assert.equal(pids.length, 1, `one process profiles ${shard} (pgrep: ${r.stdout.trim() || 'none'})`);
  return pids[0]!;
}

describe('launch slurm on a real one-node Slurm', { timeout: 600_000 }, () => {
  let work: string;
  before(() => {
    const r = spawnSync('bash', [START, 'start'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `start-local.sh failed: ${r.stderr}`);
    process.env.SLURM_CONF = /export SLURM_CONF=(\S+)/.exec(spawnSync('bash', [START, 'env'], { encoding: 'utf8' }).stdout)![1];
    work = scratchDir('slurm-real');
    process.env.AURA_LENS_CACHE = join(work, 'cache');
    // Every finished batch is recorded at once, so a stopped task's progress is exact (sbatch passes the
    // environment on to the tasks).
    process.env.AURA_LENS_SYNC_MS = '0';
  });
  after(() => {
    // Leave nothing of ours queued on the machine's Slurm.
    spawnSync('scancel', ['--name', 'aura-test-array'], { encoding: 'utf8' });
    spawnSync('scancel', ['--name', 'aura-test-fail'], { encoding: 'utf8' });
  });

  it('submits, survives a cancelled task and a slurmd restart, requeues, merges equal to one local run', async () => {
    const local = join(work, 'local');
    const single = runCli(['profile', MODEL, '--data', DATA, '--out', local, ...PROFILE_ARGS], { timeout: 300_000 });
    assert.equal(single.status, 0, single.stderr);

    const out = join(work, 'run');
    const sub = runCli(['launch', 'slurm', MODEL, '--data', DATA, '--out', out, '--shards', '3', '--name', 'aura-test-array', '--cli', CLI_ON_NODES, '--file', join(work, 'array.sbatch'), '--submit', '--json', '--', ...PROFILE_ARGS], { cwd: work });
    assert.equal(sub.status, 0, sub.stderr);
    const jobId = String(sub.json!.jobId);
    assert.match(jobId, /^\d+$/);
    assert.match(slurm('scontrol', ['show', 'job', '-o', jobId]), /ArrayTaskId=/, 'sbatch made a job array');

    // Task 1 is frozen (SIGSTOP) once its shard is under way, so it is certainly mid-shard when cancelled;
    // the continue after scancel lets it receive Slurm's SIGTERM at once.
    const shard1 = join(out, 'shard-1');
    await until('task 1 to record its first batch', () => progress(shard1) >= 1, 240, 10);
    const pid = shardPid(shard1, 1, 3);
    process.kill(pid, 'SIGSTOP');
    const cancelledAt = progress(shard1);
    assert.ok(cancelledAt >= 1 && cancelledAt < 200, `task 1 is stopped mid-shard (${cancelledAt} of 200 batches)`);
    slurm('scancel', [`${jobId}_1`]);
    process.kill(pid, 'SIGCONT');
    await until('task 1 to be CANCELLED', () => /JobState=CANCELLED/.test(slurm('scontrol', ['show', 'job', '-o', `${jobId}_1`])), 60);
    assert.ok(progress(shard1) < 200, 'the cancelled task did not finish its shard');

    const status = runCli(['launch', 'status', jobId, '--json']);
    assert.equal(status.status, 0, status.stderr);
    const t1 = (status.json!.tasks as Array<{ task: number; state: string; complete: boolean }>)[1]!;
    assert.equal(t1.state, 'CANCELLED');
    assert.equal(t1.complete, false);

    const early = runCli(['launch', 'merge', jobId]);
    assert.equal(early.status, 1);
    assert.match(early.stderr.trim(), /^aura-lens: launch merge \d+: \d of 3 shards incomplete \(.*task 1 CANCELLED/);
    assert.equal(early.stderr.trim().split('\n').length, 1);

    // A node "reboot": slurmd restarts while the array is still queued or running.
    const restart = spawnSync('bash', [START, 'restart-slurmd'], { encoding: 'utf8' });
    assert.equal(restart.status, 0, restart.stderr);

    // `launch wait` requeues task 1 (it resumes its shard), follows every task and merges.
    const wait = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [CLI, 'launch', 'wait', jobId, '--poll', '0.5', '--json'], { env: process.env });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stderr, /task 1 CANCELLED with its shard incomplete: requeued \(1 of 2\)/);
    const merged = (JSON.parse(wait.stdout) as { merged: string }).merged;
    assert.equal(merged, join(out, 'merged'));

    const a = files(local);
    const b = files(merged);
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort(), 'the same files');
    for (const [name, bytes] of a) assert.ok(bytes.equals(b.get(name)!), `${name} is byte-identical to the single run's`);

    const again = runCli(['launch', 'merge', jobId, '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.json!.mergedNow, false);
    const done = runCli(['launch', 'status', out, '--json']);
    assert.equal(done.json!.complete, 3);
  });

  it('names a task that keeps failing, with the last lines of its log', () => {
    const out = join(work, 'fail');
    const r = runCli(['launch', 'slurm', MODEL, '--data', join(work, 'no-such-data.jsonl'), '--out', out, '--shards', '2', '--name', 'aura-test-fail', '--cli', CLI_ON_NODES, '--file', join(work, 'fail.sbatch'), '--submit', '--wait', '--retries', '0', '--poll', '0.5'], { cwd: work, timeout: 240_000 });
    assert.equal(r.status, 1, r.stderr);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, /^aura-lens: job \d+ task [01] FAILED \(exit 1:0\) with shard-[01] incomplete .* after 0 requeues; log .*aura-test-fail-\d+_[01]\.log: .*no-such-data\.jsonl/);
    assert.ok(existsSync(join(out, 'launch.json')), 'the job record is kept next to the shards');
  });
});
