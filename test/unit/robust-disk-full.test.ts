// Issue 19 item 10: a full disk during profile or merge was an internal ENOSPC with a stack. The error
// is injected through the response writer's file calls (the real disk is never filled) and must come
// back as one line naming the file; the resumed profile must equal a run that never failed, file for file.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import type { ConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { mergeShards } from '../../src/aura/profile/merge';
import { responseFs } from '../../src/aura/profile/store';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

/** Makes the n-th and every later response write (or fsync) fail as a full disk does. */
function fillDiskAfter(n: number, call: 'writeSync' | 'fsyncSync' = 'writeSync'): () => void {
  const real = responseFs[call];
  let calls = 0;
  responseFs[call] = ((...args: unknown[]) => {
    if (++calls >= n) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return (real as (...a: unknown[]) => number)(...args);
  }) as never;
  return () => {
    responseFs[call] = real as never;
  };
}

const files = (dir: string, rel = ''): string[] =>
  readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, join(rel, e.name)) : [join(rel, e.name)]));

const diskFull = (e: Error) => isUserError(e) && /responses\/.*\.f32: no space left on the device \(ENOSPC\)/.test(e.message) && !e.message.includes('\n');

describe('robust: a full disk during profile and merge (issue 19 item 10)', () => {
  let model: LanguageModel;
  let data: ConceptData;
  const d = scratchDir('disk-full');
  const o = { batchSize: 4, seqLen: 16 };
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    data = await loadConceptData({ kind: 'memory', examples: Array.from({ length: 24 }, (_, i) => ({ text: `the word ${i} and ${i * 5}`, label: (i % 3 === 0 ? 1 : 0) as 0 | 1 })) });
    await profileConcept(model, data, join(d, 'clean'), o);
  });
  after(async () => model?.dispose());

  for (const [call, n] of [['writeSync', 9], ['fsyncSync', 1]] as const) {
    it(`profile: ${call} failing with ENOSPC is one line naming the file; the same command then resumes exactly`, async () => {
      const dir = join(d, `full-${call}`);
      const restore = fillDiskAfter(n, call);
      try {
        await assert.rejects(profileConcept(model, data, dir, o), diskFull);
      } finally {
        restore();
      }
      await profileConcept(model, data, dir, o);
      for (const f of files(join(d, 'clean')).filter((f) => !/^(summary|stats)\.json$|lock/.test(f))) {
        assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(d, 'clean', f))), `${f} differs from the run that never failed`);
      }
    });
  }

  it('merge: ENOSPC is one line naming the file and what to do', async () => {
    await profileConcept(model, data, join(d, 's0'), { ...o, shard: { index: 0, count: 2 } });
    await profileConcept(model, data, join(d, 's1'), { ...o, shard: { index: 1, count: 2 } });
    const out = join(d, 'merged');
    const restore = fillDiskAfter(3);
    try {
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 's1')], out), (e: Error) => diskFull(e) && /remove .*merged and run the merge again/.test(e.message));
    } finally {
      restore();
    }
    rmSync(out, { recursive: true });
    await mergeShards([join(d, 's0'), join(d, 's1')], out);
    for (const f of files(join(d, 'clean')).filter((f) => f.startsWith('auroc'))) {
      assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(d, 'clean', f))), `${f} differs`);
    }
  });
});
