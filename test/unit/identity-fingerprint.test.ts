// A model is its weights (issue 19 item 1): the fingerprint of a model with external data covers every
// byte of its data files, in both external layouts (one data file, one file per tensor). One weight
// byte changed -> another fingerprint, an intervention fitted on the original is refused, and profiling
// into the original's folder refuses to resume. The content hash is computed once per file version:
// a record keyed by device, inode, size, mtime and ctime (as git's index) answers later opens.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, cpSync, openSync, readFileSync, readSync, readdirSync, renameSync, statSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { parseIntervention, validateAgainstModel } from '../../src/aura/intervention-file';
import { profileConcept } from '../../src/aura/profile';
import { LanguageModel } from '../../src/engine/model';
import { contentHash } from '../../src/engine/onnx/content-hash';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

/** Adds 1 to the lowest mantissa byte of a float32 in the middle of `file`: a different, still finite weight. */
function nudgeOneWeight(file: string): void {
  const size = statSync(file).size;
  const at = Math.floor(size / 8) * 4;
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] = (b[0]! + 1) & 0xff;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

function copyModel(name: string): string {
  const dir = join(scratchDir('id-model'), name);
  cpSync(join(MODELS, name), dir, { recursive: true });
  return dir;
}

async function fingerprintOf(dir: string, cacheDir: string): Promise<string> {
  const m = await LanguageModel.open(dir, { threads: 1, cacheDir });
  const fp = m.fingerprint;
  await m.dispose();
  return fp;
}

function examples(n: number) {
  return Array.from({ length: n }, (_, i) => ({ text: `${i % 2 ? 'you are a damn fool' : 'the weather is fine'} number ${i}`, label: (i % 2) as 0 | 1 }));
}

describe('the fingerprint covers every weight byte', () => {
  for (const [name, dataFile] of [
    ['gpt2-tiny-external', 'model.onnx_data'],
    ['gpt2-tiny-pertensor', 'transformer.h.1.mlp.c_fc.weight'],
  ] as const) {
    it(`${name}: one changed byte of ${dataFile} -> another fingerprint (mtime and size kept)`, async () => {
      const dir = copyModel(name);
      const cacheDir = scratchDir('id-cache');
      const a = await fingerprintOf(dir, cacheDir);
      const file = join(dir, dataFile);
      const { atime, mtime } = statSync(file);
      const original = readFileSync(file);
      nudgeOneWeight(file);
      utimesSync(file, atime, mtime);
      const b = await fingerprintOf(dir, cacheDir);
      assert.notEqual(b, a, 'a changed weight must change the fingerprint');
      // Same bytes back: the original fingerprint again (it is a function of the content).
      writeFileSync(file, original);
      assert.equal(await fingerprintOf(dir, scratchDir('id-cache')), a);
    });
  }

  it('an intervention fitted on the original is refused on the changed model; a profile into its folder does not resume', async () => {
    const dir = copyModel('gpt2-tiny-external');
    const cacheDir = scratchDir('id-cache');
    const original = await LanguageModel.open(dir, { threads: 1, cacheDir });
    const site = original.sites[0]!;
    const iv = parseIntervention({ format: 'aura-lens.intervention', version: 1, model: { name: 'gpt2-tiny-external', fingerprint: original.fingerprint }, sites: { [site.id]: { neurons: site.neurons, gain: Array.from({ length: site.neurons }, () => 0.5) } } }, 'iv.json');
    validateAgainstModel(iv, original.sites, original.fingerprint, 'iv.json');
    const data = await loadConceptData({ kind: 'memory', examples: examples(8) });
    const profileDir = scratchDir('id-profile');
    await profileConcept(original, data, profileDir, { batchSize: 4, seqLen: 8 });
    await original.dispose();

    nudgeOneWeight(join(dir, 'model.onnx_data'));
    const changed = await LanguageModel.open(dir, { threads: 1, cacheDir });
    try {
      assert.notEqual(changed.fingerprint, original.fingerprint);
      assert.throws(() => validateAgainstModel(iv, changed.sites, changed.fingerprint, 'iv.json'), /iv\.json: model\.fingerprint sha256:[0-9a-f]+ does not match the model's sha256:[0-9a-f]+; refit for this model/);
      await assert.rejects(profileConcept(changed, data, profileDir, { batchSize: 4, seqLen: 8 }), /model fingerprint \(folder: sha256:[0-9a-f]+, now: sha256:[0-9a-f]+\)/);
    } finally {
      await changed.dispose();
    }
  });
});

describe('the content hash record', () => {
  it('is sha256 of the bytes, read once per file version; a cp -p replacement or an in-place edit is read again', async () => {
    const d = scratchDir('id-hash');
    const cacheDir = scratchDir('id-cache');
    const file = join(d, 'w.bin');
    copyFileSync(join(MODELS, 'gpt2-tiny-external', 'model.onnx_data'), file);
    const want = createHash('sha256').update(readFileSync(file)).digest('hex');
    // Times well in the past: a record of a file changed just before it was hashed is not trusted (racy).
    const old = new Date(Date.UTC(2025, 0, 1));
    utimesSync(file, old, old);
    await new Promise((r) => setTimeout(r, 120));
    const first = contentHash(file, cacheDir);
    assert.deepEqual(first, { sha256: want, fromCache: false });
    assert.deepEqual(contentHash(file, cacheDir), { sha256: want, fromCache: true });
    assert.equal(readdirSync(join(cacheDir, 'hashes')).length, 1);

    // cp -p: another file of the same size and mtime moved into place (new inode and ctime).
    const other = join(d, 'other.bin');
    copyFileSync(file, other);
    nudgeOneWeight(other);
    utimesSync(other, old, old);
    renameSync(other, file);
    await new Promise((r) => setTimeout(r, 120));
    const replaced = contentHash(file, cacheDir);
    assert.equal(replaced.fromCache, false);
    assert.equal(replaced.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
    assert.notEqual(replaced.sha256, want);

    // In place, mtime restored: same inode and mtime, only the ctime tells.
    nudgeOneWeight(file);
    utimesSync(file, old, old);
    await new Promise((r) => setTimeout(r, 120));
    const edited = contentHash(file, cacheDir);
    assert.equal(edited.fromCache, false);
    assert.equal(edited.sha256, createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('a file changed just before it was hashed is hashed again next time (racily clean)', () => {
    const d = scratchDir('id-racy');
    const cacheDir = scratchDir('id-cache');
    const file = join(d, 'w.bin');
    copyFileSync(join(MODELS, 'gpt2-tiny-external', 'model.onnx_data'), file);
    assert.equal(contentHash(file, cacheDir).fromCache, false);
    assert.equal(contentHash(file, cacheDir).fromCache, false);
  });

  it('an unwritable cache only costs the record', () => {
    const file = join(MODELS, 'gpt2-tiny-external', 'model.onnx_data');
    const want = createHash('sha256').update(readFileSync(file)).digest('hex');
    // A cache root under a file: no folder can be made there.
    assert.deepEqual(contentHash(file, join(file, 'cache')), { sha256: want, fromCache: false });
    // Under /proc, where Node's recursive mkdir never returns.
    assert.deepEqual(contentHash(file, '/proc/aura-lens-no-cache-here/x'), { sha256: want, fromCache: false });
  });
});
