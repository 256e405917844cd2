// Submitting the shard array and merging it when done, shared by the CLI (`launch slurm --submit`,
// `launch wait|merge`) and the extension's Profile on a Cluster.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mergeShards } from '../profile/merge';
import { readManifest } from '../profile/store';
import { saveJobRecord } from './job-record';
import { shardFolder } from './follow';
import { sbatch } from './slurm-client';
import { restJobBody, restSubmit, restTarget } from './slurm-rest';
import type { JobRecord } from './job-record';
import type { SlurmOptions } from './slurm';

/** Submits the written script (sbatch from `submitDir`, or slurmrestd) and records the job next to its shards. */
export async function submitSlurm(script: string, o: { out: string; shards: number; name: string; submitDir?: string }, rest?: { url: string | undefined; options: SlurmOptions; text: string }): Promise<JobRecord> {
  const submitDir = o.submitDir ?? process.cwd();
  const jobId = rest ? await restSubmit(restTarget(rest.url), restJobBody(rest.options, rest.text, submitDir, process.env)) : await sbatch(resolve(script), submitDir);
  const record: JobRecord = { format: 'aura-lens.launch', version: 1, scheduler: 'slurm', jobId, script: resolve(script), submitDir, out: resolve(o.out), shards: o.shards, name: o.name, submittedAt: new Date().toISOString() };
  await saveJobRecord(record);
  return record;
}

/** Merges the job's shards into `${out}/merged`; a merge that finished before is reported, not redone. */
export async function mergeJob(r: JobRecord, signal?: AbortSignal): Promise<{ merged: string; mergedNow: boolean }> {
  const merged = join(r.out, 'merged');
  if (readManifest(merged) && existsSync(join(merged, 'summary.json'))) return { merged, mergedNow: false };
  await mergeShards(Array.from({ length: r.shards }, (_, i) => shardFolder(r, i)), merged, signal ? { signal } : {});
  return { merged, mergedNow: true };
}
