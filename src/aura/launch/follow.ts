// Following a submitted profile array to the end: each task's scheduler state next to its shard's own
// progress (batches done of the shard's batches), requeueing a task that ended before its shard was
// complete (a killed or preempted task resumes from its folder), naming a task that keeps failing with
// the last lines of its log, and merging once every shard is complete.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AuraUserError } from '../errors';
import { readManifest, readProgress, shardBatches } from '../profile/store';
import { FINISHED, arrayTasks, requeueTask } from './slurm-client';
import type { JobRecord } from './job-record';
import type { SlurmTask } from './slurm-client';

export interface TaskStatus {
  task: number;
  /** Slurm's state, or "UNKNOWN" once the controller has forgotten the task (MinJobAge). */
  state: string;
  /** Batches of this shard done, as its progress file says. */
  done: number;
  /** Batches of this shard (0 until its profile has started and written its manifest). */
  batches: number;
  complete: boolean;
  restarts: number;
  /** Slurm's "exit:signal" of the task's last run ('' while it runs or once forgotten). */
  exitCode: string;
  log: string;
}

export function shardFolder(r: JobRecord, task: number): string {
  return join(r.out, `shard-${task}`);
}

function shardProgress(dir: string): { done: number; batches: number; complete: boolean } {
  const m = readManifest(dir);
  if (!m?.shard) return { done: 0, batches: 0, complete: false };
  const want = shardBatches(m.batches, m.shard);
  const have = readProgress(dir);
  const done = want.filter((b) => have.has(b)).length;
  return { done, batches: want.length, complete: done === want.length };
}

/** Every task of the job, whether or not Slurm still knows it. */
export async function jobStatus(r: JobRecord): Promise<TaskStatus[]> {
  const known = new Map<number, SlurmTask>((await arrayTasks(r.jobId)).map((t) => [t.task, t]));
  return Array.from({ length: r.shards }, (_, task) => {
    const t = known.get(task);
    const p = shardProgress(shardFolder(r, task));
    const state = t?.state || 'UNKNOWN';
    return {
      task,
      state,
      done: p.done,
      batches: p.batches,
      // A task still running may be writing its last files: its shard counts once the task has ended.
      complete: p.complete && (state === 'UNKNOWN' || FINISHED.has(state)),
      restarts: t?.restarts ?? 0,
      exitCode: t?.exitCode ?? '',
      // The script's `#SBATCH --output=NAME-%A_%a.log`, relative to where sbatch ran.
      log: t?.stdout || join(r.submitDir, `${r.name}-${r.jobId}_${task}.log`),
    };
  });
}

/** The last lines of a task's log, for the one-line error and the status table. */
export function logTail(file: string, lines = 3): string {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file, 'utf8').slice(Math.max(0, size - 4096));
    return text.trim().split('\n').slice(-lines).join(' | ');
  } catch {
    return existsSync(file) ? '(unreadable log)' : '(no log yet)';
  }
}

export interface WaitOptions {
  /** Seconds between polls. */
  poll: number;
  /** Times a task that ended with its shard incomplete is requeued before the wait gives up on it. */
  retries: number;
  /** Give up after this many seconds (0: never). */
  timeout: number;
  onChange?: (tasks: TaskStatus[], event: string | undefined) => void;
  signal?: AbortSignal;
}

/** Polls until every shard is complete; requeues tasks that ended early; throws naming a task that keeps failing. */
export async function waitForJob(r: JobRecord, o: WaitOptions): Promise<TaskStatus[]> {
  const requeued = new Map<number, number>();
  const start = Date.now();
  let last = '';
  for (;;) {
    if (o.signal?.aborted) throw new AuraUserError(`launch wait ${r.jobId}: stopped (the job keeps running; follow it again with \`aura-lens launch wait ${r.jobId}\`)`);
    const tasks = await jobStatus(r);
    let event: string | undefined;
    for (const t of tasks) {
      if (t.complete || !FINISHED.has(t.state) && t.state !== 'UNKNOWN') continue;
      if (t.state === 'UNKNOWN') {
        throw new AuraUserError(`job ${r.jobId} task ${t.task}: Slurm no longer knows it and shard-${t.task} is incomplete (${t.done} of ${t.batches || '?'} batches); resubmit with the same launch command (finished shards are kept) — log ${t.log}: ${logTail(t.log)}`);
      }
      const n = requeued.get(t.task) ?? 0;
      if (n >= o.retries) {
        throw new AuraUserError(`job ${r.jobId} task ${t.task} ${t.state} (exit ${t.exitCode || '?'}) with shard-${t.task} incomplete (${t.done} of ${t.batches || '?'} batches) after ${n} requeue${n === 1 ? '' : 's'}; log ${t.log}: ${logTail(t.log)}`);
      }
      await requeueTask(r.jobId, t.task);
      requeued.set(t.task, n + 1);
      event = `task ${t.task} ${t.state} with its shard incomplete: requeued (${n + 1} of ${o.retries}); it resumes from shard-${t.task}`;
    }
    const key = JSON.stringify(tasks.map((t) => [t.state, t.done, t.batches]));
    if (key !== last || event) o.onChange?.(tasks, event);
    last = key;
    if (tasks.every((t) => t.complete)) return tasks;
    if (o.timeout > 0 && Date.now() - start > o.timeout * 1000) {
      throw new AuraUserError(`launch wait ${r.jobId}: --timeout ${o.timeout} s passed with ${tasks.filter((t) => !t.complete).length} of ${r.shards} shards incomplete (the job keeps running)`);
    }
    await sleep(o.poll * 1000, o.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });
}
