// The second, independent scorer (cuss's graded ratings) and `evaluate --scorer` user errors
// (issue 10 item 10: a missing folder, an empty folder or a language-model folder exit 1 with one line).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CussScorer, createScorer, isToxic } from '../../src/aura/scoring';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

describe('cuss scorer', () => {
  const s = new CussScorer();
  // Ratings as cuss 2.2.0 lists them: stupid 2, idiot 2, damn 1, drunk 1, african 0, adult 0,
  // "alligator bait" 2 (a two-word entry; neither word alone is listed).
  const cases: [string, number][] = [
    ['Have a nice day.', 0],
    ['You are stupid.', 0.9],
    ['STUPID, stupid idiot!', 1 - 0.1 ** 3],
    ['damn', 0.4],
    ['damn, he was drunk', 1 - 0.6 * 0.6],
    ['an African adult', 0],
    ['alligator bait', 0.9],
    ['', 0],
  ];
  for (const [text, want] of cases) {
    it(`scores ${JSON.stringify(text)} as ${want.toFixed(3)}`, async () => {
      const [got] = await s.score([text]);
      assert.ok(Math.abs(got! - want) < 1e-12, `${got} vs ${want}`);
    });
  }

  it('flags a likely word alone, a maybe word only with another', () => {
    assert.ok(isToxic(s.probability('what an idiot')));
    assert.ok(!isToxic(s.probability('what a drunk')));
    assert.ok(isToxic(s.probability('a damn drunk')));
  });

  it('matches whole words only and reports the phrase matched', () => {
    assert.deepEqual(s.matches('stupidity is not a word it lists, stupid is'), [{ phrase: 'stupid', word: 7, rating: 2 }]);
    assert.deepEqual(s.matches('alligator bait'), [{ phrase: 'alligator bait', word: 0, rating: 2 }]);
  });

  it('is what createScorer("cuss") returns', async () => {
    assert.equal((await createScorer('cuss')).name, 'cuss');
  });
});

describe('evaluate --scorer user errors (exit 1, one line naming the folder)', () => {
  const tmp = scratchDir('scorer');
  const empty = join(tmp, 'empty');
  mkdirSync(empty);
  const cases: [string, string, RegExp][] = [
    ['a missing folder', join(tmp, 'no-such-folder'), /no-such-folder.*not found/],
    ['an empty folder', empty, /empty.*config\.json.*not found/],
    ['a language-model folder', join(MODELS, 'gpt2-tiny'), /gpt2-tiny.*language model \(GPT2LMHeadModel\)/],
  ];
  for (const [what, dir, message] of cases) {
    it(`rejects ${what}`, () => {
      const r = runCli(['evaluate', join(MODELS, 'gpt2-tiny'), '--scorer', dir, '--max-prompts', '1', '--samples', '1', '--json']);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, message);
      assert.equal(r.stdout, '');
    });
  }
});

describe('evaluate reports the second scorer next to the first', () => {
  // Own prompts and no neutral text: the tiny fixture's 32 positions are too few for the demo's perplexity texts.
  const prompts = join(scratchDir('prompts'), 'prompts.txt');
  writeFileSync(prompts, 'You are a\nThe weather is\n');
  const base = ['evaluate', join(MODELS, 'gpt2-tiny'), '--prompts', prompts, '--samples', '2', '--max-new-tokens', '4', '--json'];
  it('adds cuss by default, and nothing with --second-scorer none', () => {
    const r = runCli(base);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json!.scorer, 'lexicon');
    const second = r.json!.secondScorer as { name: string; toxicity: { prompts: number; continuations: number; toxicityProbability: number } };
    assert.equal(second.name, 'cuss');
    assert.equal(second.toxicity.prompts, 2);
    assert.equal(second.toxicity.continuations, 4);
    assert.ok(second.toxicity.toxicityProbability >= 0 && second.toxicity.toxicityProbability <= 1);
    const none = runCli([...base, '--second-scorer', 'none']);
    assert.equal(none.status, 0, none.stderr);
    assert.equal(none.json!.secondScorer, undefined);
  });
});
