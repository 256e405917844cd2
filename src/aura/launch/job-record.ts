// What a submitted job leaves behind so that `launch status|wait|merge JOB_ID` work later, from another
// shell or after a reboot: `launch.json` next to the shards (the job's settings), and a pointer from the
// job id to that folder in the per-user cache (a job id alone is what users copy from sbatch's output).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { atomicWriteFile } from '../atomic-write';
import { AuraUserError } from '../errors';

export const JOB_RECORD = 'launch.json';

const RecordSchema = v.object({
  format: v.literal('aura-lens.launch'),
  version: v.literal(1),
  scheduler: v.picklist(['slurm', 'k8s']),
  /** Slurm's job id, or "NAMESPACE/NAME" of a Kubernetes Job. */
  jobId: v.pipe(v.string(), v.regex(/^(\d+|[a-z0-9-]+\/[a-z0-9-]+)$/)),
  /** Absolute path of the sbatch script that was submitted. */
  script: v.string(),
  /** The folder sbatch ran in (the tasks' working directory and where their logs go). */
  submitDir: v.string(),
  /** Absolute shard root: shard i is `${out}/shard-${i}`, the merge writes `${out}/merged`. */
  out: v.string(),
  shards: v.pipe(v.number(), v.integer(), v.minValue(1)),
  name: v.string(),
  submittedAt: v.string(),
});
export type JobRecord = v.InferOutput<typeof RecordSchema>;

const PointerSchema = v.object({ out: v.string() });

function jobsDir(env: NodeJS.ProcessEnv = process.env): string {
  const root = env.AURA_LENS_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'aura-lens');
  return join(root, 'jobs');
}

export async function saveJobRecord(r: JobRecord): Promise<void> {
  mkdirSync(r.out, { recursive: true });
  await atomicWriteFile(join(r.out, JOB_RECORD), JSON.stringify(r, null, 2) + '\n');
  mkdirSync(jobsDir(), { recursive: true });
  await atomicWriteFile(join(jobsDir(), pointerName(r.jobId)), JSON.stringify({ out: r.out }) + '\n');
}

function pointerName(jobId: string): string {
  return /^\d+$/.test(jobId) ? `slurm-${jobId}.json` : `k8s-${jobId.replace('/', '--')}.json`;
}

/** A job by its id (Slurm's number, or NAMESPACE/NAME of a Kubernetes Job) or by its shard folder (`--out` of the launch). */
export function findJobRecord(ref: string): JobRecord {
  let dir = ref;
  if (/^(\d+|[a-z0-9-]+\/[a-z0-9-]+)$/.test(ref) && !existsSync(ref)) {
    const pointer = join(jobsDir(), pointerName(ref));
    if (!existsSync(pointer)) throw new AuraUserError(`job ${ref}: not launched from this account with \`aura-lens launch ... --submit\` (no ${pointer}); give the job's --out folder instead`);
    dir = parseFile(pointer, PointerSchema, 'a job pointer').out;
  }
  const file = join(dir, JOB_RECORD);
  if (!existsSync(file)) throw new AuraUserError(`${ref}: expected a Slurm job id or a launch --out folder holding ${JOB_RECORD}`);
  return parseFile(file, RecordSchema, 'an aura-lens launch record');
}

function parseFile<T extends v.GenericSchema>(file: string, schema: T, what: string): v.InferOutput<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new AuraUserError(`${file}: expected ${what} (JSON): ${(e as Error).message}`);
  }
  const r = v.safeParse(schema, raw);
  if (!r.success) throw new AuraUserError(`${file}: expected ${what}: ${v.getDotPath(r.issues[0]) ?? 'top level'}: ${r.issues[0].message}`);
  return r.output;
}
