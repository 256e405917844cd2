// A damaged profile folder is a one-line user error naming the file (issue 19 item 12): a missing
// responses/*.f32, no responses/ at all, a corrupt order.json, a shard without order.json, another
// model's manifest. Checked where fit and evaluate --profile read a profile (profileStatistics), where
// the extension's Open Profile Folder reads it (openProfileFolder), in merge, and in the CLI's exit code.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { mergeShards } from '../../src/aura/profile/merge';
import { profileStatistics } from '../../src/aura/stats/significance';
import { LanguageModel } from '../../src/engine/model';
import { openProfileFolder } from '../../src/host/model-host/open-profile-job';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

function examples(n: number) {
  return Array.from({ length: n }, (_, i) => ({ text: `${i % 2 ? 'you are a damn fool' : 'the weather is fine'} number ${i}`, label: (i % 2) as 0 | 1 }));
}

function userError(re: RegExp) {
  return (e: Error) => {
    assert.equal(e.name, 'UserError', `${e.name}: ${e.message}`);
    assert.match(e.message, re);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  };
}

describe('damaged profile folders name the file at fault', () => {
  let model: LanguageModel;
  let other: LanguageModel;
  let whole: string;
  let shards: string[];
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    other = await LanguageModel.open(join(MODELS, 'llama-tiny'), { threads: 1 });
    const data = await loadConceptData({ kind: 'memory', examples: examples(16) });
    whole = scratchDir('damaged-whole');
    await profileConcept(model, data, whole, { batchSize: 4, seqLen: 8 });
    shards = [0, 1].map(() => scratchDir('damaged-shard'));
    for (const [i, d] of shards.entries()) await profileConcept(model, data, d, { batchSize: 4, seqLen: 8, shard: { index: i, count: 2 } });
  });
  after(async () => {
    await model?.dispose();
    await other?.dispose();
  });

  /** A copy of the whole profile with `damage` done to it. */
  function damaged(damage: (dir: string) => void): string {
    const d = join(scratchDir('damaged'), 'p');
    cpSync(whole, d, { recursive: true });
    damage(d);
    return d;
  }

  const site = 'transformer.h.0.mlp.c_fc';
  const cases: [string, (d: string) => void, RegExp][] = [
    ['a missing responses file', (d) => rmSync(join(d, 'responses', `${site}.max.f32`)), /responses\/transformer\.h\.0\.mlp\.c_fc\.max\.f32: is missing; the profile is incomplete or was altered/],
    ['no responses/ folder', (d) => rmSync(join(d, 'responses'), { recursive: true }), /responses\/transformer\.h\.0\.mlp\.c_fc\.max\.f32: is missing/],
    ['order.json not JSON', (d) => writeFileSync(join(d, 'order.json'), '{"labels": [0, 1'), /order\.json: is not valid JSON \(.*\); the profile is damaged/],
    ['order.json of another shape', (d) => writeFileSync(join(d, 'order.json'), '{"labels": "01"}'), /order\.json: expected \{"labels": \[0 or 1, \.\.\.\], \.\.\.\}; the profile is damaged/],
    ['no order.json', (d) => rmSync(join(d, 'order.json')), /order\.json: is missing/],
  ];

  for (const [what, damage, want] of cases) {
    it(`${what}: fit's and evaluate's statistics, and Open Profile Folder, say so in one line`, async () => {
      const d = damaged(damage);
      assert.throws(() => profileStatistics(d, { resamples: 0, permutations: 0 }), userError(want));
      await assert.rejects(openProfileFolder(model, { dir: d, pooling: 'max' }, {}), userError(want));
    });
  }

  it("Open Profile Folder on another model's profile names both models", async () => {
    await assert.rejects(openProfileFolder(other, { dir: whole, pooling: 'max' }, {}), userError(/this profile belongs to another model: it was made on .* but the open model is/));
  });

  it('merge: a shard without order.json or with a missing responses file is named, and --out gets nothing', async () => {
    for (const [damage, want] of [
      [(d: string) => rmSync(join(d, 'order.json')), /order\.json: is missing/],
      [(d: string) => rmSync(join(d, 'responses', `${site}.mean.f32`)), /responses\/transformer\.h\.0\.mlp\.c_fc\.mean\.f32: is missing; the shard is incomplete/],
    ] as const) {
      const copies = shards.map((s) => {
        const d = join(scratchDir('damaged-shard-copy'), 's');
        cpSync(s, d, { recursive: true });
        return d;
      });
      damage(copies[1]!);
      const out = join(scratchDir('damaged-merge'), 'merged');
      await assert.rejects(mergeShards(copies, out), userError(want));
      assert.ok(!existsSync(out) || readdirSync(out).filter((n) => !n.startsWith('.')).length === 0, 'nothing written to --out');
    }
  });

  it('the CLI: fit on a profile without responses/ is exit 1 with one line', () => {
    const d = damaged((p) => rmSync(join(p, 'responses'), { recursive: true }));
    const r = runCli(['fit', d, '--method', 'aura', '--out', join(scratchDir('damaged-fit'), 'iv.json')]);
    assert.equal(r.status, 1, r.stderr);
    // The progress line first, then the error: one line, no stack.
    const errors = r.stderr.trim().split('\n').filter((l) => !l.startsWith('fit: '));
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0]!, /^aura-lens: .*responses\/transformer\.h\.0\.mlp\.c_fc\.max\.f32: is missing/);
  });
});
