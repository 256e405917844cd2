// Argument parsing for the CLI on node:util parseArgs, with one-line errors that name the argument.
import { parseArgs } from 'node:util';
import { UserError } from '../engine/errors';

export type Flags = Record<string, string | boolean | undefined>;

export interface Parsed {
  positionals: string[];
  flags: Flags;
}

export function parse(argv: string[], spec: Record<string, 'string' | 'boolean'>): Parsed {
  const options = Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type }])) as Record<string, { type: 'string' | 'boolean' }>;
  options.json = { type: 'boolean' };
  options.help = { type: 'boolean' };
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, spec), options, allowPositionals: true, strict: true });
    return { positionals, flags: values as Flags };
  } catch (e) {
    throw new UserError((e as Error).message.split('\n')[0]!);
  }
}

/**
 * parseArgs reads `--seq-len -1` as an option missing its value ("ambiguous"); a negative number after a
 * string option is that option's value, so join it (`--seq-len=-1`) and let the range check name the problem.
 */
function joinNegativeValues(argv: string[], spec: Record<string, 'string' | 'boolean'>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a.startsWith('--') && !a.includes('=') && spec[a.slice(2)] === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** `I/N` for `--shard`: shard I (0-based) of N. */
export function shardArg(flags: Flags, name = 'shard'): { index: number; count: number } | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1 && count <= 100_000 && index < count)) {
    throw new UserError(`--${name}: expected I/N with 0 <= I < N <= 100000 (shard I of N, counted from 0), got "${v}"`);
  }
  return { index, count };
}

export function str(flags: Flags, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireStr(flags: Flags, name: string): string {
  const v = str(flags, name);
  if (v === undefined || v === '') throw new UserError(`--${name} is required`);
  return v;
}

export function num(flags: Flags, name: string, opts: { min?: number; max?: number; integer?: boolean } = {}): number | undefined {
  const v = str(flags, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  const bad =
    v.trim() === '' ||
    !Number.isFinite(n) ||
    (opts.integer && !Number.isInteger(n)) ||
    (opts.min !== undefined && n < opts.min) ||
    (opts.max !== undefined && n > opts.max);
  if (bad) {
    const range = [opts.min !== undefined ? `>= ${opts.min}` : '', opts.max !== undefined ? `<= ${opts.max}` : ''].filter(Boolean).join(' and ');
    throw new UserError(`--${name}: expected ${opts.integer ? 'an integer' : 'a number'}${range ? ` ${range}` : ''}, got "${v}"`);
  }
  return n;
}

export function positional(p: Parsed, index: number, what: string): string {
  const v = p.positionals[index];
  if (!v) throw new UserError(`missing ${what}`);
  return v;
}
