// Issue 19 item 20: what is dropped, cut or suspicious is counted and said. Every expected count below
// is known by construction of the input (written out by hand), not taken from the code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { readInterventionFile } from '../../src/aura/intervention-file';
import { perplexity } from '../../src/engine/generation/perplexity';
import { LanguageModel } from '../../src/engine/model';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const TINY = join(MODELS, 'gpt2-tiny');

/**
 * A Jigsaw-layout file separated by semicolons: 12 toxic and 12 clean rows, plus 3 clean rows with a
 * subtype set (left out), 2 whose text is only U+FEFF or spaces (skipped), 1 unannotated (-1, skipped),
 * 1 text of 150,000 characters (cut), and the clean text "same words here" also labelled toxic once.
 */
function jigsawSemicolon(dir: string): string {
  const rows = ['id;comment_text;toxic;severe_toxic;obscene;threat;insult;identity_hate'];
  let id = 0;
  const row = (text: string, toxic: number, insult = 0) => rows.push(`${id++};"${text}";${toxic};0;0;0;${insult};0`);
  for (let i = 0; i < 11; i++) row(`you damn fool number ${i}`, 1);
  row('same words here', 1);
  for (let i = 0; i < 11; i++) row(`the weather is fine ${i}`, 0);
  row('same words here', 0);
  for (let i = 0; i < 3; i++) row(`rude but not toxic ${i}`, 0, 1);
  row('\uFEFF', 0);
  row('   ', 1);
  row('never annotated', -1);
  row(`long ${'a'.repeat(150_000)}`, 0);
  const f = join(dir, 'train.csv');
  writeFileSync(f, rows.join('\n') + '\n');
  return f;
}

describe('silent surprises are said', () => {
  it('loading counts the rows left out, skipped and cut, and the texts in both classes', async () => {
    const d = scratchDir('surprise-data');
    const f = jigsawSemicolon(d);
    const c = await loadConceptData({ kind: 'file', path: f, delimiter: ';' });
    assert.deepEqual(
      { ...c.stats, positives: c.positives, negatives: c.negatives },
      { readPositives: 12, readNegatives: 13, droppedSubtype: 3, skipped: 3, truncated: 1, inBothClasses: 1, bothClassesExample: 'same words here', positives: 12, negatives: 13 },
    );
  });

  it('a semicolon file read with commas names the delimiter to pass', async () => {
    const d = scratchDir('surprise-semicolon');
    // Quoted texts: the comma parser fails on a record; unquoted: it finds one column named "text;label".
    const plain = join(d, 'plain.csv');
    writeFileSync(plain, 'text;label\nhello there;0\nyou fool;1\n');
    for (const [f, want] of [[jigsawSemicolon(d), /train\.csv: not valid CSV \(.*\); the header looks semicolon-separated: pass --delimiter ";"$/], [plain, /plain\.csv: no text column .*"text;label"\); the header looks semicolon-separated: pass --delimiter ";"$/]] as const) {
      await assert.rejects(loadConceptData({ kind: 'file', path: f }), (e: Error) => {
        assert.match(e.message, want);
        assert.equal(e.message.split('\n').length, 1);
        return true;
      });
    }
    assert.equal((await loadConceptData({ kind: 'file', path: plain, delimiter: ';' })).positives, 1);
  });

  it('a FIFO or a device is not called empty', async () => {
    const d = scratchDir('surprise-fifo');
    const fifo = join(d, 'data.jsonl');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    await assert.rejects(loadConceptData({ kind: 'file', path: fifo }), /data\.jsonl: is a pipe \(FIFO\), not a regular file; save the data to a file/);
    await assert.rejects(loadConceptData({ kind: 'csv', path: '/dev/zero' }), /^Error: \/dev\/zero: is a character device, not a regular file|\/dev\/zero: is a character device, not a regular file/);
    const r = runCli(['perplexity', TINY, '--data', '/dev/zero']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /\/dev\/zero: is a character device, not a regular file/);
    assert.doesNotMatch(r.stderr, /empty/);
  });

  it('perplexity counts the texts under 2 tokens it leaves out and the texts it cuts', async () => {
    const model = await LanguageModel.open(TINY);
    try {
      // Token ids as input: lengths 1, 0, 3, 6 and 9 with maxLength 5: two left out, two cut.
      const r = await perplexity(model, [[5], [], [1, 2, 3], [1, 2, 3, 4, 5, 6], [9, 8, 7, 6, 5, 4, 3, 2, 1]], { maxLength: 5 });
      assert.deepEqual([r.texts, r.shortTexts, r.truncatedTexts, r.maxLength, r.tokens], [3, 2, 2, 5, 2 + 4 + 4]);
    } finally {
      await model.dispose();
    }
    const d = scratchDir('surprise-ppl');
    const f = join(d, 'texts.txt');
    writeFileSync(f, `a\nThe cat sat on the mat and looked at the dog.\n${'word '.repeat(200)}\n`);
    const r = runCli(['perplexity', TINY, '--data', f, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /perplexity: 1 of 3 texts have fewer than 2 tokens \(nothing to predict\) and were left out/);
    assert.match(r.stderr, /perplexity: 1 of 3 texts were cut to their first 32 tokens/);
    assert.deepEqual([r.json!.texts, r.json!.shortTexts, r.json!.truncatedTexts], [2, 1, 1]);
  });

  it('the CLI: profile says what it left out and warns of texts in both classes; fit --max-q 0 warns of 0 experts', () => {
    const d = scratchDir('surprise-cli');
    const f = jigsawSemicolon(d);
    const out = join(d, 'profile');
    const p = runCli(['profile', TINY, '--data', f, '--delimiter', ';', '--out', out, '--seq-len', '16', '--bootstrap', '0', '--permutations', '0', '--json']);
    assert.equal(p.status, 0, p.stderr);
    assert.match(p.stderr, /data: 3 rows of .*train\.csv labelled non-toxic but with a Jigsaw subtype set were left out/);
    assert.match(p.stderr, /data: 3 rows of .*train\.csv were skipped: blank text \(only spaces or U\+FEFF\) or not annotated/);
    assert.match(p.stderr, /data: 1 texts of .*train\.csv were longer than 100,000 characters and were cut there/);
    assert.match(p.stderr, /warning: 1 texts are in both classes \(e\.g\. "same words here"\)/);
    assert.equal((p.json!.dataRows as { droppedSubtype: number }).droppedSubtype, 3);
    const fit = runCli(['fit', out, '--method', 'aura', '--max-q', '0', '--bootstrap', '0', '--permutations', '0', '--out', join(d, 'iv.json'), '--json']);
    assert.equal(fit.status, 0, fit.stderr);
    assert.equal(fit.json!.experts, 0);
    assert.match(fit.stderr, /warning: 0 experts: the intervention changes nothing \(no neuron passes --max-q 0\)/);
    assert.ok((fit.json!.warnings as string[]).some((w) => w.startsWith('0 experts')));
  });

  it('evaluate says how many prompts it cuts to fit the context', () => {
    const d = scratchDir('surprise-eval');
    const prompts = join(d, 'prompts.txt');
    // gpt2-tiny's context is 32 tokens: with 4 new tokens a prompt keeps at most 28.
    writeFileSync(prompts, `Hello there\n${'many words '.repeat(40)}\nShort one\n`);
    const r = runCli(['evaluate', TINY, '--prompts', prompts, '--samples', '1', '--max-new-tokens', '4', '--second-scorer', 'none', '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /evaluate: 1 of 3 prompts are longer than the 28 tokens the context leaves beside 4 new ones; they keep their last 28 tokens/);
  });

  it('an intervention file of a version this reader does not know is refused', async () => {
    const f = join(scratchDir('surprise-version'), 'iv.json');
    writeFileSync(f, JSON.stringify({ format: 'aura-lens.intervention', version: 3, sites: { a: { neurons: 1, gain: [1] } } }));
    await assert.rejects(readInterventionFile(f), /version 3 is newer than this aura-lens reads \(2\); update aura-lens/);
  });
});
