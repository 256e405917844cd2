// Property-based tests (fast-check) over every dataset reader: JSONL, CSV, the Jigsaw layout, plain text
// (one file per class) and the prompt loader. For each of at least 10,000 generated files, loading either
// succeeds with well-formed data or fails with the project's user error and a one-line message; nothing
// else (a TypeError, a RangeError, a parser's own error, a hang) may escape.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { loadConceptData, loadPrompts } from '../../src/aura/datasets';
import { isUserError } from '../../src/engine/errors';
import { scratchDir } from '../helpers/scratch';
import type { ConceptData } from '../../src/aura/datasets';

const RUNS = 10_000;
const dir = scratchDir('fuzz');

/** Text with the characters that break parsers: quotes, separators, newlines, NUL, lone surrogates, BOM. */
const nasty = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '"', '""', ',', '\t', '\n', '\r\n', '\r', '\u0000', '\ufeff', '\ud800', 'toxic', 'non-toxic', '1', '0', '-1', 'true', 'NaN', '1e999', '0x1', '{', '[]', 'null'),
);

/** Raw bytes: invalid UTF-8, UTF-16 byte order marks, binary heads. */
const rawBytes = fc.oneof(
  fc.uint8Array({ maxLength: 200 }),
  fc.tuple(fc.constantFrom([0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf], [0xc3], [0xe2, 0x82], [0x80]), fc.uint8Array({ maxLength: 50 })).map(([h, t]) => Uint8Array.from([...h, ...t])),
);

const label = fc.oneof(fc.constantFrom<unknown>(0, 1, true, false, 'toxic', 'non-toxic', 'yes', 'no', 2, -1, null, 0.5, '1.0', ' TOXIC '), fc.jsonValue({ maxDepth: 1 }));
const text = fc.oneof(nasty, fc.jsonValue({ maxDepth: 1 }));

const jsonlLine = fc.oneof(
  fc.record({ text, label }).map((o) => JSON.stringify(o)),
  fc.record({ text, label }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
  fc.record({ prompt: fc.record({ text }), label }).map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
  nasty,
);
const jsonlFile = fc.oneof(
  { weight: 8, arbitrary: fc.array(jsonlLine, { maxLength: 12 }).chain((lines) => fc.constantFrom('\n', '\r\n').map((nl) => lines.join(nl))) },
  { weight: 1, arbitrary: rawBytes },
);

// A label as a CSV cell: objects as JSON (String() throws on jsonValue's objects with a non-callable
// `toString` key, e.g. {"toString": 0}).
function cellText(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}
function csvCell(v: string, quote: boolean): string {
  return quote || /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
const csvRow = (cells: fc.Arbitrary<string>) =>
  fc.array(fc.tuple(cells, fc.boolean(), fc.boolean()), { maxLength: 6 }).map((row) =>
    // Sometimes a cell is written raw, quotes and all, to make malformed CSV.
    row.map(([v, quote, raw]) => (raw ? v : csvCell(v, quote))).join(','),
  );
const header = (names: string[]) => fc.shuffledSubarray(names, { minLength: 0 }).chain((h) => fc.array(nasty, { maxLength: 2 }).map((extra) => [...h, ...extra].map((c) => csvCell(c, false)).join(',')));
const csvFile = (names: string[], cells: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 8, arbitrary: fc.tuple(header(names), fc.array(csvRow(cells), { maxLength: 10 }), fc.constantFrom('\n', '\r\n')).map(([h, rows, nl]) => [h, ...rows].join(nl)) },
    { weight: 1, arbitrary: rawBytes },
  );
const plainCsv = csvFile(['text', 'label', 'comment_text', 'toxic'], fc.oneof(nasty, label.map(cellText)));
const jigsawCsv = csvFile(['id', 'comment_text', 'toxic', 'severe_toxic', 'obscene', 'threat', 'insult', 'identity_hate'], fc.oneof(nasty, fc.constantFrom('0', '1', '-1', '0.0', '1.0', '2', '', ' 1 ', 'abc')));
const textFile = fc.oneof(
  { weight: 8, arbitrary: fc.array(nasty, { maxLength: 10 }).map((l) => l.join('\n')) },
  { weight: 1, arbitrary: rawBytes },
);

function checkData(d: ConceptData): void {
  assert.ok(d.positives > 0 && d.negatives > 0);
  assert.equal(d.examples.length, d.positives + d.negatives);
  for (const e of d.examples) {
    assert.equal(typeof e.text, 'string');
    assert.ok(e.text.trim() !== '');
    assert.ok(e.label === 0 || e.label === 1);
  }
}

/** Runs `load`; anything but success or a one-line user error fails the property (and shows the input). */
async function parsesOrUserError(load: () => Promise<unknown>, check: (v: never) => void): Promise<void> {
  let value: unknown;
  try {
    value = await load();
  } catch (e) {
    if (!isUserError(e)) throw new Error(`escaped: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    const msg = (e as Error).message;
    assert.ok(msg.length > 0 && !/[\r\n]/.test(msg), `not one line: ${JSON.stringify(msg)}`);
    return;
  }
  check(value as never);
}

function write(name: string, content: string | Uint8Array): string {
  const f = join(dir, name);
  writeFileSync(f, content);
  return f;
}

describe('dataset readers under fuzzing (10,000 inputs each)', () => {
  it('JSONL', async () => {
    await fc.assert(
      fc.asyncProperty(jsonlFile, async (content) => {
        const f = write('data.jsonl', content);
        await parsesOrUserError(() => loadConceptData({ kind: 'file', path: f }, { maxPerClass: 3, seed: 1 }), checkData);
      }),
      { numRuns: RUNS },
    );
  });

  it('CSV', async () => {
    await fc.assert(
      fc.asyncProperty(plainCsv, fc.constantFrom('data.csv', 'data.tsv'), async (content, name) => {
        const f = write(name, content);
        await parsesOrUserError(() => loadConceptData({ kind: 'file', path: f }), checkData);
      }),
      { numRuns: RUNS },
    );
  });

  it('Jigsaw CSV', async () => {
    await fc.assert(
      fc.asyncProperty(jigsawCsv, async (content) => {
        const f = write('train.csv', content);
        await parsesOrUserError(() => loadConceptData({ kind: 'csv', path: f }), checkData);
      }),
      { numRuns: RUNS },
    );
  });

  it('plain text, one file per class', async () => {
    await fc.assert(
      fc.asyncProperty(textFile, textFile, async (pos, neg) => {
        const p = write('toxic.txt', pos);
        const n = write('clean.txt', neg);
        await parsesOrUserError(() => loadConceptData({ kind: 'text', positives: p, negatives: n }), checkData);
      }),
      { numRuns: RUNS },
    );
  });

  it('prompts (JSONL, CSV, plain text)', async () => {
    const prompts = fc.oneof(jsonlFile.map((c) => ['prompts.jsonl', c] as const), plainCsv.map((c) => ['prompts.csv', c] as const), textFile.map((c) => ['prompts.txt', c] as const));
    await fc.assert(
      fc.asyncProperty(prompts, fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), async ([name, content], max) => {
        const f = write(name, content);
        await parsesOrUserError(
          () => loadPrompts(f, max === undefined ? {} : { max }),
          (list: string[]) => {
            assert.ok(list.length > 0 && list.every((t) => typeof t === 'string' && t.trim() !== ''));
            if (max !== undefined) assert.ok(list.length <= max);
          },
        );
      }),
      { numRuns: RUNS },
    );
  });
});
