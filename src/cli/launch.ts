// `aura-lens launch k8s|slurm`: writes (and for k8s, with --submit, submits) the cluster job that runs
// `profile --shard I/N` for every shard, then prints the merge command to run when they are done.
import { atomicWriteFile } from '../aura/atomic-write';
import { indexedJob, submitJob } from '../aura/launch/k8s-job';
import { mergeCommand } from '../aura/launch/shards-plan';
import { sbatchScript } from '../aura/launch/slurm';
import { UserError } from '../engine/errors';
import { num, parse, positional, requireStr, str } from './args';
import { makeOutput } from './output';
import type { ShardPlan } from '../aura/launch/shards-plan';
import type { OutputInputs } from '../aura/output-guard';
import type { Parsed } from './args';
import { guardOutputFile } from '../aura/output-guard';

const COMMON = { data: 'string', out: 'string', shards: 'string', name: 'string', file: 'string', parallelism: 'string', gpus: 'string' } as const;

export async function launchCommand(argv: string[]): Promise<void> {
  // Everything after "--" is passed to each shard's `profile` unchanged.
  const cut = argv.indexOf('--');
  const own = cut === -1 ? argv : argv.slice(0, cut);
  const profileArgs = cut === -1 ? [] : argv.slice(cut + 1);
  const [engine, ...rest] = own;
  if (engine === 'k8s') return launchK8s(rest, profileArgs);
  if (engine === 'slurm') return launchSlurm(rest, profileArgs);
  throw new UserError(`launch: expected "k8s" or "slurm", got ${engine ? `"${engine}"` : 'nothing'} (usage: aura-lens launch k8s|slurm MODEL_DIR --data FILE --out DIR --shards N ...)`);
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
  const p = parse(argv, { ...COMMON, image: 'string', namespace: 'string', 'backoff-limit-per-index': 'string', pvc: 'string', mount: 'string', cpu: 'string', memory: 'string', submit: 'boolean' });
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
  guardOutputFile('--file', file, 'k8s-job', launchInputs(base));
  await atomicWriteFile(file, JSON.stringify(job, null, 2) + '\n');
  const submit = !!p.flags.submit;
  if (submit) await submitJob(job, file);
  const merge = mergeCommand(base);
  const o = makeOutput(!!p.flags.json);
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
  const p = parse(argv, { ...COMMON, partition: 'string', time: 'string', cpus: 'string', mem: 'string', cli: 'string' });
  const base = plan(p, profileArgs);
  const name = str(p.flags, 'name') ?? 'aura-lens-profile';
  const parallelism = num(p.flags, 'parallelism', { min: 1, max: 100_000, integer: true });
  const gpus = num(p.flags, 'gpus', { min: 1, max: 64, integer: true });
  const cpus = num(p.flags, 'cpus', { min: 1, max: 1024, integer: true });
  const partition = str(p.flags, 'partition');
  const time = str(p.flags, 'time');
  const mem = str(p.flags, 'mem');
  const script = sbatchScript({
    ...base,
    name,
    cli: str(p.flags, 'cli') ?? 'aura-lens',
    ...(parallelism ? { parallelism } : {}),
    ...(gpus ? { gpus } : {}),
    ...(cpus ? { cpus } : {}),
    ...(partition ? { partition } : {}),
    ...(time ? { time } : {}),
    ...(mem ? { mem } : {}),
  });
  const file = str(p.flags, 'file') ?? `${name}.sbatch`;
  guardOutputFile('--file', file, 'sbatch', launchInputs(base));
  await atomicWriteFile(file, script);
  const merge = mergeCommand(base);
  const o = makeOutput(!!p.flags.json);
  o.result({ file, name, shards: base.shards, merge }, [`wrote the sbatch array script (${base.shards} shards) to ${file}`, `submit it with: sbatch ${file}`, `when every task has finished: ${merge}`].join('\n'));
}

/** The model folder and data file as named (they may be paths of the cluster's, absent here). */
function launchInputs(base: ShardPlan): OutputInputs {
  return { inputs: [{ path: base.data, what: 'the data file of the job' }], modelDirs: [base.model] };
}
