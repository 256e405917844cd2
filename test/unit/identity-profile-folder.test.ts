// A folder is a profile only if its manifest says so (issue 19 item 6): profile-like names alone
// (auroc/, summary.json) are a user's files and the folder is refused; inside a real profile, a redo
// removes only the files aura-lens writes, never a user's file that sits among them.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import type { ConceptData } from '../../src/aura/datasets';

function examples(n: number) {
  return Array.from({ length: n }, (_, i) => ({ text: `${i % 2 ? 'you are a damn fool' : 'the weather is fine'} number ${i}`, label: (i % 2) as 0 | 1 }));
}

describe('profile folders: only a manifest makes a profile', () => {
  let model: LanguageModel;
  let data: ConceptData;
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    data = await loadConceptData({ kind: 'memory', examples: examples(8) });
  });
  after(async () => model?.dispose());

  it("a folder with only profile-like names (auroc/important.txt, summary.json) is refused and left as it was", async () => {
    const dir = scratchDir('lookalike');
    mkdirSync(join(dir, 'auroc'));
    writeFileSync(join(dir, 'auroc', 'important.txt'), 'precious');
    writeFileSync(join(dir, 'summary.json'), '{"mine": true}');
    await assert.rejects(profileConcept(model, data, dir, { batchSize: 4, seqLen: 8 }), (e: Error) => {
      assert.match(e.message, /is not empty and has no aura-lens manifest\.json \(it holds "auroc", "summary\.json"\); give a new or empty folder/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    assert.equal(readFileSync(join(dir, 'auroc', 'important.txt'), 'utf8'), 'precious');
    assert.equal(readFileSync(join(dir, 'summary.json'), 'utf8'), '{"mine": true}');
    assert.deepEqual(readdirSync(dir).sort(), ['auroc', 'summary.json']);
  });

  it('redoing a real profile removes only the files aura-lens wrote; a user file inside auroc/ or responses/ survives', async () => {
    const dir = scratchDir('real');
    await profileConcept(model, data, dir, { batchSize: 4, seqLen: 8 });
    writeFileSync(join(dir, 'auroc', 'important.txt'), 'precious');
    writeFileSync(join(dir, 'responses', 'notes.md'), 'mine too');
    const ours = readdirSync(join(dir, 'auroc')).filter((n) => n.endsWith('.f64'));
    assert.ok(ours.length > 0);
    // Other settings with replaceDifferent (as the extension's cache and the demo do): redone from scratch.
    const r = await profileConcept(model, data, dir, { batchSize: 4, seqLen: 6, replaceDifferent: true });
    assert.equal(r.reusedBatches, 0);
    assert.equal(readFileSync(join(dir, 'auroc', 'important.txt'), 'utf8'), 'precious');
    assert.equal(readFileSync(join(dir, 'responses', 'notes.md'), 'utf8'), 'mine too');
    assert.deepEqual(readdirSync(join(dir, 'auroc')).filter((n) => n.endsWith('.f64')).sort(), ours.sort(), 'the results were written again');
    assert.ok(existsSync(join(dir, 'manifest.json')));
  });

  it('an empty folder is a fine new profile', async () => {
    const dir = scratchDir('empty');
    const r = await profileConcept(model, data, dir, { batchSize: 4, seqLen: 8 });
    assert.equal(r.manifest.examples, 8);
  });
});
