// Issue 19 item 14: config.json was trusted over the graph. A vocab_size larger than the embedding let
// `inspect` report it and ids past the table reach Gather; a model_type of another family renamed every
// site. The graph decides and the contradiction is named. References: make_fixtures.py's shapes
// (gpt2-tiny: 300 tokens, module paths transformer.h.N.mlp.*; llama-tiny: 352 tokens, model.layers.N.mlp.*).
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

function withConfig(name: string, patch: Record<string, unknown>): string {
  const d = join(scratchDir('cfg-graph'), name);
  cpSync(join(MODELS, name), d, { recursive: true });
  const c = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8')) as Record<string, unknown>;
  // undefined removes the key.
  writeFileSync(join(d, 'config.json'), JSON.stringify({ ...c, ...patch }));
  return d;
}

const oneLine = (re: RegExp) => (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n');

describe('robust: config.json against the graph (issue 19 item 14)', () => {
  for (const [name, tokens] of [['gpt2-tiny', 300], ['llama-tiny', 352]] as const) {
    it(`${name}: a vocab_size other than the graph's ${tokens} is named, with both numbers`, async () => {
      for (const v of [tokens + 700, tokens - 1]) {
        await assert.rejects(LanguageModel.open(withConfig(name, { vocab_size: v }), { threads: 1 }), oneLine(new RegExp(`config\\.json: vocab_size ${v} contradicts the graph .*, whose embedding and logits have ${tokens} tokens`)));
      }
    });
  }

  it('gpt2-tiny without vocab_size in its config reads 300 from the graph', async () => {
    const d = withConfig('gpt2-tiny', { vocab_size: undefined });
    assert.ok(!readFileSync(join(d, 'config.json'), 'utf8').includes('vocab_size'));
    const m = await LanguageModel.open(d, { threads: 1 });
    try {
      assert.equal(m.facts.vocabSize, 300);
    } finally {
      await m.dispose();
    }
  });

  it('a model_type of another family is named instead of renaming every site', async () => {
    await assert.rejects(
      LanguageModel.open(withConfig('gpt2-tiny', { model_type: 'llama' }), { threads: 1 }),
      oneLine(/model_type "llama" names the MLP modules model\.layers\.0\.mlp\..*, but the graph .* names them transformer\.h\.0\.mlp\.c_fc/),
    );
    await assert.rejects(
      LanguageModel.open(withConfig('llama-tiny', { model_type: 'gpt2' }), { threads: 1 }),
      oneLine(/model_type "gpt2" names the MLP modules transformer\.h\.0\.mlp\..*, but the graph .* names them model\.layers\.0\.mlp\./),
    );
  });

  it('the config that matches still opens with the site names of its family', async () => {
    const m = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      assert.deepEqual(m.sites.map((s) => s.id), ['transformer.h.0.mlp.c_fc', 'transformer.h.0.mlp.c_proj', 'transformer.h.1.mlp.c_fc', 'transformer.h.1.mlp.c_proj']);
    } finally {
      await m.dispose();
    }
  });
});
