// Several concepts on one model (issue 20, item 9): `compare` counts and Jaccard against Sets built
// here from the AUROCs, its CSV against the AUROCs written, and `fit --combine` gains against the
// product / minimum of 1 - s(1 - g) computed here per neuron (rounded once to float32, as the file
// stores gains); files of other models or sites, and transport maps, are refused with one line.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compareAurocs } from '../../src/aura/concepts';
import { readInterventionFile, writeInterventionFile } from '../../src/aura/intervention-file';
import { PROFILE_FORMAT, PROFILE_VERSION, aurocPath } from '../../src/aura/profile/store';
import { mulberry32 } from '../../src/aura/random';
import { compareCommand } from '../../src/cli/compare';
import { fitCommand } from '../../src/cli/fit';
import { isUserError } from '../../src/engine/errors';
import type { InterventionFile } from '../../src/aura/intervention-file';
import { scratchDir } from '../helpers/scratch';
import { runJsonInProcess } from '../helpers/cli';

const runJson = runJsonInProcess;

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isUserError(e), `a user error, got ${String(e)}`);
    const m = (e as Error).message;
    assert.ok(!m.includes('\n'), 'one line');
    return m;
  }
  assert.fail('expected a refusal');
}

const SITES = [
  { id: 'transformer.h.0.mlp.c_fc', neurons: 70 },
  { id: 'transformer.h.1.mlp.c_fc', neurons: 50 },
];

/** A profile folder holding only what compare reads: manifest and max-pooled AUROCs. */
function writeProfile(name: string, aurocs: number[][], fingerprint = 'sha256:model', sites = SITES): string {
  const dir = scratchDir(name);
  mkdirSync(join(dir, 'auroc'), { recursive: true });
  const manifest = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    model: { name: 'synthetic', fingerprint },
    data: { source: `${name}.jsonl`, positives: 10, negatives: 10, hash: 'sha256:0' },
    seqLen: 16,
    batchSize: 4,
    sites,
    examples: 20,
    batches: 5,
    pooling: 'max',
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  sites.forEach((s, i) => writeFileSync(aurocPath(dir, s.id, 'max'), new Uint8Array(Float64Array.from(aurocs[i]!).buffer)));
  return dir;
}

function randomAurocs(seed: number): number[][] {
  const rng = mulberry32(seed);
  // A coarse grid: ties at 0.5 and at the top-k cut are common.
  return SITES.map((s) => Array.from({ length: s.neurons }, () => Math.round(rng() * 20) / 20));
}

function handTopK(x: number[], k: number): Set<number> {
  return new Set(x.map((_, i) => i).sort((i, j) => x[j]! - x[i]! || i - j).slice(0, Math.min(k, x.length)));
}

function handOverlap(a: Set<number>, b: Set<number>) {
  const both = [...a].filter((i) => b.has(i)).length;
  const union = new Set([...a, ...b]).size;
  return { a: a.size, b: b.size, both, jaccard: union ? both / union : null };
}

describe('compare two profiles', () => {
  const A = randomAurocs(1);
  const B = randomAurocs(2);
  const flatA = A.flat();
  const flatB = B.flat();

  it('counts and Jaccard of the expert sets and the top k equal Sets built from the AUROCs', async () => {
    const dirA = writeProfile('concept-a', A);
    const dirB = writeProfile('concept-b', B);
    const csv = join(scratchDir('compare-csv'), 'scatter.csv');
    const r = await runJson(compareCommand, [dirA, dirB, '--k', '25', '--csv', csv]);
    const expertsA = new Set(flatA.flatMap((v, i) => (v > 0.5 ? [i] : [])));
    const expertsB = new Set(flatB.flatMap((v, i) => (v > 0.5 ? [i] : [])));
    assert.deepEqual(r.experts, handOverlap(expertsA, expertsB));
    assert.deepEqual(r.topK, { k: 25, ...handOverlap(handTopK(flatA, 25), handTopK(flatB, 25)) });
    assert.equal(r.neurons, 120);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(rows[0], 'site,neuron,auroc_a,auroc_b');
    assert.equal(rows.length, 121);
    assert.equal(rows[71], `${SITES[1]!.id},0,${A[1]![0]},${B[1]![0]}`);
    for (let g = 0; g < 120; g++) {
      const [, , a, b] = rows[g + 1]!.split(',');
      assert.equal(Number(a), flatA[g]);
      assert.equal(Number(b), flatB[g]);
    }
  });

  it('identical profiles overlap fully; k is capped at the neuron count', () => {
    const c = compareAurocs(Float64Array.from(flatA), Float64Array.from(flatA), 1000);
    assert.equal(c.topK.k, 120);
    assert.equal(c.topK.jaccard, 1);
    assert.equal(c.experts.jaccard, 1);
  });

  it('refuses profiles of another model or other sites, in one line naming the folder', async () => {
    const dirA = writeProfile('concept-a2', A);
    const other = writeProfile('other-model', B, 'sha256:other');
    assert.match(await refusal(runJson(compareCommand, [dirA, other])), /other-model.*different model/);
    const fewer = writeProfile('fewer-sites', [B[0]!], 'sha256:model', [SITES[0]!]);
    assert.match(await refusal(runJson(compareCommand, [dirA, fewer])), /fewer-sites.*other sites/);
  });
});

function intervention(method: string, strength: number, gains: number[][], fingerprint = 'sha256:model', extra: Partial<InterventionFile> = {}): InterventionFile {
  return {
    format: 'aura-lens.intervention',
    version: 1,
    model: { name: 'synthetic', fingerprint },
    method,
    params: { strength, pooling: 'max', k: null, alpha: null },
    data: { positives: 10, negatives: 12, source: `${method}.jsonl` },
    sites: Object.fromEntries(SITES.map((s, i) => [s.id, { neurons: s.neurons, gain: Float32Array.from(gains[i]!) }])),
    ...extra,
  };
}

function randomGains(seed: number): number[][] {
  const rng = mulberry32(seed);
  return SITES.map((s) => Array.from({ length: s.neurons }, () => (rng() < 0.6 ? 1 : Math.fround(rng()))));
}

describe('fit --combine', () => {
  const gA = randomGains(3);
  const gB = randomGains(4);

  for (const rule of ['product', 'min'] as const) {
    it(`gain = ${rule} of 1 - s(1 - g) per neuron, the rule stated in the file`, async () => {
      const dir = scratchDir(`combine-${rule}`);
      const a = join(dir, 'sad.json');
      const b = join(dir, 'toxic.json');
      await writeInterventionFile(a, intervention('aura', 1, gA));
      await writeInterventionFile(b, intervention('det0', 0.5, gB));
      const out = join(dir, 'both.json');
      const r = await runJson(fitCommand, ['--combine', `${a},${b}`, '--rule', rule, '--out', out]);
      const f = await readInterventionFile(out);
      assert.equal(f.method, `combined-${rule}`);
      assert.equal(f.params.strength, 1);
      assert.deepEqual(f.combined, { rule, inputs: [{ path: a, method: 'aura', strength: 1 }, { path: b, method: 'det0', strength: 0.5 }] });
      let changed = 0;
      SITES.forEach((s, si) => {
        const got = f.sites[s.id]!.gain;
        for (let i = 0; i < s.neurons; i++) {
          const ea = gA[si]![i]!;
          const eb = 1 - 0.5 * (1 - gB[si]![i]!);
          const want = Math.fround(rule === 'product' ? ea * eb : Math.min(ea, eb));
          assert.equal(got[i], want, `${s.id}[${i}]`);
          if (want !== 1) changed++;
        }
      });
      assert.equal(r.changed, changed);
      assert.equal(r.neurons, 120);
    });
  }

  it('refuses files of another model, other sites, transport maps, and --out over an input', async () => {
    const dir = scratchDir('combine-refuse');
    const a = join(dir, 'a.json');
    await writeInterventionFile(a, intervention('aura', 1, gA));
    const other = join(dir, 'other-model.json');
    await writeInterventionFile(other, intervention('aura', 1, gB, 'sha256:other'));
    assert.match(await refusal(runJson(fitCommand, ['--combine', `${a},${other}`, '--out', join(dir, 'c.json')])), /other-model\.json: is for model sha256:other/);
    const fewer = join(dir, 'fewer.json');
    const f = intervention('aura', 1, gB);
    delete f.sites[SITES[1]!.id];
    await writeInterventionFile(fewer, f);
    assert.match(await refusal(runJson(fitCommand, ['--combine', `${a},${fewer}`, '--out', join(dir, 'c.json')])), /fewer\.json: has other sites/);
    const affine = join(dir, 'linear.json');
    const t = intervention('linear-act', 1, gB);
    t.sites[SITES[0]!.id]!.bias = new Float32Array(SITES[0]!.neurons).fill(0.1);
    await writeInterventionFile(affine, t);
    assert.match(await refusal(runJson(fitCommand, ['--combine', `${a},${affine}`, '--out', join(dir, 'c.json')])), /linear\.json: method linear-act has a bias/);
    assert.match(await refusal(runJson(fitCommand, ['--combine', `${a},${other}`, '--out', a])), /--out .*is one of the --combine inputs/);
    assert.match(await refusal(runJson(fitCommand, ['--combine', a, '--out', join(dir, 'c.json')])), /at least two/);
    assert.match(await refusal(runJson(fitCommand, ['--combine', `${a},${other}`, '--rule', 'max', '--out', join(dir, 'c.json')])), /--rule: expected product or min/);
  });
});
