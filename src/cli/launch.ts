// `aura-lens launch k8s|slurm`: writes (and for k8s, with --submit, submits) the cluster job that runs
// `profile --shard I/N` for every shard, then prints the merge command to run when they are done.
import { resolve } from 'node:path';
import { atomicWriteFile } from '../aura/atomic-write';
import { indexedJob, submitJob } from '../aura/launch/k8s-job';
import { mergeCommand } from '../aura/launch/shards-plan';
import { sbatchScript } from '../aura/launch/slurm';
import { UserError } from '../engine/errors';
import { num, parse, positional, requireStr, str } from './args';
import { submitSlurm } from '../aura/launch/submit';
import { FOLLOW_FLAGS, launchJobCommand, recordK8s, waitAndMerge, waitK8sAndMerge } from './launch-jobs';
import { makeOutput } from './output';
import type { ShardPlan } from '../aura/launch/shards-plan';
import type { Parsed } from './args';

const COMMON = { data: 'string', out: 'string', shards: 'string', name: 'string', file: 'string', parallelism: 'string', gpus: 'string' } as const;

export async function launchCommand(argv: string[]): Promise<void> {
  // Everything after "--" is passed to each shard's `profile` unchanged.
  const cut = argv.indexOf('--');
  const own = cut === -1 ? argv : argv.slice(0, cut);
  const profileArgs = cut === -1 ? [] : argv.slice(cut + 1);
  const [engine, ...rest] = own;
  if (engine === 'k8s') return launchK8s(rest, profileArgs);
  if (engine === 'slurm') return launchSlurm(rest, profileArgs);
  if (engine === 'status' || engine === 'wait' || engine === 'merge') return launchJobCommand(engine, rest);
  throw new UserError(`launch: expected "k8s", "slurm", "status", "wait" or "merge", got ${engine ? `"${engine}"` : 'nothing'} (usage: aura-lens launch k8s|slurm MODEL_DIR --data FILE --out DIR --shards N ...)`);
}

function plan(p: Parsed, profileArgs: string[]): ShardPlan {
  return {
    model: positional(p, 0, 'MODEL_DIR (the model folder as the cluster nodes see it)'),
    data: requireStr(p.flags, 'data'),
    out: requireStr(p.flags, 'out'),
    shards: num(p.flags, 'shards', { min: 1, max: 100_000, integer: true }) ?? requireNumber('shards'),
    profileArgs,
  };
}

function requireNumber(name: string): never {
  throw new UserError(`--${name} is required`);
}

async function launchK8s(argv: string[], profileArgs: string[]): Promise<void> {
  const p = parse(argv, { ...COMMON, image: 'string', namespace: 'string', 'backoff-limit-per-index': 'string', pvc: 'string', mount: 'string', cpu: 'string', memory: 'string', submit: 'boolean', wait: 'boolean', 'local-out': 'string', timeout: 'string' });
  if (p.flags.wait && !p.flags.submit) throw new UserError('--wait: only with --submit');
  const base = plan(p, profileArgs);
  const name = str(p.flags, 'name') ?? 'aura-lens-profile';
  const gpus = num(p.flags, 'gpus', { min: 1, max: 64, integer: true });
  const cpu = str(p.flags, 'cpu');
  const memory = str(p.flags, 'memory');
  const pvc = str(p.flags, 'pvc');
  const job = indexedJob({
    ...base,
    image: requireStr(p.flags, 'image'),
    name,
    namespace: str(p.flags, 'namespace') ?? 'default',
    parallelism: num(p.flags, 'parallelism', { min: 1, max: 100_000, integer: true }) ?? base.shards,
    backoffLimitPerIndex: num(p.flags, 'backoff-limit-per-index', { min: 0, max: 100, integer: true }) ?? 3,
    mount: str(p.flags, 'mount') ?? '/work',
    ...(pvc ? { pvc } : {}),
    ...(gpus ? { gpus } : {}),
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
  });
  const file = str(p.flags, 'file') ?? `${name}.job.json`;
  await atomicWriteFile(file, JSON.stringify(job, null, 2) + '\n');
  const submit = !!p.flags.submit;
  if (submit) await submitJob(job, file);
  const merge = mergeCommand(base);
  const o = makeOutput(!!p.flags.json);
  if (submit && p.flags.wait) {
    // The shards are where the pods mount the volume; --local-out is where this machine sees that folder.
    const record = await recordK8s(file, { namespace: job.metadata!.namespace!, name, out: str(p.flags, 'local-out') ?? base.out, shards: base.shards });
    const w = await waitK8sAndMerge(record, p.flags);
    o.result(
      { file, name, namespace: job.metadata!.namespace, shards: base.shards, submitted: true, completed: w.completed.length, ...(w.merged ? { merged: w.merged } : { merge }) },
      w.merged ? `job ${record.jobId}: every index succeeded; merged profile: ${w.merged}` : `job ${record.jobId}: every index succeeded; the shards are not reachable from here (give --local-out DIR where the volume is mounted); merge there with: ${merge}`,
    );
    return;
  }
  o.result(
    { file, name, namespace: job.metadata!.namespace, shards: base.shards, submitted: submit, merge },
    [
      `wrote the Indexed Job ${name} (${base.shards} shards) to ${file}`,
      submit ? `submitted to namespace ${job.metadata!.namespace}; follow it with: kubectl -n ${job.metadata!.namespace} get job ${name}` : `submit it with: kubectl apply -f ${file}   (or run again with --submit)`,
      `when every shard has finished: ${merge}`,
    ].join('\n'),
  );
}

async function launchSlurm(argv: string[], profileArgs: string[]): Promise<void> {
  const p = parse(argv, { ...COMMON, ...FOLLOW_FLAGS, partition: 'string', time: 'string', cpus: 'string', mem: 'string', cli: 'string', submit: 'boolean', wait: 'boolean', 'submit-via': 'string', 'rest-url': 'string' });
  const via = str(p.flags, 'submit-via') ?? 'cli';
  if (via !== 'cli' && via !== 'rest') throw new UserError(`--submit-via: expected cli (sbatch) or rest (slurmrestd), got "${via}"`);
  if ((p.flags['submit-via'] !== undefined || p.flags['rest-url'] !== undefined) && !p.flags.submit) throw new UserError('--submit-via/--rest-url: only with --submit');
  const submit = !!p.flags.submit;
  if (p.flags.wait && !submit) throw new UserError('--wait: only with --submit (or follow a submitted job with `aura-lens launch wait JOB_ID`)');
  const planned = plan(p, profileArgs);
  // A submitted job runs here, so its paths are made absolute: the record and `launch status` then work from any folder.
  const base = submit ? { ...planned, model: resolve(planned.model), data: resolve(planned.data), out: resolve(planned.out) } : planned;
  const name = str(p.flags, 'name') ?? 'aura-lens-profile';
  const parallelism = num(p.flags, 'parallelism', { min: 1, max: 100_000, integer: true });
  const gpus = num(p.flags, 'gpus', { min: 1, max: 64, integer: true });
  const cpus = num(p.flags, 'cpus', { min: 1, max: 1024, integer: true });
  const partition = str(p.flags, 'partition');
  const time = str(p.flags, 'time');
  const mem = str(p.flags, 'mem');
  const options = {
    ...base,
    name,
    cli: str(p.flags, 'cli') ?? 'aura-lens',
    ...(parallelism ? { parallelism } : {}),
    ...(gpus ? { gpus } : {}),
    ...(cpus ? { cpus } : {}),
    ...(partition ? { partition } : {}),
    ...(time ? { time } : {}),
    ...(mem ? { mem } : {}),
  };
  const script = sbatchScript(options);
  const file = str(p.flags, 'file') ?? `${name}.sbatch`;
  await atomicWriteFile(file, script);
  const merge = mergeCommand(base);
  const o = makeOutput(!!p.flags.json);
  if (!submit) {
    o.result({ file, name, shards: base.shards, merge }, [`wrote the sbatch array script (${base.shards} shards) to ${file}`, `submit it with: sbatch ${file}   (or run again with --submit [--wait])`, `when every task has finished: ${merge}`].join('\n'));
    return;
  }
  const record = await submitSlurm(file, { out: base.out, shards: base.shards, name }, via === 'rest' ? { url: str(p.flags, 'rest-url'), options, text: script } : undefined);
  process.stderr.write(`submitted job ${record.jobId} (${base.shards} tasks) from ${file}${via === 'rest' ? ' through slurmrestd' : ''}\n`);
  if (!p.flags.wait) {
    o.result({ file, name, shards: base.shards, jobId: record.jobId, submitted: true, merge }, [`submitted job ${record.jobId}: ${base.shards} tasks, shards under ${base.out}`, `follow it with: aura-lens launch status ${record.jobId}   (or launch wait ${record.jobId} to wait and merge)`].join('\n'));
    return;
  }
  const w = await waitAndMerge(record, p.flags);
  o.result({ file, name, shards: base.shards, jobId: record.jobId, submitted: true, merged: w.merged, tasks: w.tasks }, `job ${record.jobId}: every shard complete; merged profile: ${w.merged}`);
}
