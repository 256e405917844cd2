// Sketch mode (issue 12 item 2): the histogram AUROC stays within its printed bound of the exact AUROC on
// generated data (continuous, tied, heavy-tailed past the calibrated range, constant, NaN-free), the
// bound is attained (so it is as tight as the counts allow), and shards' sketches add up exactly.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConceptData } from '../../src/aura/datasets';
import { profileConcept } from '../../src/aura/profile';
import { mergeShards } from '../../src/aura/profile/merge';
import { readAurocs } from '../../src/aura/profile/score';
import { NeuronSketch, calibrate } from '../../src/aura/profile/sketch';
import { boundPath } from '../../src/aura/profile/sketch-profile';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

/** A seeded generator independent of the product's (xorshift32), and a normal draw from it. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 2 ** 32;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}

/** Exact AUROC by counting every pair (ties 1/2): the Mann–Whitney definition, written independently. */
function exactAuroc(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

type Kind = 'normal' | 'ties' | 'heavy' | 'constant' | 'separated';

function draw(kind: Kind, r: ReturnType<typeof rng>, shift: number): number {
  switch (kind) {
    case 'normal':
      return r.normal() + shift;
    case 'ties':
      return Math.round(r.normal() * 2 + shift); // few distinct values: many exact ties
    case 'heavy':
      return (r.normal() / Math.max(1e-3, Math.abs(r.normal()))) + shift; // Cauchy-like: far past any calibration
    case 'constant':
      return 0.25;
    case 'separated':
      return r.normal() * 0.01 + shift * 10;
  }
}

describe('sketch mode', () => {
  it('histogram AUROC is within its bound of the exact AUROC, for every neuron, bin count and distribution', () => {
    const kinds: Kind[] = ['normal', 'ties', 'heavy', 'constant', 'separated'];
    let checked = 0;
    let worstRatio = 0;
    for (const bins of [1, 4, 16, 64, 256]) {
      for (let trial = 0; trial < 6; trial++) {
        const r = rng(1000 * bins + trial);
        const neurons = kinds.length * 4;
        const P = 40 + trial * 17;
        const N = 60 + trial * 11;
        const shiftOf = (j: number) => ((j % 4) - 1.5) * 0.4;
        const pos = Array.from({ length: P }, () => Array.from({ length: neurons }, (_, j) => draw(kinds[j % kinds.length]!, r, shiftOf(j))));
        const neg = Array.from({ length: N }, () => Array.from({ length: neurons }, (_, j) => draw(kinds[j % kinds.length]!, r, 0)));
        // Calibrate on a small first batch only: later values fall outside and land in the overflow bins.
        const calib = Float32Array.from([...pos.slice(0, 4), ...neg.slice(0, 4)].flat());
        const sketch = new NeuronSketch(neurons, bins, calibrate(calib, neurons, bins));
        sketch.add(Float32Array.from([...pos, ...neg].flat()), [...pos.map(() => 1), ...neg.map(() => 0)]);
        const { auroc, bound } = sketch.auroc();
        for (let j = 0; j < neurons; j++) {
          // The sketch saw float32 values: compare with the exact AUROC of those same values.
          const f = (v: number) => Math.fround(v);
          const exact = exactAuroc(pos.map((row) => f(row[j]!)), neg.map((row) => f(row[j]!)));
          const err = Math.abs(auroc[j]! - exact);
          assert.ok(err <= bound[j]! + 1e-12, `bins ${bins} trial ${trial} neuron ${j} (${kinds[j % kinds.length]}): |${auroc[j]} - ${exact}| = ${err} > bound ${bound[j]}`);
          assert.ok(bound[j]! >= 0 && bound[j]! <= 0.5);
          if (bound[j]! > 0) worstRatio = Math.max(worstRatio, err / bound[j]!);
          checked++;
        }
      }
    }
    assert.equal(checked, 5 * 6 * 20);
    assert.ok(worstRatio > 0, 'the sketch is not trivially exact');
  });

  it('with many bins on continuous data the bound is small', () => {
    const r = rng(7);
    const pos = Array.from({ length: 2000 }, () => r.normal() + 0.5);
    const neg = Array.from({ length: 2000 }, () => r.normal());
    const calib = Float32Array.from([...pos.slice(0, 100), ...neg.slice(0, 100)]);
    const s = new NeuronSketch(1, 1024, calibrate(calib, 1, 1024));
    s.add(Float32Array.from([...pos, ...neg]), [...pos.map(() => 1), ...neg.map(() => 0)]);
    const { auroc, bound } = s.auroc();
    assert.ok(bound[0]! < 0.002, `bound ${bound[0]}`);
    assert.ok(Math.abs(auroc[0]! - exactAuroc(pos.map(Math.fround), neg.map(Math.fround))) <= bound[0]!);
  });

  it('the bound is attained when every same-bin pair is ordered one way, so it cannot be tightened', () => {
    // One bin [0, 1): positives at 0.9, negatives at 0.1. Exact AUROC 1, sketch 1/2, bound 1/2.
    const s = new NeuronSketch(1, 1, { lo: Float64Array.of(0), width: Float64Array.of(1) });
    s.add(Float32Array.of(0.9, 0.9, 0.1, 0.1, 0.1), [1, 1, 0, 0, 0]);
    const { auroc, bound } = s.auroc();
    assert.equal(auroc[0], 0.5);
    assert.equal(bound[0], 0.5);
    assert.equal(Math.abs(auroc[0]! - exactAuroc([0.9, 0.9], [0.1, 0.1, 0.1])), bound[0]);
  });

  it('shards merge by addition: the sum of shard sketches equals the sketch of all the data', () => {
    const r = rng(99);
    const neurons = 7;
    const rows = Array.from({ length: 300 }, () => Array.from({ length: neurons }, (_, j) => r.normal() * (j + 1)));
    const labels = rows.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const range = calibrate(Float32Array.from(rows.slice(0, 20).flat()), neurons, 32);
    const whole = new NeuronSketch(neurons, 32, range);
    whole.add(Float32Array.from(rows.flat()), labels);
    const merged = new NeuronSketch(neurons, 32, range);
    for (let k = 0; k < 4; k++) {
      const part = new NeuronSketch(neurons, 32, range);
      const idx = rows.map((_, i) => i).filter((i) => i % 4 === k);
      part.add(Float32Array.from(idx.flatMap((i) => rows[i]!)), idx.map((i) => labels[i]!));
      merged.merge(part);
    }
    assert.deepEqual(Array.from(merged.counts), Array.from(whole.counts));
    assert.deepEqual(Array.from(merged.auroc().auroc), Array.from(whole.auroc().auroc));
    const other = new NeuronSketch(neurons, 32, calibrate(Float32Array.from(rows.slice(20, 40).flat()), neurons, 32));
    assert.throws(() => merged.merge(other), /shards must share one calibration/);
  });

  it('calibration snaps to a grid: values that differ in their last bits (other hardware) give the same bins', () => {
    const a = Float32Array.of(0.1234567, -3.75, 2.5, 0.75);
    const b = a.map((v) => v * (1 + 2 ** -22));
    const ra = calibrate(a, 2, 64);
    const rb = calibrate(b, 2, 64);
    assert.deepEqual(Array.from(rb.lo), Array.from(ra.lo));
    assert.deepEqual(Array.from(rb.width), Array.from(ra.width));
    // The range still covers the calibration values.
    for (let j = 0; j < 2; j++) for (const v of [a[j]!, a[j + 2]!]) assert.ok(v >= ra.lo[j]! && v < ra.lo[j]! + 64 * ra.width[j]!);
  });
});

describe('sketch mode profiles', () => {
  it('on a model: every sketch AUROC is within its bound of the exact profile; shards merge byte for byte; resume', async () => {
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      const words = ['fool', 'idiot', 'damn', 'weather', 'garden', 'music', 'river', 'bread'];
      const examples = Array.from({ length: 96 }, (_, i) => ({ text: `${words[i % 8]} ${words[(i * 5) % 8]} ${'and so on '.repeat(i % 5)}${i}`, label: (i % 8 < 3 ? 1 : 0) as 0 | 1 }));
      const data = await loadConceptData({ kind: 'memory', examples });
      const d = scratchDir('sketch-model');
      const o = { batchSize: 8, seqLen: 24 };
      await profileConcept(model, data, join(d, 'exact'), o);
      const r = await profileConcept(model, data, join(d, 'sketch'), { ...o, sketch: { bins: 16, calibration: 3 } });
      const exact = readAurocs(join(d, 'exact'));
      const sketch = readAurocs(join(d, 'sketch'));
      let widest = 0;
      exact.sites.forEach((site, i) => {
        const bound = new Float64Array(Uint8Array.from(readFileSync(boundPath(join(d, 'sketch'), site.siteId, 'max'))).buffer);
        site.auroc.forEach((a, j) => {
          const got = sketch.sites[i]!.auroc[j]!;
          assert.ok(Math.abs(got - a) <= bound[j]! + 1e-12, `${site.siteId}[${j}]: |${got} - ${a}| > ${bound[j]}`);
          widest = Math.max(widest, bound[j]!);
        });
      });
      assert.ok(widest > 0 && widest < 0.5);
      assert.equal(r.summaries.length, model.sites.length);
      // Shards: one interrupted and resumed, then merged: the same files as the single sketch run.
      await profileConcept(model, data, join(d, 's0'), { ...o, sketch: { bins: 16, calibration: 3 }, shard: { index: 0, count: 2 } });
      const stop = new AbortController();
      await assert.rejects(
        profileConcept(model, data, join(d, 's1'), { ...o, sketch: { bins: 16, calibration: 3 }, shard: { index: 1, count: 2 }, signal: stop.signal, onProgress: (e) => e.batch === 2 && stop.abort() }),
        (e: Error) => e.name === 'AbortError',
      );
      const again = await profileConcept(model, data, join(d, 's1'), { ...o, sketch: { bins: 16, calibration: 3 }, shard: { index: 1, count: 2 } });
      assert.equal(again.reusedBatches, 2);
      await mergeShards([join(d, 's0'), join(d, 's1')], join(d, 'merged'));
      const files = (dir: string, rel = ''): string[] =>
        readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(dir, join(rel, e.name)) : [join(rel, e.name)]));
      assert.deepEqual(files(join(d, 'merged')).sort(), files(join(d, 'sketch')).sort());
      for (const f of files(join(d, 'sketch'))) assert.ok(readFileSync(join(d, 'merged', f)).equals(readFileSync(join(d, 'sketch', f))), `${f} differs`);
      // An exact shard and a sketch shard do not mix.
      await profileConcept(model, data, join(d, 'e1'), { ...o, shard: { index: 1, count: 2 } });
      await assert.rejects(mergeShards([join(d, 's0'), join(d, 'e1')], join(d, 'mixed')), /--sketch \(folder: 16, now: none \(exact\)\)/);
    } finally {
      await model.dispose();
    }
  });
});
