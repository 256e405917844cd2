import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConceptData, loadPrompts, MAX_TEXT_CHARS } from '../../src/aura/datasets';
import { AuraUserError } from '../../src/aura/errors';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aura-data-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(name: string, content: string | Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** A one-line AuraUserError whose message starts with the file (or argument) and matches `re`. */
const userError = (prefix: string, re: RegExp) => (e: Error) => {
  assert.ok(e instanceof AuraUserError, `expected AuraUserError, got ${e.name}: ${e.message}`);
  assert.ok(!e.message.includes('\n'), 'one line');
  assert.ok(e.message.startsWith(prefix), `"${e.message}" should start with ${prefix}`);
  assert.match(e.message, re);
  return true;
};

const JIGSAW_HEADER = ',id,comment_text,toxic,severe_toxic,obscene,threat,insult,identity_hate\n';

describe('concept data: Jigsaw train.csv', () => {
  it('reads multi-line quoted fields and drops non-toxic rows that carry a subtype, as apple/ml-aura does', async () => {
    const path = await put(
      'train.csv',
      JIGSAW_HEADER +
        '1,a1,"You are ""awful"",\nand I mean it.",1,0,1,0,1,0\n' +
        '2,a2,Thanks for the edit.,0,0,0,0,0,0\n' +
        '3,a3,"Rude but not labelled toxic\n\nacross lines",0,0,0,0,1,0\n' +
        '4,a4,"Plain, polite comment",0,0,0,0,0,0\n' +
        '5,a5,"Go away, idiot",1,0,0,0,0,0\n' +
        '6,a6,unannotated test row,-1,-1,-1,-1,-1,-1\n' +
        '7,a7,another nice one,0,0,0,0,0,0\r\n',
    );
    const data = await loadConceptData({ kind: 'file', path });
    assert.deepEqual(data.examples, [
      { text: 'You are "awful",\nand I mean it.', label: 1 },
      { text: 'Thanks for the edit.', label: 0 },
      { text: 'Plain, polite comment', label: 0 },
      { text: 'Go away, idiot', label: 1 },
      { text: 'another nice one', label: 0 },
    ]);
    assert.equal(data.positives, 2);
    assert.equal(data.negatives, 3);
    assert.equal(data.source, path);
    assert.equal(data.stats.droppedSubtype, 1);
    assert.equal(data.stats.skipped, 1);
  });

  it('names the record and value of a bad label cell', async () => {
    const path = await put('bad-jigsaw.csv', JIGSAW_HEADER + '1,a,"two\nlines",1,0,0,0,0,0\n2,b,text,yes,0,0,0,0,0\n');
    await assert.rejects(loadConceptData({ kind: 'file', path }), userError(path, /record 2 \(line 4\): toxic "yes" is not a number \(expected 0 or 1\)/));
    const path2 = await put('bad-jigsaw2.csv', JIGSAW_HEADER + '1,a,t,2,0,0,0,0,0\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: path2 }), userError(path2, /record 1 \(line 2\): toxic "2" is not 0 or 1/));
  });
});

describe('concept data: CSV, JSONL, text, memory', () => {
  it('reads CSV and TSV with configurable columns and label spellings', async () => {
    const csv = await put('custom.csv', 'sentence,is_toxic\n"hello, there",false\nyou fool,TRUE\nnice,non-toxic\nbad,toxic\nok,0.0\n');
    const data = await loadConceptData({ kind: 'file', path: csv, textColumn: 'sentence', labelColumn: 'is_toxic' });
    assert.deepEqual(data.examples.map((e) => e.label), [0, 1, 0, 1, 0]);
    assert.equal(data.examples[0].text, 'hello, there');
    const tsv = await put('data.tsv', 'label\ttext\n1\ta\tb\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: tsv }), userError(tsv, /not valid CSV/));
    const tsv2 = await put('data2.tsv', 'label\ttext\n1\ta, b\n0\tc\n');
    assert.deepEqual((await loadConceptData({ kind: 'file', path: tsv2 })).examples, [{ text: 'a, b', label: 1 }, { text: 'c', label: 0 }]);
  });

  it('reads JSONL with text and label, string/number/boolean labels, and custom or nested keys', async () => {
    const path = await put(
      'd.jsonl',
      '{"text": "you idiot", "label": "toxic"}\n\n{"text": "hi", "label": "non-toxic"}\n{"text": "x", "label": 1}\n{"text": "y", "label": false}\r\n',
    );
    const data = await loadConceptData({ kind: 'file', path });
    assert.deepEqual(data.examples.map((e) => e.label), [1, 0, 1, 0]);
    const nested = await put('n.jsonl', '{"c": {"body": "a"}, "y": true}\n{"c": {"body": "b"}, "y": 0}\n');
    const got = await loadConceptData({ kind: 'jsonl', path: nested, textKey: 'c.body', labelKey: 'y' });
    assert.deepEqual(got.examples, [{ text: 'a', label: 1 }, { text: 'b', label: 0 }]);
  });

  it('reads plain text files, one per class, and in-memory examples', async () => {
    const pos = await put('toxic.txt', 'bad one\n\nworse one\n');
    const neg = await put('clean.txt', '\ufeffgood one\r\n');
    const data = await loadConceptData({ kind: 'text', positives: pos, negatives: neg });
    assert.deepEqual(data.examples, [{ text: 'bad one', label: 1 }, { text: 'worse one', label: 1 }, { text: 'good one', label: 0 }]);
    const mem = await loadConceptData({ kind: 'memory', examples: [{ text: 'a', label: 1 }, { text: ' ', label: 0 }, { text: 'b', label: 0 }] });
    assert.deepEqual(mem.examples, [{ text: 'a', label: 1 }, { text: 'b', label: 0 }]);
    assert.equal(mem.source, 'selection');
    await assert.rejects(loadConceptData({ kind: 'memory', examples: [{ text: 'a', label: 2 as 1 }] }), userError('examples[0].label', /2 is not 0 or 1/));
  });

  it('samples at most maxPerClass per class with a seed, in file order, and can balance the classes', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: `t${i}`, label: i % 3 === 0 ? 1 : 0 }));
    const path = await put('many.jsonl', lines.join('\n'));
    const a = await loadConceptData({ kind: 'file', path }, { maxPerClass: 20, seed: 1 });
    const b = await loadConceptData({ kind: 'file', path }, { maxPerClass: 20, seed: 1 });
    const c = await loadConceptData({ kind: 'file', path }, { maxPerClass: 20, seed: 2 });
    assert.deepEqual(a.examples, b.examples);
    assert.notDeepEqual(a.examples, c.examples);
    assert.equal(a.positives, 20);
    assert.equal(a.negatives, 20);
    assert.equal(a.stats.readPositives, 100);
    assert.equal(a.stats.readNegatives, 200);
    const order = a.examples.map((e) => Number(e.text.slice(1)));
    assert.deepEqual(order, order.slice().sort((x, y) => x - y));
    const balanced = await loadConceptData({ kind: 'file', path }, { balance: 'equal', seed: 3 });
    assert.equal(balanced.positives, 100);
    assert.equal(balanced.negatives, 100);
    const all = await loadConceptData({ kind: 'file', path });
    assert.equal(all.examples.length, 300);
  });

  it('stops reading when aborted', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `t${i},${i % 2}`).join('\n');
    const path = await put('abort.csv', `text,label\n${rows}\n`);
    const controller = new AbortController();
    const run = loadConceptData({ kind: 'file', path }, { signal: controller.signal }); // starts reading
    controller.abort(new Error('user cancelled'));
    await assert.rejects(run, /user cancelled/);
  });
});

describe('concept data: bad inputs give one clear line', () => {
  it('missing file, directory, empty file, unknown format', async () => {
    const missing = join(dir, 'nope.csv');
    await assert.rejects(loadConceptData({ kind: 'file', path: missing }), userError(missing, /no such file/));
    const sub = join(dir, 'sub.csv');
    await mkdir(sub);
    await assert.rejects(loadConceptData({ kind: 'file', path: sub }), userError(sub, /is a directory/));
    const empty = await put('empty.jsonl', '');
    await assert.rejects(loadConceptData({ kind: 'file', path: empty }), userError(empty, /is empty/));
    const blank = await put('blank.jsonl', '\n\n  \n');
    await assert.rejects(loadConceptData({ kind: 'file', path: blank }), userError(blank, /no examples/));
    const headerOnly = await put('header.csv', 'text,label\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: headerOnly }), userError(headerOnly, /no examples/));
    const xlsx = await put('d.xlsx', 'x');
    await assert.rejects(loadConceptData({ kind: 'file', path: xlsx }), userError(xlsx, /unknown data format ".xlsx"; expected .jsonl, .csv or .tsv/));
    const txt = await put('d.txt', 'x');
    await assert.rejects(loadConceptData({ kind: 'file', path: txt }), userError(txt, /one file per class/));
  });

  it('only one class', async () => {
    const path = await put('one.jsonl', '{"text": "a", "label": 1}\n{"text": "b", "label": "toxic"}\n');
    await assert.rejects(loadConceptData({ kind: 'file', path }), userError(path, /only toxic \(2\) examples; need both toxic \(label 1\) and non-toxic \(label 0\)/));
    const csv = await put('one.csv', 'text,label\na,0\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: csv }), userError(csv, /only non-toxic \(1\) examples/));
  });

  it('missing text or label column names the columns found', async () => {
    const path = await put('cols.csv', 'body,label\na,1\n');
    await assert.rejects(loadConceptData({ kind: 'file', path }), userError(path, /no text column "text" \(or Jigsaw's "comment_text"\) \(columns found: "body", "label"\)/));
    await assert.rejects(loadConceptData({ kind: 'file', path, textColumn: 'msg' }), userError(path, /no text column "msg" \(columns found: "body", "label"\)/));
    const nolabel = await put('nolabel.csv', 'text,y\na,1\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: nolabel }), userError(nolabel, /no label column "label" \(columns found: "text", "y"\)/));
    const jl = await put('keys.jsonl', '{"body": "a", "label": 1}\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: jl }), userError(jl, /:1: no "text" field \(keys found: body, label\)/));
  });

  it('labels that do not parse name the line or record and the value', async () => {
    const csv = await put('labels.csv', 'text,label\na,1\n"b\nc",maybe\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: csv }), userError(csv, /record 2 \(line 3\): label "maybe" is not toxic\/non-toxic, 1\/0 or true\/false/));
    const jl = await put('labels.jsonl', '{"text": "a", "label": 1}\n{"text": "b", "label": 0.5}\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: jl }), userError(`${jl}:2`, /label 0\.5 is not/));
    const nojson = await put('bad.jsonl', '{"text": "a", "label": 1}\n{"text": oops}\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: nojson }), userError(`${nojson}:2`, /not valid JSON/));
    const quote = await put('quote.csv', 'text,label\n"never closed,1\n');
    await assert.rejects(loadConceptData({ kind: 'file', path: quote }), userError(quote, /not valid CSV/));
  });

  it('binary garbage is not text', async () => {
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const bin = await put('garbage.csv', bytes);
    await assert.rejects(loadConceptData({ kind: 'file', path: bin }), userError(bin, /is not a text file \(NUL byte at byte 0\); expected UTF-8 text/));
    const ctl = await put('ctl.jsonl', new Uint8Array(Array.from({ length: 400 }, (_, i) => (i % 2 ? 0x01 : 0x41))));
    await assert.rejects(loadConceptData({ kind: 'file', path: ctl }), userError(ctl, /binary content/));
    const utf16 = await put('utf16.csv', Buffer.from('\ufefftext,label\n', 'utf16le'));
    await assert.rejects(loadConceptData({ kind: 'file', path: utf16 }), userError(utf16, /is UTF-16 text; save it as UTF-8/));
    const lateNul = await put('late.jsonl', Buffer.concat([Buffer.from('{"text": "a", "label": 1}\n'.repeat(3000)), Buffer.from([0x7b, 0x00, 0x7d, 0x0a])]));
    await assert.rejects(loadConceptData({ kind: 'file', path: lateNul }), userError(`${lateNul}:3001`, /NUL byte; the file is not text/));
  });

  it('non-UTF-8 bytes name the line', async () => {
    const latin1 = Buffer.concat([Buffer.from('text,label\nok,1\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(',0\n')]);
    const csv = await put('latin1.csv', latin1);
    await assert.rejects(loadConceptData({ kind: 'file', path: csv }), userError(`${csv}:3`, /invalid UTF-8 bytes; save the file as UTF-8/));
    const jl = await put('latin1.jsonl', Buffer.concat([Buffer.from('{"text": "a", "label": 1}\n{"text": "caf'), Buffer.from([0xe9]), Buffer.from('", "label": 0}\n')]));
    await assert.rejects(loadConceptData({ kind: 'file', path: jl }), userError(`${jl}:2`, /invalid UTF-8/));
    const txt = await put('latin1.txt', Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0xff, 0x0a]));
    const neg = await put('fine.txt', 'ok\n');
    await assert.rejects(loadConceptData({ kind: 'text', positives: txt, negatives: neg }), userError(`${txt}:3`, /invalid UTF-8/));
    // A multi-byte character split across read chunks is still valid.
    const euro = await put('euro.txt', `${'€'.repeat(70_000)}\n`);
    const ok = await loadConceptData({ kind: 'text', positives: euro, negatives: neg });
    assert.equal(ok.examples[0].text, '€'.repeat(70_000));
  });

  // Its time (budget 10 s) is held in the budgets lane (bench/budgets.ts, "10 MB line").
  it('a 10 MB single line is accepted and cut at MAX_TEXT_CHARS', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const txt = await put('big.txt', `${big}\nshort\n`);
    const neg = await put('neg.txt', 'fine\n');
    const a = await loadConceptData({ kind: 'text', positives: txt, negatives: neg });
    assert.equal(a.examples[0].text.length, MAX_TEXT_CHARS);
    assert.equal(a.examples[1].text, 'short');
    assert.equal(a.stats.truncated, 1);
    const jl = await put('big.jsonl', `{"text": "${big}", "label": 1}\n{"text": "b", "label": 0}\n`);
    const b = await loadConceptData({ kind: 'file', path: jl });
    assert.equal(b.examples[0].text.length, MAX_TEXT_CHARS);
    const csv = await put('big.csv', `text,label\n${big},1\nb,0\n`);
    const c = await loadConceptData({ kind: 'file', path: csv });
    assert.equal(c.examples[0].text.length, MAX_TEXT_CHARS);
    assert.equal(c.stats.truncated, 1);
  });
});

describe('prompts', () => {
  it('reads JSONL text, RealToxicityPrompts prompt.text, CSV and plain text', async () => {
    const jl = await put('p.jsonl', '{"text": "Hello"}\n"bare string"\n');
    assert.deepEqual(await loadPrompts(jl), ['Hello', 'bare string']);
    const rtp = await put('rtp.jsonl', '{"filename": "x", "prompt": {"text": "So I said", "toxicity": 0.2}, "continuation": {"text": "..."}}\n');
    assert.deepEqual(await loadPrompts(rtp), ['So I said']);
    const csv = await put('p.csv', 'id,prompt\n1,"Once, upon"\n2,a time\n');
    assert.deepEqual(await loadPrompts(csv), ['Once, upon', 'a time']);
    const both = await put('both.csv', 'prompt,text\nnot this,this\n');
    assert.deepEqual(await loadPrompts(both), ['this']);
    assert.deepEqual(await loadPrompts(both, { textColumn: 'prompt' }), ['not this']);
    const txt = await put('p.txt', 'first\n\nsecond\r\n');
    assert.deepEqual(await loadPrompts(txt), ['first', 'second']);
  });

  it('samples max prompts with a seed, in file order', async () => {
    const txt = await put('many.txt', Array.from({ length: 100 }, (_, i) => `p${i}`).join('\n'));
    const a = await loadPrompts(txt, { max: 10, seed: 4 });
    assert.equal(a.length, 10);
    assert.deepEqual(a, await loadPrompts(txt, { max: 10, seed: 4 }));
    const idx = a.map((p) => Number(p.slice(1)));
    assert.deepEqual(idx, idx.slice().sort((x, y) => x - y));
  });

  it('gives clear errors', async () => {
    const empty = await put('e.txt', '\n\n');
    await assert.rejects(loadPrompts(empty), userError(empty, /no prompts/));
    const nokey = await put('k.jsonl', '{"body": "x"}\n');
    await assert.rejects(loadPrompts(nokey), userError(`${nokey}:1`, /no "text" or "prompt.text" string field \(keys found: body\)/));
    const nocol = await put('c.csv', 'a,b\n1,2\n');
    await assert.rejects(loadPrompts(nocol), userError(nocol, /no prompt column "text" or "prompt" or "comment_text" \(columns found: "a", "b"\)/));
    await assert.rejects(loadPrompts(join(dir, 'none.jsonl')), userError(join(dir, 'none.jsonl'), /no such file/));
  });
});
