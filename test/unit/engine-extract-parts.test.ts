// onnxruntime's working memory grows with the tokens in one pass, so an extraction batch is run in
// groups of rows within an activation budget (model.ts extractRows). Each group keeps the batch's
// padding, so every pooled value is what one pass over the whole batch gives; only the summation order
// inside onnxruntime's kernels may differ with the number of rows (measured: 1 ulp in some means).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LanguageModel, extractRows } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { join } from 'node:path';

describe('extraction in groups of rows', () => {
  it('extractRows: rows within the budget, at least one, never more than the batch', () => {
    assert.equal(extractRows(16, 32, 46_080, 32 * 1024 ** 2), 5);
    assert.equal(extractRows(16, 32, 46_080), 11);
    assert.equal(extractRows(16, 4096, 46_080, 32 * 1024 ** 2), 1);
    assert.equal(extractRows(16, 2, 10, 32 * 1024 ** 2), 16);
    assert.equal(extractRows(3, 0, 10), 3);
  });

  for (const name of ['gpt2-tiny', 'llama-tiny']) {
    it(`${name}: pooled responses in groups of 1 and 2 rows equal one pass, to float rounding`, async () => {
      const whole = await LanguageModel.open(join(MODELS, name), { threads: 1 });
      const ids = [
        [0, 0, 0, 5, 9, 11],
        [4, 8, 15, 16, 23, 42],
        [0, 7, 7, 7, 1, 2],
        [0, 0, 0, 0, 0, 3],
        [9, 8, 7, 6, 5, 4],
      ];
      const mask = ids.map((r, i) => r.map((_, j) => (i === 0 && j < 3) || (i === 2 && j < 1) || (i === 3 && j < 5) ? 0 : 1));
      const pool = whole.sites.map((s) => s.id);
      const one = await whole.extract({ ids, mask, pool });
      await whole.dispose();
      const width = whole.sites.reduce((n, s) => n + s.neurons, 0);
      for (const rows of [1, 2]) {
        const parts = await LanguageModel.open(join(MODELS, name), { threads: 1, activationBudget: rows * ids[0]!.length * width * 4 });
        const session = await parts.session('extract');
        const run = session.run.bind(session);
        let passes = 0;
        session.run = ((...a: Parameters<typeof run>) => {
          passes++;
          return run(...a);
        }) as typeof session.run;
        const got = await parts.extract({ ids, mask, pool });
        assert.equal(passes, Math.ceil(ids.length / rows), 'one pass per group of rows');
        await parts.dispose();
        for (const id of pool) {
          for (const which of ['max', 'mean'] as const) {
            const a = got.pooled!.get(id)![which];
            const b = one.pooled!.get(id)![which];
            assert.equal(a.length, b.length);
            for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6 * Math.max(1, Math.abs(b[i]!)), `${id} ${which}[${i}], groups of ${rows}: ${a[i]} vs ${b[i]}`);
          }
        }
      }
    });
  }
});
