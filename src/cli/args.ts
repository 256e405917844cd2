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
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { positionals, flags: values as Flags };
  } catch (e) {
    throw new UserError((e as Error).message.split('\n')[0]!);
  }
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
