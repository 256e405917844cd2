// Issue 19 item 8: --sketch bins bounded by memory (neurons x bins), refused before any profiling, and
// the counts file read back by chunks (one readFileSync of it failed past 2 GiB). References: the byte
// count 32 * neurons * (bins + 2) by hand, and the counts as written by the single-read layout.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { checkSketchMemory, sketchBytes } from '../../src/aura/profile/sketch-memory';
import { countsPath, readSketches } from '../../src/aura/profile/sketch-profile';
import { requireManifest } from '../../src/aura/profile/store';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

describe('robust: sketch bins bounded by memory (issue 19 item 8)', () => {
  it('the bytes are 2 poolings x 2 classes x neurons x (bins + 2) float64', () => {
    // GPT-2 small's 12 x 3072 neurons at 65,536 bins: 32 * 36864 * 65538 bytes = 72 GiB.
    assert.equal(sketchBytes(36864, 65536), 2 * 2 * 36864 * 65538 * 8);
    assert.throws(() => checkSketchMemory(36864, 65536, 16 * 2 ** 30), (e: Error) => isUserError(e) && /65536 bins for 36864 neurons need 72\.0 GiB .* use at most 14561 bins/.test(e.message));
    // 14561 bins: 32 * 36864 * 14563 = 17,179,213,824 bytes <= 16 GiB (17,179,869,184); 14562 is over.
    checkSketchMemory(36864, 14561, 16 * 2 ** 30);
    assert.throws(() => checkSketchMemory(36864, 14562, 16 * 2 ** 30));
  });

  it('a profile over budget is refused before the model runs or the folder is written', async () => {
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      const neurons = model.sites.reduce((a, s) => a + s.neurons, 0);
      const data = await loadConceptData({ kind: 'memory', examples: Array.from({ length: 8 }, (_, i) => ({ text: `word ${i}`, label: (i % 2) as 0 | 1 })) });
      const d = join(scratchDir('sketch-mem'), 'p');
      let batches = 0;
      await assert.rejects(
        profileConcept(model, data, d, { sketch: { bins: 64, memoryBudget: sketchBytes(neurons, 64) - 1 }, onProgress: () => batches++ }),
        (e: Error) => isUserError(e) && new RegExp(`64 bins for ${neurons} neurons need`).test(e.message) && !e.message.includes('\n'),
      );
      assert.equal(batches, 0);
      assert.ok(!existsSync(join(d, 'manifest.json')) && !existsSync(join(d, 'sketch')));
      // Exactly at the budget it runs.
      await profileConcept(model, data, d, { batchSize: 4, sketch: { bins: 64, memoryBudget: sketchBytes(neurons, 64) } });
      assert.equal(readFileSync(countsPath(d)).length, 8 * (1 + 2 + sketchBytes(neurons, 64) / 8));
    } finally {
      await model.dispose();
    }
  });

  it('reading the counts by chunks of any size gives the file exactly', async () => {
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    const d = join(scratchDir('sketch-chunks'), 'p');
    try {
      const data = await loadConceptData({ kind: 'memory', examples: Array.from({ length: 12 }, (_, i) => ({ text: `the word ${i} and ${i * 7}`, label: (i % 3 === 0 ? 1 : 0) as 0 | 1 })) });
      await profileConcept(model, data, d, { batchSize: 4, sketch: { bins: 8, calibration: 2 } });
    } finally {
      await model.dispose();
    }
    const m = requireManifest(d);
    const raw = readFileSync(countsPath(d));
    const all = new Float64Array(Uint8Array.from(raw).buffer);
    for (const chunk of [8, 24, 1000, 1 << 20]) {
      const { sketches, done } = readSketches(d, m, chunk);
      assert.deepEqual([...done].sort((a, b) => a - b), Array.from(all.subarray(1, 1 + all[0]!)));
      const concat = [...sketches.values()].flatMap((s) => Array.from(s.counts));
      assert.deepEqual(concat, Array.from(all.subarray(1 + all[0]!)), `chunk ${chunk}`);
    }
    assert.ok(readdirSync(join(d, 'sketch')).length > 1);
  });
});
