// Issue 19 item 9: perplexity --max-length past the model's context is clamped to the context with a
// stderr note (as profile --seq-len is), instead of a Gather/RotaryEmbedding failure. The reference is
// the same text cut by hand to the context (make_fixtures.py gives both tiny models 32 positions).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { perplexityCommand } from '../../src/cli/perplexity';
import { perplexity } from '../../src/engine/generation/perplexity';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const LONG = 'The cat sat on the mat and looked at the dog. '.repeat(12);

describe('robust: perplexity past the context (issue 19 item 9)', () => {
  for (const name of ['gpt2-tiny', 'llama-tiny']) {
    it(`${name}: --max-length 4096 gives the perplexity of the text's first 32 tokens`, async () => {
      const model = await LanguageModel.open(join(MODELS, name), { threads: 1 });
      try {
        assert.equal(model.facts.maxPositions, 32);
        const ids = model.tokenizer.encode(LONG);
        assert.ok(ids.length > 64, `${ids.length} tokens`);
        const r = await perplexity(model, [LONG], { maxLength: 4096 });
        const ref = await perplexity(model, [ids.slice(0, 32)], { maxLength: 32 });
        assert.equal(r.tokens, 31);
        assert.ok(Number.isFinite(r.perplexity));
        assert.equal(r.perplexity, ref.perplexity);
      } finally {
        await model.dispose();
      }
    });
  }

  it('the CLI says on stderr that it clamped, and prints the result', async () => {
    const d = scratchDir('ppl-ctx');
    const data = join(d, 'texts.txt');
    writeFileSync(data, `${LONG}\n`);
    const err: string[] = [];
    const out: string[] = [];
    const we = process.stderr.write.bind(process.stderr);
    const wo = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
    // The test runner's own frames go through stdout too: only the command's JSON line is kept.
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && chunk.startsWith('{"perplexity"')) return out.push(chunk) > 0;
      return (wo as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      await perplexityCommand([join(MODELS, 'gpt2-tiny'), '--data', data, '--max-length', '100000', '--threads', '1', '--json']);
    } finally {
      process.stderr.write = we;
      process.stdout.write = wo;
    }
    assert.match(err.join(''), /--max-length 100000 is past the model's context of 32 tokens; texts are truncated to 32/);
    const line = out[0];
    assert.ok(line, 'no JSON result on stdout');
    const r = JSON.parse(line) as { tokens: number; perplexity: number };
    assert.equal(r.tokens, 31);
  });
});
