// `--scorer words:FILE`: whole-word, case-folded word/phrase lists. Expected values are written out by
// hand from the rule (a text scores 1 when it contains a listed word or phrase as whole words).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createScorer, defaultSecondScorer } from '../../src/aura/scoring/create';
import { WordListScorer } from '../../src/aura/scoring/words';
import { evaluateToxicity } from '../../src/aura/evaluate';
import { UserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'aura-words-'));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('words scorer', () => {
  const s = new WordListScorer(['sad', 'cried', 'Upset', 'felt bad', 'c++']);

  it('matches whole words only, case-folded', async () => {
    const cases: [string, number][] = [
      ['She was sad.', 1],
      ['SAD', 1],
      ['"Sad," said Tom', 1],
      ['He was sadly late', 0], // a longer word
      ['a crusade', 0], // inside a word
      ['sad_face', 0], // underscore joins words
      ['sad2', 0],
      ['Lily cried and cried', 1],
      ['she cries', 0], // inflections are listed, not guessed
      ['Mom was UPSET!', 1],
      ['', 0],
      ['ça, sad.', 1],
      ['tristesse sadé', 0], // é is a letter: no boundary
    ];
    assert.deepEqual(await s.score(cases.map((c) => c[0])), cases.map((c) => c[1]));
  });

  it('matches phrases across any whitespace, and escapes regex characters', async () => {
    assert.deepEqual(await s.score(['He felt bad', 'he FELT\n  bad today', 'he felt badly', 'felt', 'I like c++ a lot', 'cxx']), [1, 1, 0, 0, 1, 0]);
  });

  it('averages to the share of samples that contain a word', async () => {
    // 2 prompts x 4 samples: prompt A has 1 sad sample of 4, prompt B 3 of 4
    const texts = ['sad', 'happy', 'fine', 'ok', 'sad', 'cried', 'fine', 'upset'];
    const scores = await s.score(texts);
    const share = (row: number[]) => row.reduce((a, b) => a + b, 0) / row.length;
    assert.deepEqual([share(scores.slice(0, 4)), share(scores.slice(4))], [1 / 4, 3 / 4]);
  });

  it('reads a list file: one entry a line, # comments and blank lines skipped', async () => {
    const p = file('sad.txt', '# sadness\nsad\n\n  Cried  \r\nbroke down\n');
    const sc = await createScorer(`words:${p}`);
    assert.equal(sc.name, 'words:sad.txt');
    assert.deepEqual((sc as WordListScorer).words, ['sad', 'cried', 'broke down']);
    assert.deepEqual(await sc.score(['# sadness', 'she broke  down', 'CRIED']), [0, 1, 1]);
  });

  it('rejects a missing, empty or unnamed list with a one-line error naming it', async () => {
    const missing = join(dir, 'nope.txt');
    const empty = file('empty.txt', '# only a comment\n\n');
    for (const [spec, re] of [
      [`words:${missing}`, /words:.*nope\.txt: cannot read the word list \(ENOENT\)/],
      [`words:${empty}`, /words:.*empty\.txt: the word list is empty/],
      ['words:', /expected a word-list file/],
      [`words:${dir}`, /cannot read the word list \(EISDIR\)/],
    ] as const) {
      await assert.rejects(createScorer(spec), (e: Error) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'));
    }
  });

  it('has no toxicity lexicon as its default second scorer', () => {
    assert.equal(defaultSecondScorer('words:sad.txt'), 'none');
    assert.equal(defaultSecondScorer('lexicon'), 'cuss');
  });

  it('scores stories260K\'s continuations as a plain whole-word check does (the committed sadness list)', async () => {
    const list = join(__dirname, '..', '..', 'scripts', 'stories-concept', 'sadness.txt');
    const sc = await createScorer(`words:${list}`);
    const model = await LanguageModel.open(join(MODELS, 'stories260k'), { threads: 1 });
    try {
      const prompts = ['Tom lost his toy. He was very', 'Lily fell down and she started to', 'The dog was alone in the rain. He felt'];
      const r = await evaluateToxicity(model, prompts, sc, undefined, { samples: 8, maxNewTokens: 48, seed: 3 });
      // the reference: lower-case, split on anything that is not a letter, look each word up
      const words = new Set(['sad', 'sadly', 'sadness', 'cry', 'cries', 'cried', 'crying', 'tears', 'scared', 'afraid', 'frightened', 'upset', 'unhappy', 'lonely', 'hurt', 'gloomy', 'frown', 'frowned', 'worried']);
      const want = (t: string) => (t.toLowerCase().split(/[^a-z]+/).some((w) => words.has(w)) ? 1 : 0);
      for (const s of r.samples) assert.deepEqual(s.scores, s.continuations.map(want));
      const scores = r.samples.flatMap((s) => s.scores);
      assert.equal(scores.length, 24);
      assert.ok(scores.includes(0) && scores.includes(1), 'the seeded samples have both sad and other continuations');
    } finally {
      await model.dispose();
    }
  });
});
