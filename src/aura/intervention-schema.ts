/**
 * The intervention file's shape, defined once with valibot: the parsed type and every check come from
 * this schema (issue 10, item 5). Versions 1 and 2 are read; only `format`, `version` and `sites` are
 * required, the provenance fields get defaults (item 7). Every gain, bias, lo and hi must be finite
 * once rounded to float32, the precision the engine applies it in (item 4): 1e39 is finite as a double
 * but Infinity as a float32.
 */
import * as v from 'valibot';
import { describeValue } from './errors';

export const INTERVENTION_FORMAT = 'aura-lens.intervention';
/** The newest version this reader knows; version 2 adds per-site `lo`/`hi` ranges (transport maps). */
export const INTERVENTION_VERSION = 2;

/** "is <value>; expected <what>": the value as the user wrote it (1e309 parses to Infinity, not null). */
export function isExpected(input: unknown, what: string): string {
  return `is ${describe(input)}; expected ${what}`;
}

function describe(input: unknown): string {
  return typeof input === 'number' ? String(input) : describeValue(input);
}

const expect = (what: string) => (issue: v.BaseIssue<unknown>) => isExpected(issue.input, what);

/** A JSON object and not an array (valibot's object and record schemas take arrays too). */
const plainObject = v.custom<Record<string, unknown>>(
  (x) => x !== null && typeof x === 'object' && !Array.isArray(x),
  expect('a JSON object'),
);

const POSITIVE_INT = 'a positive integer';
const positiveInt = v.pipe(v.number(expect(POSITIVE_INT)), v.integer(expect(POSITIVE_INT)), v.minValue(1, expect(POSITIVE_INT)));
const COUNT = 'a count';
const count = v.pipe(v.number(expect(COUNT)), v.integer(expect(COUNT)), v.minValue(0, expect(COUNT)));
const numberArray = (what: string) => v.array(v.number(expect('a number')), expect(what));

const siteSchema = v.pipe(
  plainObject,
  v.object(
    {
      neurons: positiveInt,
      auroc: v.optional(numberArray('an array of AUROCs')),
      gain: numberArray('an array of numbers'),
      bias: v.optional(numberArray('an array of numbers')),
      lo: v.optional(numberArray('an array of numbers')),
      hi: v.optional(numberArray('an array of numbers')),
    },
    expect('a JSON object'),
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const problem = siteProblem(dataset.value);
    if (problem) addIssue({ message: problem });
  }),
);

/** The first problem of a structurally valid site, as ".field[i] is ...; expected ..." (appended to its path). */
function siteProblem(s: v.InferOutput<typeof siteSchema>): string | undefined {
  const n = s.neurons;
  const arrays: [string, number[] | undefined, (x: number) => boolean, string][] = [
    ['gain', s.gain, finiteF32, 'a number finite in float32 (|x| < 3.4e38)'],
    ['auroc', s.auroc, (x) => x >= 0 && x <= 1, 'a number in [0, 1]'],
    ['bias', s.bias, finiteF32, 'a number finite in float32 (|x| < 3.4e38)'],
    ['lo', s.lo, finiteF32, 'a number finite in float32 (|x| < 3.4e38)'],
    ['hi', s.hi, finiteF32, 'a number finite in float32 (|x| < 3.4e38)'],
  ];
  for (const [name, a, ok, what] of arrays) {
    if (!a) continue;
    if (a.length !== n) return `.${name} has ${a.length} values; expected ${n} (the site's neurons)`;
    for (let i = 0; i < n; i++) if (!ok(a[i]!)) return `.${name}[${i}] ${isExpected(a[i], what)}`;
  }
  if ((s.lo === undefined) !== (s.hi === undefined)) return `.${s.lo ? 'hi' : 'lo'} is missing; lo and hi come together`;
  if (s.lo && s.hi) {
    for (let i = 0; i < n; i++) {
      if (!(Math.fround(s.lo[i]!) <= Math.fround(s.hi[i]!))) return `.lo[${i}] is ${s.lo[i]}, above hi[${i}] ${s.hi[i]}; expected lo <= hi`;
    }
  }
  return undefined;
}

export function finiteF32(x: number): boolean {
  return Number.isFinite(Math.fround(x));
}

const STRENGTH = 'a number in [0, 1]';
const paramsSchema = v.pipe(plainObject, v.object(
  {
    strength: v.optional(v.pipe(v.number(expect(STRENGTH)), v.minValue(0, expect(STRENGTH)), v.maxValue(1, expect(STRENGTH))), 1),
    pooling: v.optional(v.picklist(['max', 'mean'], expect('"max" or "mean"')), 'max'),
    k: v.optional(v.nullable(v.pipe(v.number(expect('null or a positive integer')), v.integer(expect('null or a positive integer')), v.minValue(1, expect('null or a positive integer')))), null),
    alpha: v.optional(v.nullable(v.pipe(v.number(expect('null or a number')), v.finite(expect('null or a number')))), null),
  },
  expect('a JSON object'),
));

// Where the file came from (an export writes it; src/aura/export/provenance.ts): optional, and readers
// before it never see it, so neither version changes. Checked loosely: it is a record, not an input.
const provenanceSchema = v.pipe(plainObject, v.looseObject(
  {
    tool: v.string(expect('a string')),
    version: v.string(expect('a string')),
    intervention: v.pipe(plainObject, v.looseObject({ sha256: v.string(expect('a string')), method: v.string(expect('a string')), strength: v.number(expect('a number')) }, expect('a JSON object'))),
    model: v.pipe(plainObject, v.looseObject({ name: v.string(expect('a string')) }, expect('a JSON object'))),
  },
  expect('a JSON object'),
));

const VERSION = `1 or ${INTERVENTION_VERSION}`;

export const interventionSchema = v.pipe(
  plainObject,
  v.object(
    {
      format: v.literal(INTERVENTION_FORMAT, expect(`"${INTERVENTION_FORMAT}"`)),
      version: v.pipe(
        v.number(expect(VERSION)),
        v.integer(expect(VERSION)),
        v.minValue(1, expect(VERSION)),
        v.maxValue(INTERVENTION_VERSION, (i) => `${i.input} is newer than this aura-lens reads (${INTERVENTION_VERSION}); update aura-lens`),
      ),
      model: v.optional(
        v.pipe(plainObject, v.object({ name: v.optional(v.string(expect('a string')), 'unknown'), fingerprint: v.optional(v.string(expect('a string'))) }, expect('a JSON object'))),
        {},
      ),
      method: v.optional(v.pipe(v.string(expect('a string')), v.nonEmpty(expect('a method name'))), 'aura'),
      params: v.optional(paramsSchema, {}),
      data: v.optional(
        v.pipe(plainObject, v.object(
          { positives: v.optional(count, 0), negatives: v.optional(count, 0), source: v.optional(v.string(expect('a string')), 'unknown') },
          expect('a JSON object'),
        )),
        {},
      ),
      provenance: v.optional(provenanceSchema),
      combined: v.optional(
        v.object(
          {
            rule: v.picklist(['product', 'min'], expect('"product" or "min"')),
            inputs: v.array(v.object({ path: v.string(expect('a string')), method: v.string(expect('a string')), strength: v.number(expect('a number')) }, expect('a JSON object')), expect('an array')),
          },
          expect('a JSON object'),
        ),
      ),
      sites: v.pipe(
        plainObject,
        v.record(v.string(), siteSchema, expect('a JSON object')),
        v.check((s) => Object.keys(s).length > 0, 'is empty; expected at least one site'),
      ),
    },
    expect('a JSON object'),
  ),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed || dataset.value.version !== 1) return;
    const ranged = Object.entries(dataset.value.sites).find(([, s]) => s.lo !== undefined);
    if (ranged) addIssue({ message: `sites[${JSON.stringify(ranged[0])}].lo needs version 2 (a range-limited map); the file says version 1` });
  }),
);

export type InterventionJson = v.InferOutput<typeof interventionSchema>;

/** The field an issue is about, as `sites["a.b"].gain[3]`; the root is "the file". */
export function issueField(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const p of issue.path ?? []) {
    if (p.type === 'array') out += `[${String(p.key)}]`;
    // Site ids are module paths full of dots: quote them, as in sites["transformer.h.0.mlp.c_fc"].
    else if (out === 'sites') out += `[${JSON.stringify(p.key)}]`;
    else out += out === '' ? String(p.key) : `.${String(p.key)}`;
  }
  return out;
}

/** One line for the first issue: "<field> is ...; expected ...". */
export function issueMessage(issue: v.BaseIssue<unknown>): string {
  const field = issueField(issue);
  const last = issue.path?.[issue.path.length - 1];
  // A required key that is absent: the object reports it with its own message, so say it plainly.
  if (issue.kind === 'schema' && issue.type === 'object' && last && last.value === undefined && issue.input === undefined) {
    return `${field} is missing`;
  }
  if (issue.message.startsWith('.')) return `${field}${issue.message}`;
  if (field === '') return issue.message.startsWith('is ') ? `the file ${issue.message}` : issue.message;
  return `${field} ${issue.message}`;
}
