// The weight cache never serves another file's weights (issue 19 item 2) and survives its own faults
// (item 11). A model.onnx replaced cp -p style (same size, old mtime, new inode and ctime) must give the
// new file's logits, as the same file opened without the cache gives them; a truncated or damaged entry
// is made again; a cache that cannot be written falls back to the source's inline weights.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, readdirSync, renameSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LanguageModel } from '../../src/engine/model';
import { HASHES_DIR } from '../../src/engine/onnx/content-hash';
import { decodeModel } from '../../src/engine/onnx/proto';
import { MODELS, golden, maxAbsDiff } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const g = golden('gpt2-tiny');

/** gpt2-tiny's model.onnx with the first floats of an MLP weight set to 1000: same size, other logits. */
function changedModelBytes(): Buffer {
  const bytes = readFileSync(join(MODELS, 'gpt2-tiny', 'model.onnx'));
  const model = decodeModel(bytes);
  const t = model.graph!.initializer.find((i) => /h\.0\.mlp\.c_fc\.weight$/.test(i.name))!;
  assert.ok(t && t.rawData.length >= 1024, 'the MLP weight is inline');
  const at = bytes.indexOf(Buffer.from(t.rawData.subarray(0, 64)));
  assert.ok(at > 0, 'the tensor bytes are found in the file');
  const out = Buffer.from(bytes);
  for (let k = 0; k < 256; k++) out.writeFloatLE(1000, at + 4 * k);
  return out;
}

async function lastLogits(dir: string, opts: { cacheDir?: string; externalizeAbove?: number }): Promise<{ logits: Float32Array | number[]; fingerprint: string; weightsDir: string }> {
  const m = await LanguageModel.open(dir, { threads: 1, ...opts });
  try {
    const r = await m.logits({ ids: g.batch.input_ids, mask: g.batch.attention_mask, logits: 'last' });
    return { logits: r.logits!, fingerprint: m.fingerprint, weightsDir: m.weightsDir };
  } finally {
    await m.dispose();
  }
}

function entries(cacheDir: string): string[] {
  return readdirSync(cacheDir).filter((n) => n !== HASHES_DIR && !n.startsWith('.'));
}

describe('weight cache identity', () => {
  it('a model.onnx replaced cp -p style (same size and mtime) gets its own weights, not the cached ones', async () => {
    const dir = join(scratchDir('wc-id'), 'gpt2-tiny');
    cpSync(join(MODELS, 'gpt2-tiny'), dir, { recursive: true });
    const file = join(dir, 'model.onnx');
    const old = new Date(Date.UTC(2025, 0, 1));
    utimesSync(file, old, old);
    const cacheDir = scratchDir('wc-id-cache');
    const a = await lastLogits(dir, { cacheDir, externalizeAbove: 0 });
    assert.ok(a.weightsDir.startsWith(cacheDir));
    assert.ok(maxAbsDiff(a.logits, g.logits_last.flat()) < 1e-4, 'the original through the cache is PyTorch\'s');

    // cp -p: the new bytes written elsewhere, the old times set, moved over the original.
    const changed = changedModelBytes();
    assert.equal(changed.length, statSync(file).size);
    const tmp = join(dir, 'incoming.onnx.part');
    writeFileSync(tmp, changed);
    utimesSync(tmp, old, old);
    renameSync(tmp, file);
    assert.equal(statSync(file).mtimeMs, old.getTime());

    const b = await lastLogits(dir, { cacheDir, externalizeAbove: 0 });
    const plain = await lastLogits(dir, {}); // small: inline, no cache involved
    assert.notEqual(b.fingerprint, a.fingerprint);
    assert.equal(b.fingerprint, plain.fingerprint);
    assert.ok(maxAbsDiff(plain.logits, g.logits_last.flat()) > 1e-2, 'the change is visible in the logits');
    assert.ok(maxAbsDiff(b.logits, plain.logits) < 1e-5, `cached logits are the new file's (differ by ${maxAbsDiff(b.logits, plain.logits)})`);
  });

  it('a truncated weights.bin, or a damaged meta or graph, is made again instead of failing or misreading', async () => {
    const dir = join(MODELS, 'gpt2-tiny');
    const cacheDir = scratchDir('wc-trunc');
    await lastLogits(dir, { cacheDir, externalizeAbove: 0 });
    const [entry] = entries(cacheDir);
    assert.ok(entry);
    const weights = join(cacheDir, entry, 'weights.bin');
    const damages: [string, () => void][] = [
      ['truncated weights.bin', () => truncateSync(weights, Math.floor(statSync(weights).size / 2))],
      ['empty weights.bin', () => truncateSync(weights, 0)],
      ['meta.json not JSON', () => writeFileSync(join(cacheDir, entry, 'meta.json'), '{"dig')],
      ['graph.onnx garbage', () => writeFileSync(join(cacheDir, entry, 'graph.onnx'), 'not a graph')],
    ];
    for (const [what, damage] of damages) {
      damage();
      const r = await lastLogits(dir, { cacheDir, externalizeAbove: 0 });
      assert.ok(r.weightsDir.startsWith(cacheDir), `${what}: served from a rebuilt entry`);
      const d = maxAbsDiff(r.logits, g.logits_last.flat());
      assert.ok(d < 1e-4, `${what}: logits differ from PyTorch's by ${d}`);
    }
    assert.deepEqual(entries(cacheDir), [entry]);
  });

  it('a disk that fills while the entry is written (EFBIG under ulimit -f) falls back to the inline weights', () => {
    // Files over 40 KiB cannot be written by the child: weights.bin (76 KB) fails half way, as on a full disk.
    const d = scratchDir('wc-full');
    const script = join(d, 'open.ts');
    writeFileSync(
      script,
      [
        `import { LanguageModel } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'engine', 'model.ts'))};`,
        `import { golden, maxAbsDiff } from ${JSON.stringify(join(__dirname, '..', 'helpers', 'fixtures.ts'))};`,
        `const g = golden('gpt2-tiny');`,
        `void (async () => {`,
        `const m = await LanguageModel.open(${JSON.stringify(join(MODELS, 'gpt2-tiny'))}, { threads: 1, cacheDir: ${JSON.stringify(join(d, 'cache'))}, externalizeAbove: 0 });`,
        `const r = await m.logits({ ids: g.batch.input_ids, mask: g.batch.attention_mask, logits: 'last' });`,
        `console.log(JSON.stringify({ diff: maxAbsDiff(r.logits, g.logits_last.flat()) }));`,
        `await m.dispose();`,
        `})();`,
      ].join('\n'),
    );
    const r = spawnSync('bash', ['-c', `trap '' XFSZ; ulimit -f 40; exec "${process.execPath}" --import tsx "${script}"`], { encoding: 'utf8', cwd: join(__dirname, '..', '..'), timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { diff: number };
    assert.ok(out.diff < 1e-4, `logits differ from PyTorch's by ${out.diff}`);
    assert.deepEqual(entries(join(d, 'cache')), [], 'no half-written entry is left');
  });

  it('a cache that cannot be written (its root under a file) falls back to the inline weights', async () => {
    const blocker = join(scratchDir('wc-blocked'), 'a-file');
    writeFileSync(blocker, 'x');
    const r = await lastLogits(join(MODELS, 'gpt2-tiny'), { cacheDir: join(blocker, 'cache'), externalizeAbove: 0 });
    assert.ok(maxAbsDiff(r.logits, g.logits_last.flat()) < 1e-4);
    // Under /proc, where Node's recursive mkdir never returns: the open must still finish.
    const p = await lastLogits(join(MODELS, 'gpt2-tiny'), { cacheDir: '/proc/aura-lens-cache/x', externalizeAbove: 0 });
    assert.ok(maxAbsDiff(p.logits, g.logits_last.flat()) < 1e-4);
  });
});
