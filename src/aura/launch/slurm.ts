// An sbatch job-array script that runs one profile shard per array task (SLURM_ARRAY_TASK_ID).
import { AuraUserError } from '../errors';
import { checkPlan, mergeCommand, shardArgs, shellQuote } from './shards-plan';
import { checkOneLine, checkSlurmMemory, checkSlurmTime, printable } from './values';
import type { ShardPlan } from './shards-plan';

export interface SlurmOptions extends ShardPlan {
  name: string;
  /** Tasks running at once (sbatch's `%P` array throttle); default all. */
  parallelism?: number;
  partition?: string;
  time?: string;
  gpus?: number;
  cpus?: number;
  mem?: string;
  /** How to call the CLI on the nodes: `aura-lens`, or e.g. `apptainer exec aura-lens.sif aura-lens`. */
  cli: string;
}

const INDEX_MARK = '\u0000INDEX\u0000';

/** Quotes an argument for the shell, with the array task id in place of the index mark. */
function withIndex(arg: string): string {
  return arg
    .split(INDEX_MARK)
    .map((piece) => (piece === '' ? '' : shellQuote(piece)))
    .join('"${SLURM_ARRAY_TASK_ID}"');
}

export function sbatchScript(o: SlurmOptions): string {
  checkPlan(o);
  for (const [flag, v] of [['--name', o.name], ['--partition', o.partition]] as const) {
    // One #SBATCH line per option: a space or newline would end it early or start another.
    if (v !== undefined && !/^[A-Za-z0-9_.:+@-]+$/.test(v)) throw new AuraUserError(`${flag}: "${printable(v)}" is not a valid value for sbatch (letters, digits, "_.:+@-")`);
  }
  if (o.time !== undefined) checkSlurmTime('--time', o.time);
  if (o.mem !== undefined) checkSlurmMemory('--mem', o.mem);
  // --cli is the user's own command line (it may hold "apptainer exec ..."), so not quoted: one line of it.
  checkOneLine('--cli', o.cli);
  if (o.cli.trim() === '') throw new AuraUserError('--cli: expected one command line that runs aura-lens on the nodes');
  const root = o.out.replace(/\/+$/, '');
  const throttle = o.parallelism && o.parallelism < o.shards ? `%${o.parallelism}` : '';
  const lines = [
    '#!/bin/bash',
    `# aura-lens: ${o.shards} profile shards as a Slurm job array; each task writes ${shellQuote(root)}/shard-<task id>.`,
    '# An interrupted or requeued task resumes from its folder. When all are done:',
    `#   ${mergeCommand(o)}`,
    `#SBATCH --job-name=${o.name}`,
    `#SBATCH --array=0-${o.shards - 1}${throttle}`,
    // Slurm opens the log before the script runs, so it goes where sbatch is run (that folder exists).
    `#SBATCH --output=${o.name}-%A_%a.log`,
    ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
    ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
    ...(o.gpus ? [`#SBATCH --gres=gpu:${o.gpus}`] : []),
    ...(o.cpus ? [`#SBATCH --cpus-per-task=${o.cpus}`] : []),
    ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
    '#SBATCH --requeue',
    'set -euo pipefail',
    // The index is the only unquoted part; every user value is quoted for the shell.
    `exec ${o.cli} ${shardArgs(o, INDEX_MARK).map(withIndex).join(' ')}`,
    '',
  ];
  return lines.join('\n');
}
