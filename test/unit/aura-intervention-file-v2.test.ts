// Issue 10 items 4 and 7, and version 2 (transport maps with lo/hi) of the intervention file.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AuraUserError } from '../../src/aura/errors';
import { gainTensors } from '../../src/aura/gains-safetensors';
import { effectiveGains, parseIntervention, readInterventionFile, writeInterventionFile } from '../../src/aura/intervention-file';
import type { InterventionFile } from '../../src/aura/intervention-file';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aura-ifile2-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const userError = (re: RegExp) => (e: Error) => e instanceof AuraUserError && re.test(e.message) && !e.message.includes('\n');
const SITE = 'transformer.h.0.mlp.c_fc';

describe('intervention file: minimal files and defaults (issue 10, item 7)', () => {
  it('reads a hand-written file with only format, version and sites', () => {
    const f = parseIntervention({ format: 'aura-lens.intervention', version: 1, sites: { [SITE]: { neurons: 2, gain: [0.5, 1] } } }, 'min.json');
    assert.equal(f.method, 'aura');
    assert.deepEqual(f.model, { name: 'unknown' });
    assert.deepEqual(f.params, { strength: 1, pooling: 'max', k: null, alpha: null });
    assert.deepEqual(f.data, { positives: 0, negatives: 0, source: 'unknown' });
    assert.deepEqual(Array.from(effectiveGains(f).get(SITE)!.gain), [0.5, 1]);
  });

  it('fills missing params fields one by one', () => {
    const f = parseIntervention({ format: 'aura-lens.intervention', version: 1, params: { strength: 0.5 }, sites: { [SITE]: { neurons: 1, gain: [0] } } });
    assert.deepEqual(f.params, { strength: 0.5, pooling: 'max', k: null, alpha: null });
  });
});

describe('intervention file: finite in float32 (issue 10, item 4)', () => {
  const base = () => ({ format: 'aura-lens.intervention', version: 2, sites: { [SITE]: { neurons: 3, gain: [1, 1, 1], bias: [0, 0, 0], lo: [-1, -1, -1], hi: [1, 1, 1] } } });
  for (const field of ['gain', 'bias', 'lo', 'hi'] as const) {
    it(`rejects a ${field} that overflows float32 (1e39), naming site and index`, () => {
      const f = base() as any;
      f.sites[SITE][field][2] = field === 'lo' ? -1e39 : 1e39;
      assert.throws(() => parseIntervention(f, 'x.json'), userError(new RegExp(`x\\.json: sites\\["transformer\\.h\\.0\\.mlp\\.c_fc"\\]\\.${field}\\[2\\] is -?1e\\+39; expected a number finite in float32`)));
    });
  }
  it('reports 1e309 in the text as Infinity, never as "is null"', async () => {
    const path = join(dir, 'inf.json');
    await writeFile(path, `{"format":"aura-lens.intervention","version":1,"sites":{"${SITE}":{"neurons":2,"gain":[1,1e309]}}}`);
    await assert.rejects(readInterventionFile(path), userError(/inf\.json: sites\["transformer\.h\.0\.mlp\.c_fc"\]\.gain\[1\] is Infinity; expected a number finite in float32/));
  });
  it('keeps the largest finite float32', () => {
    const f = parseIntervention({ format: 'aura-lens.intervention', version: 1, sites: { [SITE]: { neurons: 1, gain: [3.4028234663852886e38] } } });
    assert.equal(f.sites[SITE]!.gain[0], 3.4028234663852886e38);
  });
  it('refuses to write or export an intervention holding Inf, and leaves no file', async () => {
    const f = parseIntervention(base());
    f.sites[SITE]!.bias![1] = Infinity;
    const path = join(dir, 'never.json');
    await assert.rejects(writeInterventionFile(path, f), userError(/sites\["transformer\.h\.0\.mlp\.c_fc"\]\.bias\[1\] is Infinity/));
    assert.equal(existsSync(path), false);
    assert.throws(() => gainTensors(f), userError(/bias\[1\] is Infinity/));
  });
});

describe('intervention file: version 2 ranges', () => {
  const v2 = (): InterventionFile =>
    parseIntervention({
      format: 'aura-lens.intervention',
      version: 2,
      method: 'linear-act',
      params: { strength: 0.5, pooling: 'mean' },
      sites: { [SITE]: { neurons: 2, gain: [0.5, 1.25], bias: [0.1, -0.2], lo: [-1.5, 0], hi: [2, 0.25] } },
    });
  it('round-trips lo and hi through disk, as version 2', async () => {
    const path = join(dir, 'v2.json');
    await writeInterventionFile(path, v2());
    const text = await readFile(path, 'utf8');
    assert.match(text, /"version": 2/);
    assert.match(text, /"lo": \[-1\.5, 0\]/);
    const back = await readInterventionFile(path);
    assert.deepEqual(back, v2());
  });
  it('passes the range through effective gains, scaling gain and bias only', () => {
    const e = effectiveGains(v2()).get(SITE)!;
    assert.deepEqual(Array.from(e.gain), [0.75, 1.125]);
    assert.deepEqual(Array.from(e.bias!), [Math.fround(0.05), Math.fround(-0.1)]);
    assert.deepEqual(Array.from(e.lo!), [-1.5, 0]);
    assert.deepEqual(Array.from(e.hi!), [2, 0.25]);
  });
  const bad: [string, (f: any) => void, RegExp][] = [
    ['lo in a version 1 file', (f) => (f.version = 1), /sites\["transformer\.h\.0\.mlp\.c_fc"\]\.lo needs version 2/],
    ['lo without hi', (f) => delete f.sites[SITE].hi, /\.hi is missing; lo and hi come together/],
    ['lo above hi', (f) => (f.sites[SITE].lo[1] = 3), /\.lo\[1\] is 3, above hi\[1\] 1; expected lo <= hi/],
    ['hi length', (f) => (f.sites[SITE].hi = [1]), /\.hi has 1 values; expected 2/],
  ];
  for (const [name, mutate, re] of bad) {
    it(`rejects ${name}`, () => {
      const f: any = { format: 'aura-lens.intervention', version: 2, sites: { [SITE]: { neurons: 2, gain: [1, 1], lo: [0, 0], hi: [1, 1] } } };
      mutate(f);
      assert.throws(() => parseIntervention(f, 'x.json'), userError(re));
    });
  }
});
