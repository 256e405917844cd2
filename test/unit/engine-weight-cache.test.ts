// One copy of the weights (issue 8 item 1): a large graph's inline weights move once, byte for byte, into a
// weight cache entry that onnxruntime reads by path; the model folder is never written to, the fingerprint
// is the file's, and the numbers are PyTorch's golden values. (Fixtures are small, so the threshold is 0 here.)
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, readdirSync, realpathSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LanguageModel } from '../../src/engine/model';
import { HASHES_DIR } from '../../src/engine/onnx/content-hash';
import { decodeModel, encodeModel } from '../../src/engine/onnx/proto';
import { writeCached, writeCachedStreaming } from '../../src/engine/onnx/weight-cache';
import { MODELS, golden, maxAbsDiff, toGains } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

function listing(d: string): string[] {
  return readdirSync(d, { recursive: true }).map(String).sort();
}

describe('weight cache for inline weights', () => {
  for (const name of ['gpt2-tiny', 'llama-tiny-merged', 'gpt2-tiny-fp16']) {
    it(`${name}: logits, pooled responses and the fingerprint match the inline model; the folder is untouched`, async () => {
      const dir = join(scratchDir('wc-model'), name);
      cpSync(join(MODELS, name), dir, { recursive: true });
      const before = listing(dir);
      const cacheDir = scratchDir('wc');
      const g = golden(name);
      const plain = await LanguageModel.open(dir, { threads: 1 });
      for (let open = 0; open < 2; open++) {
        // The first open writes the entry, the second reads only its graph.
        const model = await LanguageModel.open(dir, { threads: 1, cacheDir, externalizeAbove: 0 });
        assert.ok(model.weightsDir.startsWith(cacheDir), `weights in ${model.weightsDir}`);
        assert.equal(model.fingerprint, plain.fingerprint);
        const r = await model.logits({ ids: g.batch.input_ids, mask: g.batch.attention_mask, intervention: toGains(g, true), logits: 'last' });
        const limit = name.includes('fp16') ? 2e-2 : 1e-4;
        const dl = maxAbsDiff(r.logits!, g.logits_last_gain_bias.flat());
        assert.ok(dl < limit, `open ${open}: logits differ by ${dl}`);
        const site = g.sites[0]!.id;
        const p = await model.extract({ ids: g.batch.input_ids, mask: g.batch.attention_mask, pool: [site] });
        const dp = maxAbsDiff(p.pooled!.get(site)!.max, g.pooled[site]!.max.flat());
        assert.ok(dp < limit, `pooled differs by ${dp}`);
        await model.dispose();
      }
      await plain.dispose();
      assert.deepEqual(listing(dir), before);
      const entries = readdirSync(cacheDir).filter((n) => n !== HASHES_DIR);
      assert.equal(entries.length, 1);
      const files = readdirSync(join(cacheDir, entries[0]!)).sort();
      assert.deepEqual(files, ['graph.onnx', 'meta.json', 'weights.bin']);
      // The graph left in the entry holds no weights: every initializer of 1 KB or more is in weights.bin.
      const graph = decodeModel(readFileSync(join(cacheDir, entries[0]!, 'graph.onnx'))).graph!;
      const inlineBig = graph.initializer.filter((t) => t.rawData.length >= 1024).map((t) => t.name);
      assert.deepEqual(inlineBig, []);
      assert.ok(statSync(join(cacheDir, entries[0]!, 'weights.bin')).size > 0);
    });
  }

  // The first open streams the file (stream-strip.ts) instead of decoding it whole: the entry must be
  // what the decoding path (writeCached on the decoded model) makes, so both paths stay interchangeable.
  for (const name of ['gpt2-tiny/model.onnx', 'llama-tiny-merged/decoder_model_merged.onnx', 'gpt2-tiny-fp16/onnx/model_fp16.onnx', 'llama-tiny-q4/onnx/model_q4.onnx', 'llama-hybrid/onnx/model.onnx']) {
    it(`${name}: the streamed cache entry equals the decoded one (weights byte for byte, same graph and digest)`, () => {
      const file = realpathSync(join(MODELS, name));
      const bytes = readFileSync(file);
      const sha = createHash('sha256').update(bytes).digest('hex');
      const streamed = writeCachedStreaming(file, sha, { cacheDir: scratchDir('wc-s') });
      const decoded = writeCached(file, decodeModel(bytes), sha, { cacheDir: scratchDir('wc-d') });
      assert.ok(streamed && decoded);
      assert.equal(streamed.digest, decoded.digest);
      assert.ok(readFileSync(join(streamed.dir, 'weights.bin')).equals(readFileSync(join(decoded.dir, 'weights.bin'))), 'weights.bin differs');
      assert.ok(Buffer.from(encodeModel(streamed.model)).equals(Buffer.from(encodeModel(decoded.model))), 'graph differs');
      assert.ok(statSync(join(streamed.dir, 'weights.bin')).size > 0);
    });
  }

  it('files the streaming path does not take (not ONNX, truncated, external data) are left to the decoding path', () => {
    const d = scratchDir('wc-bad');
    const junk = join(d, 'junk.onnx');
    writeFileSync(junk, Buffer.from('this is not a protobuf at all, just some text'));
    const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    assert.equal(writeCachedStreaming(junk, sha(junk), { cacheDir: scratchDir('wc') }), undefined);
    const whole = readFileSync(join(MODELS, 'gpt2-tiny', 'model.onnx'));
    const cut = join(d, 'cut.onnx');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    assert.equal(writeCachedStreaming(cut, sha(cut), { cacheDir: scratchDir('wc') }), undefined);
    const external = realpathSync(join(MODELS, 'gpt2-tiny-external', 'model.onnx'));
    const cacheDir = scratchDir('wc');
    assert.equal(writeCachedStreaming(external, sha(external), { cacheDir }), undefined);
    assert.deepEqual(readdirSync(cacheDir), [], 'no entry or temporary folder is left behind');
  });

  it('a changed model file gets a new entry; old entries beyond the newest few are removed', async () => {
    const dir = join(scratchDir('wc-model'), 'gpt2-tiny');
    cpSync(join(MODELS, 'gpt2-tiny'), dir, { recursive: true });
    const cacheDir = scratchDir('wc');
    const original = readFileSync(join(dir, 'model.onnx'));
    for (let i = 0; i < 7; i++) {
      // Another version: a doc_string field (ModelProto field 6) appended; the last one read wins.
      writeFileSync(join(dir, 'model.onnx'), Buffer.concat([original, Buffer.from([0x32, 1, 0x61 + i])]));
      const m = await LanguageModel.open(dir, { threads: 1, cacheDir, externalizeAbove: 0 });
      await m.dispose();
    }
    assert.equal(readdirSync(cacheDir).filter((n) => n !== HASHES_DIR).length, 5);
  });

  it('a touched but unchanged file keeps its entry (the entry is named by content)', async () => {
    const dir = join(scratchDir('wc-model'), 'gpt2-tiny');
    cpSync(join(MODELS, 'gpt2-tiny'), dir, { recursive: true });
    const cacheDir = scratchDir('wc');
    for (let i = 0; i < 3; i++) {
      const t = new Date(Date.UTC(2026, 0, 1, 0, i));
      utimesSync(join(dir, 'model.onnx'), t, t);
      const m = await LanguageModel.open(dir, { threads: 1, cacheDir, externalizeAbove: 0 });
      await m.dispose();
    }
    assert.equal(readdirSync(cacheDir).filter((n) => n !== HASHES_DIR).length, 1);
  });
});
