// Fuzz test of the intervention-file reader (issue 10, "Fuzzing"): every input either parses or raises
// the user-error type with one line; nothing else escapes. Inputs are near-valid files with any field
// replaced by an arbitrary JSON value, arbitrary JSON, and arbitrary text through the file reader.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { AuraUserError } from '../../src/aura/errors';
import { parseIntervention, readInterventionFile } from '../../src/aura/intervention-file';

const RUNS = 10_000;

function parsesOrUserError(value: unknown): boolean {
  try {
    const f = parseIntervention(value, 'fuzz.json');
    // What parses must be usable: typed arrays of the declared width, finite in float32.
    for (const site of Object.values(f.sites)) {
      assert.equal(site.gain.length, site.neurons);
      for (const g of site.gain) assert.ok(Number.isFinite(g));
    }
    return true;
  } catch (e) {
    if (!(e instanceof AuraUserError)) throw e;
    assert.ok(!e.message.includes('\n'), `multi-line message: ${e.message}`);
    assert.ok(e.message.startsWith('fuzz.json: '), `message does not name the file: ${e.message}`);
    return true;
  }
}

const num = fc.oneof(
  fc.double(),
  fc.constantFrom(0, 1, -1, 0.5, 1e39, -1e39, 3.4028234663852886e38, Number.MAX_VALUE, Infinity, NaN, -0),
  fc.integer({ min: -3, max: 5 }),
);
const anyValue = fc.oneof(fc.jsonValue(), num, fc.constant(undefined), fc.array(num, { maxLength: 4 }));
/** A field that is usually right and sometimes anything. */
const maybe = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: anyValue });

const site = fc.integer({ min: 1, max: 4 }).chain((n) =>
  fc.record(
    {
      neurons: maybe(fc.constant(n)),
      gain: maybe(fc.array(num, { minLength: n, maxLength: n })),
      auroc: maybe(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n })),
      bias: maybe(fc.array(num, { minLength: n, maxLength: n })),
      lo: maybe(fc.array(num, { minLength: n, maxLength: n })),
      hi: maybe(fc.array(num, { minLength: n, maxLength: n })),
    },
    { requiredKeys: ['neurons', 'gain'] },
  ),
);

const file = fc.record(
  {
    format: maybe(fc.constant('aura-lens.intervention')),
    version: maybe(fc.constantFrom(1, 2)),
    model: maybe(fc.record({ name: maybe(fc.string()), fingerprint: maybe(fc.string()) }, { requiredKeys: [] })),
    method: maybe(fc.constantFrom('aura', 'damp', 'det0', 'linear-act', 'mean-act', '')),
    params: maybe(
      fc.record(
        { strength: maybe(fc.double({ min: 0, max: 1, noNaN: true })), pooling: maybe(fc.constantFrom('max', 'mean')), k: maybe(fc.constantFrom(null, 1, 5)), alpha: maybe(fc.constantFrom(null, 0.5)) },
        { requiredKeys: [] },
      ),
    ),
    data: maybe(fc.record({ positives: maybe(fc.nat()), negatives: maybe(fc.nat()), source: maybe(fc.string()) }, { requiredKeys: [] })),
    sites: maybe(fc.dictionary(fc.oneof(fc.constantFrom('transformer.h.0.mlp.c_fc', '__proto__', '', 'a"b\nc'), fc.string()), site, { maxKeys: 3 })),
  },
  { requiredKeys: ['format', 'version', 'sites'] },
);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aura-fuzz-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('intervention file fuzz', () => {
  it(`near-valid files (${RUNS} inputs): parse or one-line user error`, () => {
    fc.assert(fc.property(file, parsesOrUserError), { numRuns: RUNS, seed: 20261201 });
  });

  it(`arbitrary JSON values (${RUNS} inputs): parse or one-line user error`, () => {
    fc.assert(fc.property(fc.jsonValue(), parsesOrUserError), { numRuns: RUNS, seed: 7 });
  });

  it('arbitrary text through the file reader: parse or one-line user error', async () => {
    const path = join(dir, 'fuzz.json');
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json()), async (text) => {
        await writeFile(path, text);
        try {
          await readInterventionFile(path);
        } catch (e) {
          if (!(e instanceof AuraUserError) || e.message.includes('\n')) throw e;
        }
      }),
      { numRuns: 1000, seed: 11 },
    );
  });
});
