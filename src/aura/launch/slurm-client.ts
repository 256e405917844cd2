// The Slurm commands a login node has (sbatch, scontrol, scancel), run without a shell and parsed.
// Accounting (sacct) is often off on small clusters, so a job is followed through `scontrol show job`,
// which keeps finished array tasks for MinJobAge (300 s by default), and through the shards' own
// progress files, which outlive the controller's memory.
import { execFile } from 'node:child_process';
import { AuraUserError } from '../errors';

export interface SlurmTask {
  /** Array task index (the shard index). */
  task: number;
  /** Slurm's job state: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, NODE_FAIL, PREEMPTED, TIMEOUT, OUT_OF_MEMORY, REQUEUED, ... */
  state: string;
  reason: string;
  exitCode: string;
  restarts: number;
  /** Where the task's output goes, as Slurm resolved it (absolute). */
  stdout: string;
}

/** States after which a task runs no more unless requeued. */
export const FINISHED = new Set(['COMPLETED', 'FAILED', 'CANCELLED', 'NODE_FAIL', 'PREEMPTED', 'TIMEOUT', 'OUT_OF_MEMORY', 'BOOT_FAIL', 'DEADLINE']);

function run(cmd: string, args: string[], cwd?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new AuraUserError(`${cmd}: not found on PATH; run this on a Slurm login node (or install slurm-client)`));
        return;
      }
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

function oneLine(s: string): string {
  return s.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
}

/** `sbatch --parsable SCRIPT` from `cwd`; returns the job id. */
export async function sbatch(script: string, cwd: string): Promise<string> {
  const r = await run('sbatch', ['--parsable', script], cwd);
  if (r.code !== 0) throw new AuraUserError(`sbatch ${script}: ${oneLine(r.stderr) || `exit ${r.code}`}`);
  // --parsable prints "jobid" or "jobid;cluster".
  const id = r.stdout.trim().split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new AuraUserError(`sbatch ${script}: expected a job id, got "${r.stdout.trim()}"`);
  return id;
}

/** The array's tasks as the controller knows them; [] when it has forgotten the job (or never knew it). */
export async function arrayTasks(jobId: string): Promise<SlurmTask[]> {
  const r = await run('scontrol', ['show', 'job', '-o', jobId]);
  if (r.code !== 0) {
    if (/Invalid job id/i.test(r.stderr)) return [];
    throw new AuraUserError(`scontrol show job ${jobId}: ${oneLine(r.stderr) || `exit ${r.code}`}`);
  }
  return parseShowJob(r.stdout);
}

/** Parses `scontrol show job -o` (one line per job record, `Key=Value` pairs separated by spaces). */
export function parseShowJob(text: string): SlurmTask[] {
  const tasks: SlurmTask[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('JobId=')) continue;
    const field = (k: string): string => new RegExp(`(?:^|\\s)${k}=(\\S*)`).exec(line)?.[1] ?? '';
    const taskField = field('ArrayTaskId');
    // A pending array record can stand for several tasks: "ArrayTaskId=1-2" or "0,2" or "3-5%2".
    for (const task of expandTaskIds(taskField.replace(/%\d+$/, ''))) {
      tasks.push({ task, state: field('JobState'), reason: field('Reason'), exitCode: field('ExitCode'), restarts: Number(field('Restarts')) || 0, stdout: field('StdOut') });
    }
  }
  return tasks.sort((a, b) => a.task - b.task);
}

function expandTaskIds(s: string): number[] {
  if (s === '') return [];
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    for (let i = a; i <= b; i += step) out.push(i);
  }
  return out;
}

/** Puts a finished (or running) array task back into the queue; its shard resumes from its folder. */
export async function requeueTask(jobId: string, task: number): Promise<void> {
  const r = await run('scontrol', ['requeue', `${jobId}_${task}`]);
  if (r.code !== 0) throw new AuraUserError(`scontrol requeue ${jobId}_${task}: ${oneLine(r.stderr) || `exit ${r.code}`}`);
}
