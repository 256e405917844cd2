// The CLI contract (../shared/docs/contracts.md is the spec; these tests pin it): one JSON object on
// stdout with --json, exit status 0, and the fields other tools read.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { generate } from '../../src/engine/generation/generate';
import { LanguageModel } from '../../src/engine/model';
import { MODELS, golden } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

describe('aura-lens CLI (engine commands)', () => {
  it('inspect --json lists format, architecture, layers, vocabulary and sites', () => {
    const r = runCli(['inspect', join(MODELS, 'llama-tiny'), '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = r.json!;
    assert.equal(j.format, 'transformers.js');
    assert.equal(j.layers, 2);
    assert.equal(j.vocabSize, 352);
    const sites = j.sites as { id: string; layer: number; kind: string; neurons: number; tensor: string }[];
    assert.deepEqual(
      sites.map((s) => [s.id, s.layer, s.kind, s.neurons]),
      golden('llama-tiny').sites.map((s) => [s.id, s.layer, s.kind, s.neurons]),
    );
    assert.ok(sites.every((s) => typeof s.tensor === 'string' && s.tensor.length > 0));
  });

  it('generate --json prints prompt ids, generated ids and text, as the engine generates them', async () => {
    const r = runCli(['generate', join(MODELS, 'gpt2-tiny'), '--prompt', 'The cat', '--max-new-tokens', '5', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = r.json!;
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'));
    const want = await generate(model, ['The cat'], { maxNewTokens: 5 });
    await model.dispose();
    assert.deepEqual(j.promptIds, want.promptIds[0]);
    assert.deepEqual(j.ids, want.ids[0]);
    assert.equal(j.text, want.texts[0]);
    assert.equal(typeof j.tokensPerSecond, 'number');
  });

  it('generate with sampling is reproducible from the seed', () => {
    const args = ['generate', join(MODELS, 'gpt2-tiny'), '--prompt', 'Once', '--max-new-tokens', '8', '--temperature', '1.2', '--top-k', '50', '--top-p', '0.95', '--seed', '11', '--json'];
    const a = runCli(args).json!;
    const b = runCli(args).json!;
    assert.deepEqual(a.ids, b.ids);
    const c = runCli([...args.slice(0, -3), '--seed', '12', '--json']).json!;
    assert.notDeepEqual(a.ids, c.ids);
  });

  it('perplexity --json reads a plain text file', () => {
    const d = scratchDir('ppl');
    const f = join(d, 'texts.txt');
    writeFileSync(f, 'The cat sat on the mat.\nA dog ran in the park.\n\n');
    const r = runCli(['perplexity', join(MODELS, 'gpt2-tiny'), '--data', f, '--json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json!.texts, 2);
    assert.ok((r.json!.perplexity as number) > 1);
    assert.ok((r.json!.tokens as number) > 10);
  });

  it('an unknown command exits 1 with one line', () => {
    const r = runCli(['frobnicate']);
    assert.equal(r.status, 1);
    assert.match(r.stderr.trim(), /^aura-lens: unknown command "frobnicate"/);
  });
});
