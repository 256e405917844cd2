// What every launcher shares: the profile command one shard runs, where each shard writes, and the
// merge command to run when all are done. Paths are as the cluster's nodes see them: absolute, one line
// (see values.ts), their existence not checked here.
import { AuraUserError } from '../errors';
import { checkJobPath, checkOneLine } from './values';

export interface ShardPlan {
  model: string;
  data: string;
  /** Folder on shared storage: shard i writes `${out}/shard-${i}`, the merge writes `${out}/merged`. */
  out: string;
  shards: number;
  /** More `profile` options (`--max-per-class 2000 --seq-len 128 ...`), passed through unchanged. */
  profileArgs: string[];
}

/** Options the launcher sets itself for each shard; giving them again would contradict it. */
const RESERVED = ['--shard', '--out', '--data', '--json'];

export function checkPlan(p: ShardPlan): void {
  if (!Number.isInteger(p.shards) || p.shards < 1 || p.shards > 100_000) throw new AuraUserError(`--shards: expected an integer from 1 to 100000, got ${p.shards}`);
  for (const a of p.profileArgs) {
    const name = a.split('=')[0]!;
    if (RESERVED.includes(name)) throw new AuraUserError(`${name}: set by the launcher for each shard; do not pass it after "--"`);
  }
  const trimmed = p.out.replace(/\/+$/, '');
  if (trimmed === '') throw new AuraUserError('--out: expected a folder on storage every shard can write to');
  checkJobPath('MODEL_DIR', p.model);
  checkJobPath('--data', p.data);
  checkJobPath('--out', p.out);
  p.profileArgs.forEach((a, i) => checkOneLine(`profile option ${i + 1} after "--"`, a));
}

export function shardDir(p: ShardPlan, index: string): string {
  return `${p.out.replace(/\/+$/, '')}/shard-${index}`;
}

/** The arguments of `aura-lens` for one shard; `index` is a literal or the scheduler's variable. */
export function shardArgs(p: ShardPlan, index: string): string[] {
  return ['profile', p.model, '--data', p.data, '--shard', `${index}/${p.shards}`, '--out', shardDir(p, index), ...p.profileArgs];
}

/** The command to run afterwards (bash brace expansion lists every shard folder). */
export function mergeCommand(p: ShardPlan): string {
  const root = p.out.replace(/\/+$/, '');
  const dirs = p.shards === 1 ? shellQuote(`${root}/shard-0`) : `${shellQuote(root)}/shard-{0..${p.shards - 1}}`;
  return `aura-lens merge ${dirs} --out ${shellQuote(`${root}/merged`)}`;
}

/** POSIX shell quoting: bare when safe, else single quotes. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
