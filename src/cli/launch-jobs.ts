// `launch slurm --submit [--wait]`, `launch status|wait|merge JOB_ID|DIR`: the submitted array followed on
// the real scheduler, requeued where a task ended early, and merged once every shard is complete.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { findJobRecord, saveJobRecord } from '../aura/launch/job-record';
import { jobStatus, logTail, waitForJob } from '../aura/launch/follow';
import { indexLogTail, readIndexedJob, watchIndexedJob } from '../aura/launch/k8s-follow';
import { mergeJob } from '../aura/launch/submit';
import { UserError } from '../engine/errors';
import { command, number, parseCommand, positionals } from './flag-schema';
import { makeOutput } from './output';
import type { JobRecord } from '../aura/launch/job-record';
import type { TaskStatus } from '../aura/launch/follow';

/** How a follower follows: seconds between polls, requeues per task, seconds before giving up (0: never). */
export const FOLLOW_FLAGS = {
  poll: number('poll', { min: 0.2, max: 3600 }),
  retries: number('retries', { min: 0, max: 100, integer: true }),
  timeout: number('timeout', { min: 0, max: 30 * 86400 }),
};

export interface FollowFlags {
  poll?: number | undefined;
  retries?: number | undefined;
  timeout?: number | undefined;
}

function followOptions(f: FollowFlags): { poll: number; retries: number; timeout: number } {
  return { poll: f.poll ?? 5, retries: f.retries ?? 2, timeout: f.timeout ?? 0 };
}

export function statusLines(tasks: TaskStatus[]): string[] {
  return tasks.map((t) => {
    const progress = t.batches ? `${t.done}/${t.batches} batches` : 'not started';
    const tail = !t.complete && (t.state === 'FAILED' || t.state === 'CANCELLED' || t.state === 'TIMEOUT' || t.state === 'NODE_FAIL' || t.state === 'OUT_OF_MEMORY') ? ` — ${logTail(t.log)}` : '';
    return `  task ${t.task}  ${t.state.padEnd(10)} ${progress}${t.complete ? ' (shard complete)' : ''}${t.restarts ? `, ${t.restarts} restart${t.restarts === 1 ? '' : 's'}` : ''}${tail}`;
  });
}

/** Follows the job to the end and merges; the merged folder is `${out}/merged`. */
export async function waitAndMerge(r: JobRecord, flags: FollowFlags): Promise<{ tasks: TaskStatus[]; merged: string; mergedNow: boolean }> {
  const tasks = await waitForJob(r, {
    ...followOptions(flags),
    onChange: (ts, event) => {
      if (event) process.stderr.write(`${event}\n`);
      const done = ts.filter((t) => t.complete).length;
      process.stderr.write(`job ${r.jobId}: ${done} of ${r.shards} shards complete\n${statusLines(ts).join('\n')}\n`);
    },
  });
  return { tasks, ...(await mergeJob(r)) };
}

/** Records a submitted Kubernetes Job like a Slurm one; `out` is where this machine sees the shard root. */
export async function recordK8s(file: string, o: { namespace: string; name: string; out: string; shards: number }): Promise<JobRecord> {
  const record: JobRecord = { format: 'aura-lens.launch', version: 1, scheduler: 'k8s', jobId: `${o.namespace}/${o.name}`, script: resolve(file), submitDir: process.cwd(), out: resolve(o.out), shards: o.shards, name: o.name, submittedAt: new Date().toISOString() };
  if (existsSync(record.out)) await saveJobRecord(record);
  return record;
}

function k8sLines(r: JobRecord, p: { completed: number[]; failed: number[]; active: number }): string[] {
  return Array.from({ length: r.shards }, (_, i) => `  index ${i}  ${p.completed.includes(i) ? 'Succeeded' : p.failed.includes(i) ? 'Failed' : 'Pending or running'}`);
}

/** Watches a Kubernetes Job to its end; merges when the shard root is reachable from here. */
export async function waitK8sAndMerge(r: JobRecord, flags: FollowFlags): Promise<{ merged?: string; completed: number[] }> {
  const [namespace, name] = r.jobId.split('/') as [string, string];
  const p = await watchIndexedJob(namespace, name, {
    timeout: followOptions(flags).timeout,
    onChange: (s) => process.stderr.write(`job ${r.jobId}: ${s.completed.length} of ${r.shards} indexes succeeded, ${s.failed.length} failed, ${s.active} running\n`),
  });
  if (p.failedJob || p.failed.length > 0) {
    const first = p.failed[0];
    const tail = first === undefined ? '' : ` — index ${first}: ${await indexLogTail(namespace, name, first)}`;
    throw new UserError(`job ${r.jobId} failed (${p.failedJob ?? 'indexes failed'}); failed indexes: ${p.failed.join(', ') || 'none listed'}${tail}`);
  }
  if (!existsSync(r.out)) return { completed: p.completed };
  return { merged: (await mergeJob(r)).merged, completed: p.completed };
}

export async function launchJobCommand(verb: 'status' | 'wait' | 'merge', argv: string[]): Promise<void> {
  const job = positionals([`JOB_ID or the launch --out folder (usage: aura-lens launch ${verb} JOB_ID|DIR)`]);
  // Only `wait` follows, so only it takes the follow flags (an unknown flag is an error for the others).
  const f: FollowFlags & { _: string[]; json: boolean } = verb === 'wait' ? parseCommand('launch wait', argv, command({ _: job, ...FOLLOW_FLAGS })) : parseCommand(`launch ${verb}`, argv, command({ _: job }));
  const r = findJobRecord(f._[0]!);
  const o = makeOutput(f.json);
  if (r.scheduler === 'k8s') return k8sJobCommand(verb, r, f, o);
  if (verb === 'status') {
    const tasks = await jobStatus(r);
    const done = tasks.filter((t) => t.complete).length;
    o.result({ jobId: r.jobId, out: r.out, shards: r.shards, complete: done, tasks }, [`job ${r.jobId} (${r.name}): ${done} of ${r.shards} shards complete`, ...statusLines(tasks), done === r.shards ? `merge with: aura-lens launch merge ${r.jobId}` : ''].filter(Boolean).join('\n'));
    return;
  }
  if (verb === 'merge') {
    const tasks = await jobStatus(r);
    const left = tasks.filter((t) => !t.complete);
    if (left.length > 0) throw new UserError(`launch merge ${r.jobId}: ${left.length} of ${r.shards} shards incomplete (${left.slice(0, 5).map((t) => `task ${t.task} ${t.state}, ${t.done}/${t.batches || '?'} batches`).join('; ')}); wait with \`aura-lens launch wait ${r.jobId}\``);
    const m = await mergeJob(r);
    o.result({ jobId: r.jobId, out: r.out, merged: m.merged, mergedNow: m.mergedNow }, `${m.mergedNow ? 'merged' : 'already merged'}: ${m.merged}`);
    return;
  }
  const w = await waitAndMerge(r, f);
  o.result({ jobId: r.jobId, out: r.out, merged: w.merged, mergedNow: w.mergedNow, tasks: w.tasks }, `job ${r.jobId}: every shard complete; merged profile: ${w.merged}`);
}

async function k8sJobCommand(verb: 'status' | 'wait' | 'merge', r: JobRecord, flags: FollowFlags, o: ReturnType<typeof makeOutput>): Promise<void> {
  const [namespace, name] = r.jobId.split('/') as [string, string];
  if (verb === 'status') {
    const s = await readIndexedJob(namespace, name);
    o.result({ jobId: r.jobId, out: r.out, shards: r.shards, complete: s.completed.length, failed: s.failed, active: s.active, jobComplete: s.complete }, [`job ${r.jobId}: ${s.completed.length} of ${r.shards} indexes succeeded${s.failedJob ? ` (Failed: ${s.failedJob})` : ''}`, ...k8sLines(r, s)].join('\n'));
    return;
  }
  if (verb === 'merge') {
    const m = await mergeJob(r);
    o.result({ jobId: r.jobId, out: r.out, merged: m.merged, mergedNow: m.mergedNow }, `${m.mergedNow ? 'merged' : 'already merged'}: ${m.merged}`);
    return;
  }
  const w = await waitK8sAndMerge(r, flags);
  o.result({ jobId: r.jobId, out: r.out, completed: w.completed.length, ...(w.merged ? { merged: w.merged } : {}) }, w.merged ? `job ${r.jobId}: every index succeeded; merged profile: ${w.merged}` : `job ${r.jobId}: every index succeeded; merge where the shards are: aura-lens launch merge ${r.out}`);
}
