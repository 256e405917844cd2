// bulk-wire: a model-process answer's big typed arrays go through a temporary file and come back in
// place, equal, each in its own buffer (shared where asked); small arrays stay in the message; a
// truncated file is an error naming it, and the file is always removed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BULK_MIN_BYTES, readBulk, writeBulk } from '../../src/host/model-host/bulk-wire';

const dir = mkdtempSync(join(tmpdir(), 'aura-bulk-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const big = (n: number, k: number) => Float64Array.from({ length: n }, (_, i) => i * k + 0.5);

test('arrays of every kind round-trip through the file, in maps, arrays and objects; small ones stay inline', async () => {
  const n = BULK_MIN_BYTES;
  const value = {
    name: 'x',
    aurocs: [{ siteId: 'a', auroc: big(n, 1) }, { siteId: 'b', auroc: big(n + 3, 2) }],
    experts: { site: Int32Array.from({ length: n }, (_, i) => -i), neuron: Uint32Array.from({ length: n }, (_, i) => i * 7), changed: new Uint8Array(n * 2 + 1).fill(3) },
    gains: new Map([['s', Float32Array.from({ length: n }, (_, i) => i / 3)]]),
    small: new Float32Array([1, 2, 3]),
  };
  const w = await writeBulk(value, dir);
  assert.ok(w.bulk, 'a bulk file was written');
  assert.equal(w.bulk.arrays.length, 6, 'six big arrays');
  assert.ok(w.bulk.arrays.every((a) => a.offset % 8 === 0), 'each array starts at a multiple of 8 bytes');
  assert.ok((w.value as typeof value).small instanceof Float32Array, 'the small array stayed in the message');
  const back = (await readBulk(structuredClone(w.value), w.bulk, (path) => path[0] === 'aurocs')) as typeof value;
  assert.deepEqual(back, value);
  assert.ok(back.aurocs[0]!.auroc.buffer instanceof SharedArrayBuffer, 'shared where asked');
  assert.ok(back.experts.site.buffer instanceof ArrayBuffer && back.experts.site.buffer !== back.experts.neuron.buffer, 'its own buffer elsewhere');
  assert.equal(existsSync(w.bulk.file), false, 'the file is removed');
});

test('nothing big: no file', async () => {
  const w = await writeBulk({ a: new Float64Array(4), b: 'text' }, dir);
  assert.equal(w.bulk, undefined);
});

test('a truncated file is named in the error and removed', async () => {
  const w = await writeBulk({ a: big(BULK_MIN_BYTES, 1) }, dir);
  truncateSync(w.bulk!.file, 100);
  await assert.rejects(readBulk(w.value, w.bulk!), (e: Error) => e.message.includes(w.bulk!.file) && /truncated/.test(e.message));
  assert.equal(existsSync(w.bulk!.file), false);
});
