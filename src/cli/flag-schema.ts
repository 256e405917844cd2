/**
 * Building blocks for each command's argument schema (valibot, as the file formats use): every flag's
 * schema takes what node:util parseArgs gives (a string, a boolean or nothing) and every issue message
 * is the whole one-line error, naming the flag. A command's schema is one object of these plus the
 * cross-flag rules, parsed before it opens a model or reads data.
 */
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { UserError } from '../engine/errors';

type Raw = string | boolean | undefined;
/** A flag's schema: what parseArgs gives in, the typed value out. */
export type FlagSchema<T> = v.GenericSchema<Raw, T>;

const BARE = v.string();

/** A string flag; absent is undefined. An empty value ("--sites=") counts as given. */
export function text(name: string): FlagSchema<string | undefined> {
  return v.optional(v.string(`--${name}: expected a value`));
}

/** A string flag that must be given and not empty. */
export function required(name: string): FlagSchema<string> {
  return v.pipe(v.string(`--${name} is required`), v.nonEmpty(`--${name} is required`));
}

/** An on/off flag. */
export function flag(): FlagSchema<boolean> {
  return v.optional(v.boolean(), false);
}

export interface Range {
  min?: number;
  max?: number;
  integer?: boolean;
}

/**
 * A plain decimal number as people write it: Number() alone would take "0x1", "0b1" and "1_0" for
 * numbers the user never meant.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function parseNumber(raw: string, range: Range = {}): number | undefined {
  const s = raw.trim();
  const n = Number(s);
  const ok =
    DECIMAL.test(s) &&
    Number.isFinite(n) &&
    (!range.integer || Number.isInteger(n)) &&
    (range.min === undefined || n >= range.min) &&
    (range.max === undefined || n <= range.max);
  return ok ? n : undefined;
}

export function expectedNumber(name: string, raw: string, range: Range = {}): string {
  const bounds = [range.min !== undefined ? `>= ${range.min}` : '', range.max !== undefined ? `<= ${range.max}` : ''].filter(Boolean).join(' and ');
  return `--${name}: expected ${range.integer ? 'an integer' : 'a number'}${bounds ? ` ${bounds}` : ''}, got "${raw}"`;
}

/** A number flag in a range; absent is undefined (the command supplies its default). */
export function number(name: string, range: Range = {}): FlagSchema<number | undefined> {
  return v.optional(numeric(name, range, `--${name}: expected a number`));
}

/** A number flag in a range that must be given. */
export function requiredNumber(name: string, range: Range = {}): FlagSchema<number> {
  return numeric(name, range, `--${name} is required`);
}

function numeric(name: string, range: Range, absent: string): FlagSchema<number> {
  return v.pipe(
    v.string(absent),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const n = parseNumber(dataset.value, range);
      if (n === undefined) {
        addIssue({ message: expectedNumber(name, dataset.value, range) });
        return NEVER;
      }
      return n;
    }),
  );
}

/** One of a fixed set of words; absent is undefined. */
export function oneOf<const T extends string>(name: string, values: readonly T[]): FlagSchema<T | undefined> {
  return v.optional(choice(name, values, `--${name}: expected ${words(values)}`));
}

/** One of a fixed set of words, required. */
export function requiredOneOf<const T extends string>(name: string, values: readonly T[]): FlagSchema<T> {
  return choice(name, values, `--${name} is required`);
}

function words(values: readonly string[]): string {
  return values.length === 2 ? `${values[0]} or ${values[1]}` : `one of ${values.join(', ')}`;
}

function choice<const T extends string>(name: string, values: readonly T[], absent: string): FlagSchema<T> {
  return v.pipe(
    v.string(absent),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      if ((values as readonly string[]).includes(dataset.value)) return dataset.value as T;
      addIssue({ message: `--${name}: expected ${words(values)}, got "${dataset.value}"` });
      return NEVER;
    }),
  );
}

/** A comma-separated list; blanks between commas are dropped. */
export function list(name: string): FlagSchema<string[] | undefined> {
  return v.optional(
    v.pipe(
      v.string(`--${name}: expected a comma-separated list`),
      v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
    ),
  );
}

/** A comma-separated list of numbers, each in a range. */
export function numbers(name: string, range: Range, what: string): FlagSchema<number[] | undefined> {
  return v.optional(
    v.pipe(
      v.string(`--${name}: expected ${what}`),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const out: number[] = [];
        for (const part of dataset.value.split(',')) {
          const n = parseNumber(part, range);
          if (n === undefined) {
            addIssue({ message: `--${name}: expected ${what}, got "${part}"` });
            return NEVER;
          }
          out.push(n);
        }
        return out;
      }),
    ),
  );
}

/** A CSV field separator: one character, or "tab"; a semicolon file (common where the decimal mark is a comma) needs ";". */
export function delimiterFlag(name = 'delimiter'): FlagSchema<string | undefined> {
  return v.optional(
    v.pipe(
      v.string(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const d = dataset.value === 'tab' || dataset.value === '\\t' ? '\t' : dataset.value;
        if ([...d].length !== 1 || d === '"' || d === '\n' || d === '\r') {
          addIssue({ message: `--${name}: expected one character (such as ";" or "|") or "tab", got ${JSON.stringify(dataset.value)}` });
          return NEVER;
        }
        return d;
      }),
    ),
  );
}

/** `I/N` for `--shard`: shard I (0-based) of N. */
export function shard(name = 'shard'): FlagSchema<{ index: number; count: number } | undefined> {
  return v.optional(
    v.pipe(
      v.string(),
      v.rawTransform(({ dataset, addIssue, NEVER }) => {
        const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(dataset.value);
        const index = m ? Number(m[1]) : NaN;
        const count = m ? Number(m[2]) : NaN;
        if (!m || !(count >= 1 && count <= 100_000 && index < count)) {
          addIssue({ message: `--${name}: expected I/N with 0 <= I < N <= 100000 (shard I of N, counted from 0), got "${dataset.value}"` });
          return NEVER;
        }
        return { index, count };
      }),
    ),
  );
}

/**
 * The positional arguments: `names` in order (each "MODEL_DIR (usage: ...)" as the error says it), the
 * first `min` required; more than `names` (or `rest` for a list) is refused rather than ignored.
 */
export function positionals(names: string[], opts: { min?: number; rest?: boolean } = {}): v.GenericSchema<string[], string[]> {
  const min = opts.min ?? names.length;
  return v.pipe(
    v.array(BARE),
    v.rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const a = dataset.value;
      const missing = a.findIndex((x, i) => i < min && x === '');
      if (a.length < min || missing !== -1) addIssue({ message: `missing ${names[missing === -1 ? a.length : missing] ?? names[names.length - 1]}` });
      else if (!opts.rest && a.length > names.length) addIssue({ message: `unexpected argument "${a[names.length]}" (expected ${names.length ? names.map((n) => n.replace(/ \(.*$/, '')).join(' ') + ' and ' : ''}flags)` });
    }),
  );
}

/** The flags every command takes. */
export const COMMON_FLAGS = { json: flag(), help: flag() };

/** A command's schema: positionals under `_`, flags under their names (pipe `rule`s after it). */
export function command<E extends v.ObjectEntries & { _: v.GenericSchema<string[], string[]> }>(entries: E) {
  return v.object({ ...COMMON_FLAGS, ...entries });
}

/** A rule between flags: the message when `ok` is false. */
export function rule<T>(ok: (o: T) => boolean, message: string | ((o: T) => string)) {
  return v.rawCheck<T>(({ dataset, addIssue }) => {
    if (dataset.typed && !ok(dataset.value)) addIssue({ message: typeof message === 'string' ? message : message(dataset.value) });
  });
}

interface SchemaLike {
  type: string;
  entries?: Record<string, SchemaLike>;
  wrapped?: SchemaLike;
  pipe?: readonly SchemaLike[];
}

function objectOf(schema: SchemaLike): Record<string, SchemaLike> {
  let s = schema;
  while (s.pipe && !s.entries) s = s.pipe[0]!;
  if (!s.entries) throw new Error('a command schema must be an object (or a pipe starting with one)');
  return s.entries;
}

function kindOf(schema: SchemaLike): 'string' | 'boolean' {
  let s = schema;
  for (;;) {
    if (s.type === 'boolean') return 'boolean';
    if (s.wrapped) s = s.wrapped;
    else if (s.pipe && s.pipe[0] !== s) s = s.pipe[0]!;
    else return 'string';
  }
}

/**
 * Parses `argv` with the command's schema into its typed options, or throws one UserError line naming
 * the flag: an unknown flag, a flag given twice, a missing value, a bad value, or a broken rule.
 */
export function parseCommand<S extends v.GenericSchema<Record<string, unknown>, unknown>>(commandName: string, argv: string[], schema: S): v.InferOutput<S> {
  const entries = objectOf(schema as unknown as SchemaLike);
  const spec: Record<string, 'string' | 'boolean'> = {};
  for (const [k, s] of Object.entries(entries)) if (k !== '_') spec[k] = kindOf(s);
  const options = Object.fromEntries(Object.entries(spec).map(([k, type]) => [k, { type }]));
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true; strict: true; tokens: true }>>;
  try {
    parsed = parseArgs({ args: joinNegativeValues(argv, spec), options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw new UserError(argumentError(commandName, e as Error & { code?: string }, spec));
  }
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue;
    if (seen.has(t.name)) throw new UserError(`--${t.name}: given more than once; give it once`);
    seen.add(t.name);
  }
  // Every flag present (absent ones as undefined), so a missing required flag gets its own message.
  const input: Record<string, unknown> = Object.fromEntries(Object.keys(spec).map((k) => [k, undefined]));
  const r = v.safeParse(schema, { ...input, ...parsed.values, _: parsed.positionals }, { abortEarly: true });
  if (!r.success) throw new UserError(r.issues[0].message);
  return r.output;
}

/** parseArgs' messages run over lines and name no command: one line that names the flag. */
function argumentError(commandName: string, e: Error & { code?: string }, spec: Record<string, 'string' | 'boolean'>): string {
  const name = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1] ?? '';
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const known = Object.keys(spec).filter((k) => k !== 'help').map((k) => `--${k}`);
    return `${name}: not a flag of "aura-lens ${commandName}" (it takes ${known.join(', ')})`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return `${name}: takes no value`;
    if (/ambiguous/.test(e.message)) return `${name}: expected a value, got the next flag; write ${name}=VALUE for a value that starts with -`;
    return `${name}: expected a value after it`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument (${e.message.split('\n')[0]})`;
  return e.message.split('\n')[0]!;
}

/**
 * parseArgs reads `--seq-len -1` as an option missing its value ("ambiguous"); a negative number after a
 * string option is that option's value, so join it (`--seq-len=-1`) and let the range check name the problem.
 */
export function joinNegativeValues(argv: string[], spec: Record<string, 'string' | 'boolean'>): string[] {
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
