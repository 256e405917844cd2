// Issue 19 items 3 and 13: a tiny --temperature (5e-324 .. ~1e-38) and a prompt with no tokens.
// References: the PyTorch greedy tokens of make_fixtures.py (a temperature going to 0 is greedy), and
// the hand-computed argmax of small logit rows.
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { evaluateToxicity } from '../../src/aura/evaluate';
import { generate } from '../../src/engine/generation/generate';
import { processorsFor } from '../../src/engine/generation/logits-processors';
import { sample } from '../../src/engine/generation/sampler';
import { seededRng } from '../../src/engine/generation/random';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { FIXTURES, MODELS, golden } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

// Boundary temperatures: the smallest double, the float32 subnormal and normal limits, and just above.
const TINY = [5e-324, 1e-300, 1e-45, 1.4e-45, 1e-39, 1.1754943508222875e-38, 1e-38, 1e-37, 1e-30];

describe('robust: sampling at a vanishing temperature (issue 19 item 3)', () => {
  it('draws the most likely token, not the last id, for every boundary temperature', () => {
    // argmax by hand: index 1 (3.5) in the first row, 0 in the second (a tie at the top takes either of 0, 2).
    const rows: [number[], number[]][] = [
      [[1, 3.5, -2, 0.25, 3.25], [1]],
      [[10, -1e30, 10, 9.999], [0, 2]],
      [[-5, -4, -80, -4.5], [1]],
    ];
    for (const t of TINY) {
      for (const [row, want] of rows) {
        for (const seed of [0, 1, 7]) {
          const logits = Float32Array.from(row);
          for (const p of processorsFor({ temperature: t, topP: 0.9, topK: 3 })) p(logits, []);
          const got = sample(logits, seededRng(seed));
          assert.ok(want.includes(got), `t=${t} seed=${seed}: drew ${got}, expected one of ${want}`);
        }
      }
    }
  });

  it('leaves moderate temperatures unchanged: softmax(l / t) as computed by hand', () => {
    // l = [0, ln 2, ln 4] at t = 0.5 gives weights 1, 4, 16 over 21.
    const logits = Float32Array.from([0, Math.log(2), Math.log(4)]);
    for (const p of processorsFor({ temperature: 0.5 })) p(logits, []);
    const e = Array.from(logits, (v) => Math.exp(v - Math.max(...logits)));
    const s = e.reduce((a, b) => a + b, 0);
    const probs = e.map((v) => v / s);
    [1 / 21, 4 / 21, 16 / 21].forEach((want, i) => assert.ok(Math.abs(probs[i]! - want) < 1e-6, `p${i} ${probs[i]} vs ${want}`));
  });
});

describe('robust: generation at a vanishing temperature and with an empty prompt (items 3, 13)', () => {
  let model: LanguageModel;
  const g = golden('llama-tiny');
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'llama-tiny'), { threads: 1 });
  });
  after(async () => model?.dispose());

  for (const t of [5e-324, 1e-39, 1e-38]) {
    it(`temperature ${t} continues as PyTorch's greedy decoding does`, async () => {
      const r = await generate(model, [g.greedy.prompt_ids], { maxNewTokens: g.greedy.plain.length, stopAtEos: false, temperature: t, seed: 5 });
      assert.deepEqual(r.ids[0], g.greedy.plain);
    });
  }

  it('an empty id list among prompts is a user error that names its place', async () => {
    await assert.rejects(generate(model, [[1, 2], []]), (e: Error) => isUserError(e) && /prompt 2 encodes to no tokens/.test(e.message));
  });
});

describe('robust: a blank prompt on a WordLevel tokenizer (item 13)', () => {
  it('generate and evaluate name the prompt in a one-line user error', async () => {
    // gpt2-tiny with make_wordlevel.py's tokenizer: its Whitespace pre-tokenizer gives "   " no tokens.
    const d = join(scratchDir('wl-blank'), 'm');
    cpSync(join(MODELS, 'gpt2-tiny'), d, { recursive: true });
    cpSync(join(FIXTURES, 'tokenizers', 'wordlevel', 'tokenizer.json'), join(d, 'tokenizer.json'));
    const model = await LanguageModel.open(d, { threads: 1 });
    try {
      assert.deepEqual(model.tokenizer.encode('   '), []);
      const oneLine = (re: RegExp) => (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n');
      await assert.rejects(generate(model, ['   ']), oneLine(/^prompt "   " encodes to no tokens/));
      const scorer = { name: 'never', score: async (t: string[]) => t.map(() => 0) };
      await assert.rejects(
        evaluateToxicity(model, ['the cat sat', ' \t '], scorer, undefined, { samples: 1, maxNewTokens: 1 }),
        oneLine(/prompt 2 " \\t " encodes to no tokens/),
      );
    } finally {
      await model.dispose();
    }
  });
});
