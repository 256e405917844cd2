import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuraUserError } from '../../src/aura/errors';
import {
  effectiveGains,
  float32Text,
  interventionFromFit,
  parseIntervention,
  readInterventionFile,
  validateAgainstModel,
  writeInterventionFile,
} from '../../src/aura/intervention-file';
import type { InterventionFile } from '../../src/aura/intervention-file';
import { fitIntervention } from '../../src/aura/methods';
import { mulberry32 } from '../../src/aura/random';
import { golden } from '../fixtures/aura/golden';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aura-ifile-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sites = golden.methods.sites.map((s) => ({ siteId: s.siteId, auroc: Float64Array.from(s.auroc) }));

function fitted(): InterventionFile {
  const fit = fitIntervention('aura', sites, { strength: 0.8 });
  return interventionFromFit(fit, {
    model: { name: 'gpt2', fingerprint: 'sha256:abc' },
    pooling: 'max',
    data: { positives: 37, negatives: 53, source: 'jigsaw/train.csv' },
    aurocs: new Map(sites.map((s) => [s.siteId, s.auroc])),
  });
}

/** The contract's example, made consistent (2 neurons for its 2 values). */
function contractExample(): Record<string, unknown> {
  return {
    format: 'aura-lens.intervention',
    version: 1,
    model: { name: 'gpt2', fingerprint: 'sha256:...' },
    method: 'aura',
    params: { strength: 1.0, pooling: 'max', k: null, alpha: null },
    data: { positives: 500, negatives: 2000, source: 'jigsaw/train.csv' },
    sites: { 'transformer.h.0.mlp.c_fc': { neurons: 2, auroc: [0.51, 0.49], gain: [0.98, 1.0] } },
  };
}

const userError = (re: RegExp) => (e: Error) => e instanceof AuraUserError && re.test(e.message) && !e.message.includes('\n');

describe('intervention file', () => {
  it('round-trips through disk exactly, in the contract layout', async () => {
    const file = fitted();
    const path = join(dir, 'aura.json');
    const bytes = await writeInterventionFile(path, file);
    const text = await readFile(path, 'utf8');
    assert.equal(bytes, Buffer.byteLength(text));
    const raw = JSON.parse(text);
    assert.deepEqual(Object.keys(raw), ['format', 'version', 'model', 'method', 'params', 'data', 'sites']);
    assert.deepEqual(raw.params, { strength: 0.8, pooling: 'max', k: null, alpha: null });
    assert.deepEqual(Object.keys(raw.sites), sites.map((s) => s.siteId));
    assert.deepEqual(Object.keys(raw.sites[sites[0].siteId]), ['neurons', 'auroc', 'gain']);
    const back = await readInterventionFile(path);
    assert.deepEqual(back, file);
  });

  it('writes float32 gains as their shortest decimal', () => {
    assert.equal(float32Text(Math.fround(0.98)), '0.98');
    assert.equal(float32Text(1), '1');
    assert.equal(float32Text(0), '0');
    assert.equal(float32Text(Math.fround(-1.5e-7)), '-1.5e-7');
    const rng = mulberry32(3);
    for (let i = 0; i < 2000; i++) {
      const x = Math.fround((rng() - 0.5) * 10 ** Math.floor(rng() * 12 - 6));
      const s = float32Text(x);
      assert.equal(Math.fround(Number(s)), x);
      assert.ok(s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length <= 9, s);
    }
    for (let e = -140; e < 128; e++) {
      for (const x of [Math.fround(2 ** e), Math.fround(2 ** e * (1 - 2 ** -24)), Math.fround(2 ** e * (1 + 2 ** -23))]) {
        if (x > 0 && Number.isFinite(x)) assert.equal(Math.fround(Number(float32Text(x))), x, `${x}`);
      }
    }
    assert.throws(() => float32Text(NaN), /finite/);
  });

  it('reads the example of contracts.md', () => {
    const file = parseIntervention(contractExample(), 'x.json');
    assert.deepEqual(Array.from(file.sites['transformer.h.0.mlp.c_fc'].gain), [Math.fround(0.98), 1]);
  });

  const bad: [string, (f: Record<string, any>) => unknown, RegExp][] = [
    ['not an object', () => [1], /x\.json: the file is \[1\]; expected a JSON object/],
    ['format', (f) => ((f.format = 'other'), f), /x\.json: format is "other"; expected "aura-lens\.intervention"/],
    ['newer version', (f) => ((f.version = 3), f), /x\.json: version 3 is newer than this aura-lens reads \(2\)/],
    ['version type', (f) => ((f.version = '1'), f), /x\.json: version is "1"; expected 1 or 2/],
    ['model not an object', (f) => ((f.model = [1]), f), /x\.json: model is \[1\]; expected a JSON object/],
    ['model.name', (f) => ((f.model.name = 3), f), /x\.json: model\.name is 3; expected a string/],
    ['fingerprint', (f) => ((f.model.fingerprint = null), f), /model\.fingerprint is null; expected a string/],
    ['method', (f) => ((f.method = 7), f), /x\.json: method is 7; expected a string/],
    ['strength', (f) => ((f.params.strength = 2), f), /x\.json: params\.strength is 2; expected a number in \[0, 1\]/],
    ['pooling', (f) => ((f.params.pooling = 'sum'), f), /params\.pooling is "sum"; expected "max" or "mean"/],
    ['k', (f) => ((f.params.k = 0), f), /params\.k is 0; expected null or a positive integer/],
    ['alpha', (f) => ((f.params.alpha = 'x'), f), /params\.alpha is "x"; expected null or a number/],
    ['data.positives', (f) => ((f.data.positives = -1), f), /data\.positives is -1; expected a count/],
    ['data.source', (f) => ((f.data.source = null), f), /data\.source is null; expected a string/],
    ['sites empty', (f) => ((f.sites = {}), f), /x\.json: sites is empty/],
    ['site not object', (f) => ((f.sites['a.b'] = 5), f), /sites\["a\.b"\] is 5; expected a JSON object/],
    ['neurons', (f) => ((f.sites['transformer.h.0.mlp.c_fc'].neurons = 0), f), /sites\["transformer\.h\.0\.mlp\.c_fc"\]\.neurons is 0; expected a positive integer/],
    ['gain length', (f) => ((f.sites['transformer.h.0.mlp.c_fc'].neurons = 3), f), /\.gain has 2 values; expected 3 \(the site's neurons\)/],
    ['gain null', (f) => ((f.sites['transformer.h.0.mlp.c_fc'].gain = [1, null]), f), /\.gain\[1\] is null; expected a number/],
    ['gain missing', (f) => (delete f.sites['transformer.h.0.mlp.c_fc'].gain, f), /\.gain is missing/],
    ['auroc range', (f) => ((f.sites['transformer.h.0.mlp.c_fc'].auroc = [1.5, 0.5]), f), /\.auroc\[0\] is 1\.5; expected a number in \[0, 1\]/],
    ['bias length', (f) => ((f.sites['transformer.h.0.mlp.c_fc'].bias = [0]), f), /\.bias has 1 values; expected 2/],
    ['proto site', (f) => (f.sites = JSON.parse('{"__proto__": {"neurons": 1, "gain": [1]}}'), f), /sites has a site named "__proto__"/],
  ];
  for (const [name, mutate, re] of bad) {
    it(`rejects a bad ${name} with one line naming the file and field`, () => {
      assert.throws(() => parseIntervention(mutate(contractExample()), 'x.json'), userError(re));
    });
  }

  it('names the file when it is missing or not JSON', async () => {
    await assert.rejects(readInterventionFile(join(dir, 'none.json')), userError(/none\.json: no such file/));
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"format": ');
    await assert.rejects(readInterventionFile(path), userError(/broken\.json: not valid JSON/));
  });

  it('validates against the model: missing sites, neuron counts, fingerprint', () => {
    const file = fitted();
    const model = [
      { id: 'transformer.h.0.mlp.c_fc', neurons: 10 },
      { id: 'transformer.h.0.mlp.c_proj', neurons: 14 },
      { id: 'transformer.h.1.mlp.c_fc', neurons: 40 },
      { id: 'transformer.h.1.mlp.c_proj', neurons: 8 },
    ];
    validateAgainstModel(file, model, 'sha256:abc');
    validateAgainstModel(file, model); // no fingerprint to compare
    assert.throws(() => validateAgainstModel(file, model, 'sha256:def', 'f.json'), userError(/f\.json: model\.fingerprint sha256:abc does not match the model's sha256:def/));
    const other = [model[0], { id: 'transformer.h.1.mlp.c_fc', neurons: 41 }];
    assert.throws(
      () => validateAgainstModel(file, other, undefined, 'f.json'),
      userError(/f\.json: the model has no site transformer\.h\.0\.mlp\.c_proj; transformer\.h\.1\.mlp\.c_fc has 41 neurons in the model but 40 in the file/),
    );
    const noPrint = parseIntervention({ ...contractExample(), model: { name: 'gpt2' } });
    validateAgainstModel(noPrint, [{ id: 'transformer.h.0.mlp.c_fc', neurons: 2 }], 'sha256:any');
  });

  it('gives effective gains at the saved or a chosen strength, with bias scaled likewise', () => {
    const raw = contractExample();
    (raw.params as { strength: number }).strength = 0.5;
    (raw.sites as Record<string, Record<string, unknown>>)['transformer.h.0.mlp.c_fc'].bias = [0.2, -1];
    const file = parseIntervention(raw);
    const half = effectiveGains(file).get('transformer.h.0.mlp.c_fc');
    assert.deepEqual(Array.from(half?.gain ?? []), [Math.fround(1 - 0.5 * (1 - Math.fround(0.98))), 1]);
    assert.deepEqual(Array.from(half?.bias ?? []), [Math.fround(0.5 * Math.fround(0.2)), -0.5]);
    const full = effectiveGains(file, 1).get('transformer.h.0.mlp.c_fc');
    assert.deepEqual(Array.from(full?.gain ?? []), [Math.fround(0.98), 1]);
    const none = effectiveGains(file, 0).get('transformer.h.0.mlp.c_fc');
    assert.deepEqual(Array.from(none?.gain ?? []), [1, 1]);
    assert.deepEqual(Array.from(none?.bias ?? []), [0, -0]);
    assert.throws(() => effectiveGains(file, -0.1), userError(/--strength: -0\.1/));
  });
});
