// `aura-lens launch k8s|slurm`: writes (and for k8s, with --submit, submits) the cluster job that runs
// `profile --shard I/N` for every shard, then prints the merge command to run when they are done.
import { atomicWriteFile } from '../aura/atomic-write';
import { indexedJob, submitJob } from '../aura/launch/k8s-job';
import { mergeCommand } from '../aura/launch/shards-plan';
import { sbatchScript } from '../aura/launch/slurm';
import { UserError } from '../engine/errors';
import { resolve } from 'node:path';
import * as v from 'valibot';
import { command, flag, number, oneOf, parseCommand, positionals, required, requiredNumber, text } from './flag-schema';
import { checkOutputFile } from './output-file';
import { submitSlurm } from '../aura/launch/submit';
import { FOLLOW_FLAGS, launchJobCommand, recordK8s, waitAndMerge, waitK8sAndMerge } from './launch-jobs';
import { makeOutput } from './output';
import type { ShardPlan } from '../aura/launch/shards-plan';
import type { OutputInputs } from '../aura/output-guard';
import { guardOutputFile } from '../aura/output-guard';

const USAGE = 'aura-lens launch k8s|slurm MODEL_DIR --data FILE --out DIR --shards N ...';

const COMMON = {
  _: positionals([`MODEL_DIR (the model folder as the cluster nodes see it; usage: ${USAGE})`]),
  data: required('data'),
  out: required('out'),
  shards: requiredNumber('shards', { min: 1, max: 100_000, integer: true }),
  name: text('name'),
  file: text('file'),
  parallelism: number('parallelism', { min: 1, max: 100_000, integer: true }),
  gpus: number('gpus', { min: 1, max: 64, integer: true }),
};

const K8S = command({
  ...COMMON,
  image: required('image'),
  namespace: text('namespace'),
  'backoff-limit-per-index': number('backoff-limit-per-index', { min: 0, max: 100, integer: true }),
  pvc: text('pvc'),
  mount: text('mount'),
  cpu: text('cpu'),
  memory: text('memory'),
  submit: flag(),
  wait: flag(),
  'local-out': text('local-out'),
  timeout: FOLLOW_FLAGS.timeout,
});

const SLURM = command({
  ...COMMON,
  partition: text('partition'),
  time: text('time'),
  cpus: number('cpus', { min: 1, max: 1024, integer: true }),
  mem: text('mem'),
  cli: text('cli'),
  submit: flag(),
  wait: flag(),
  'submit-via': oneOf('submit-via', ['cli', 'rest']),
  'rest-url': text('rest-url'),
  ...FOLLOW_FLAGS,
});

export type LaunchK8sFlags = v.InferOutput<typeof K8S>;
export type LaunchSlurmFlags = v.InferOutput<typeof SLURM>;

/** The launcher and its flags, split at "--" (what follows goes to every shard's profile unchanged). */
export function launchOptions(argv: string[]): { engine: 'k8s'; flags: LaunchK8sFlags; profileArgs: string[] } | { engine: 'slurm'; flags: LaunchSlurmFlags; profileArgs: string[] } {
  const cut = argv.indexOf('--');
  const own = cut === -1 ? argv : argv.slice(0, cut);
  const profileArgs = cut === -1 ? [] : argv.slice(cut + 1);
  const [engine, ...rest] = own;
  if (engine === 'k8s') return { engine, flags: parseCommand('launch k8s', rest, K8S), profileArgs };
  if (engine === 'slurm') return { engine, flags: parseCommand('launch slurm', rest, SLURM), profileArgs };
  throw new UserError(`launch: expected "k8s", "slurm", "status", "wait" or "merge", got ${engine ? `"${engine}"` : 'nothing'} (usage: ${USAGE})`);
}

export async function launchCommand(argv: string[]): Promise<void> {
  // Following a submitted job: `launch status|wait|merge JOB_ID|DIR`.
  const verb = argv[0];
  if (verb === 'status' || verb === 'wait' || verb === 'merge') return launchJobCommand(verb, argv.slice(1));
  const o = launchOptions(argv);
  if (o.engine === 'k8s') return launchK8s(o.flags, o.profileArgs);
  return launchSlurm(o.flags, o.profileArgs);
}

/** Slurm tasks start where sbatch is run, which need not be here: relative paths are made absolute from here. */
function plan(f: LaunchK8sFlags | LaunchSlurmFlags, profileArgs: string[], absolute: (p: string) => string = (p) => p): ShardPlan {
  return { model: absolute(f._[0]!), data: absolute(f.data), out: absolute(f.out), shards: f.shards, profileArgs };
}

async function launchK8s(f: LaunchK8sFlags, profileArgs: string[]): Promise<void> {
  if (f.wait && !f.submit) throw new UserError('--wait: only with --submit');
  // A pod does not start in this folder: relative paths are refused (checkPlan says so), not guessed.
  const base = plan(f, profileArgs);
  const name = f.name || 'aura-lens-profile';
  const file = f.file || `${name}.job.json`;
  const job = indexedJob({
    ...base,
    image: f.image,
    name,
    namespace: f.namespace ?? 'default',
    parallelism: f.parallelism ?? base.shards,
    backoffLimitPerIndex: f['backoff-limit-per-index'] ?? 3,
    mount: f.mount ?? '/work',
    ...(f.pvc !== undefined ? { pvc: f.pvc } : {}),
    ...(f.gpus ? { gpus: f.gpus } : {}),
    ...(f.cpu !== undefined ? { cpu: f.cpu } : {}),
    ...(f.memory !== undefined ? { memory: f.memory } : {}),
  });
  checkOutputFile('file', file);
  guardOutputFile('--file', file, 'k8s-job', launchInputs(base));
  await atomicWriteFile(file, JSON.stringify(job, null, 2) + '\n');
  const submit = f.submit;
  if (submit) await submitJob(job, file);
  const merge = mergeCommand(base);
  const o = makeOutput(f.json);
  if (submit && f.wait) {
    // The shards are where the pods mount the volume; --local-out is where this machine sees that folder.
    const record = await recordK8s(file, { namespace: job.metadata!.namespace!, name, out: f['local-out'] ?? base.out, shards: base.shards });
    const w = await waitK8sAndMerge(record, f);
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

async function launchSlurm(f: LaunchSlurmFlags, profileArgs: string[]): Promise<void> {
  if (f.wait && !f.submit) throw new UserError('--wait: only with --submit (or follow a submitted job with `aura-lens launch wait JOB_ID`)');
  if ((f['submit-via'] !== undefined || f['rest-url'] !== undefined) && !f.submit) throw new UserError('--submit-via/--rest-url: only with --submit');
  const via = f['submit-via'] ?? 'cli';
  const base = plan(f, profileArgs, (p) => (p === '' ? p : resolve(p)));
  const name = f.name || 'aura-lens-profile';
  const options = {
    ...base,
    name,
    cli: f.cli ?? 'aura-lens',
    ...(f.parallelism ? { parallelism: f.parallelism } : {}),
    ...(f.gpus ? { gpus: f.gpus } : {}),
    ...(f.cpus ? { cpus: f.cpus } : {}),
    ...(f.partition !== undefined ? { partition: f.partition } : {}),
    ...(f.time !== undefined ? { time: f.time } : {}),
    ...(f.mem !== undefined ? { mem: f.mem } : {}),
  };
  const script = sbatchScript(options);
  const file = f.file || `${name}.sbatch`;
  checkOutputFile('file', file);
  guardOutputFile('--file', file, 'sbatch', launchInputs(base));
  await atomicWriteFile(file, script);
  const merge = mergeCommand(base);
  const o = makeOutput(f.json);
  if (!f.submit) {
    o.result({ file, name, shards: base.shards, merge }, [`wrote the sbatch array script (${base.shards} shards) to ${file}`, `submit it with: sbatch ${file}   (or run again with --submit [--wait])`, `when every task has finished: ${merge}`].join('\n'));
    return;
  }
  const record = await submitSlurm(file, { out: base.out, shards: base.shards, name }, via === 'rest' ? { url: f['rest-url'], options, text: script } : undefined);
  process.stderr.write(`submitted job ${record.jobId} (${base.shards} tasks) from ${file}${via === 'rest' ? ' through slurmrestd' : ''}\n`);
  if (!f.wait) {
    o.result({ file, name, shards: base.shards, jobId: record.jobId, submitted: true, merge }, [`submitted job ${record.jobId}: ${base.shards} tasks, shards under ${base.out}`, `follow it with: aura-lens launch status ${record.jobId}   (or launch wait ${record.jobId} to wait and merge)`].join('\n'));
    return;
  }
  const w = await waitAndMerge(record, f);
  o.result({ file, name, shards: base.shards, jobId: record.jobId, submitted: true, merged: w.merged, tasks: w.tasks }, `job ${record.jobId}: every shard complete; merged profile: ${w.merged}`);
}

/** The model folder and data file as named (they may be paths of the cluster's, absent here). */
function launchInputs(base: ShardPlan): OutputInputs {
  return { inputs: [{ path: base.data, what: 'the data file of the job' }], modelDirs: [base.model] };
}
