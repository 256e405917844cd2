// Range-limited maps (Linear-AcT / Mean-AcT, intervention file version 2): the engine's rewrite and
// the folded ONNX export against PyTorch forward hooks on the gpt2-tiny fixture
// (test/fixtures/aura/make_stats_golden.py: y = where(lo < x < hi, x + s*((g*x + b) - x), x)).
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportFoldedOnnx } from '../../src/aura/export/onnx-export';
import { gainTensors } from '../../src/aura/gains-safetensors';
import { effectiveGains, parseIntervention } from '../../src/aura/intervention-file';
import { LanguageModel } from '../../src/engine/model';
import { MODELS, golden, maxAbsDiff } from '../helpers/fixtures';
import type { Intervention } from '../../src/engine/model';
import { scratchDir } from '../helpers/scratch';

const ref = JSON.parse(readFileSync(join(__dirname, '../fixtures/aura/stats-golden.json'), 'utf8')).range;
const g = golden('gpt2-tiny');

/** The reference maps as a version 2 file, at the reference strength. */
function rangedIntervention(): Intervention {
  const sites: Record<string, unknown> = {};
  for (const [id, m] of Object.entries(ref.sites as Record<string, Record<string, number[]>>)) {
    sites[id] = { neurons: m.gain!.length, gain: m.gain, bias: m.bias, lo: m.lo, hi: m.hi };
  }
  const file = parseIntervention({ format: 'aura-lens.intervention', version: 2, method: 'linear-act', params: { strength: ref.strength }, sites });
  return effectiveGains(file);
}

describe('range-limited maps match PyTorch', () => {
  let model: LanguageModel;
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
  });
  after(async () => model?.dispose());
  const args = () => ({ ids: g.batch.input_ids, mask: g.batch.attention_mask, logits: 'last' as const });

  it('applies the map only strictly inside (lo, hi), like the forward hook', async () => {
    const r = await model.logits({ ...args(), intervention: rangedIntervention() });
    const d = maxAbsDiff(r.logits!, (ref.logits_last as number[][]).flat());
    assert.ok(d <= 1e-4, `ranged logits differ from PyTorch by ${d}`);
    // Without the range the same gains and biases give other logits: the range is really applied.
    const unranged: Intervention = new Map([...rangedIntervention()].map(([id, f]) => [id, { gain: f.gain, bias: f.bias! }]));
    const u = await model.logits({ ...args(), intervention: unranged });
    assert.ok(maxAbsDiff(u.logits!, (ref.logits_last as number[][]).flat()) > 1e-3);
    // And the neutral feeds still give the original logits on the same session.
    const plain = await model.logits(args());
    assert.ok(maxAbsDiff(plain.logits!, g.logits_last.flat()) <= 1e-4);
  });

  it('folds into an ONNX model with constant Where nodes that gives the same logits', async () => {
    const copy = join(scratchDir('fold-range'), 'gpt2-tiny');
    cpSync(model.files.dir, copy, { recursive: true });
    const target = join(copy, relative(model.files.dir, model.files.main));
    const r = await exportFoldedOnnx(model, rangedIntervention(), target);
    assert.deepEqual(r.intoWeights, []);
    assert.equal(r.asNodes.length, 2);
    rmSync(`${target}_data`, { force: true });
    const folded = await LanguageModel.open(copy, { threads: 1 });
    try {
      const baked = await folded.logits({ ...args(), asExported: true });
      const d = maxAbsDiff(baked.logits!, (ref.logits_last as number[][]).flat());
      assert.ok(d <= 1e-4, `folded ranged logits differ from PyTorch by ${d}`);
    } finally {
      await folded.dispose();
    }
  });

  it('exports :lo and :hi tensors to safetensors', () => {
    const sites: Record<string, unknown> = {};
    for (const [id, m] of Object.entries(ref.sites as Record<string, Record<string, number[]>>)) sites[id] = { neurons: m.gain!.length, gain: m.gain, bias: m.bias, lo: m.lo, hi: m.hi };
    const file = parseIntervention({ format: 'aura-lens.intervention', version: 2, sites });
    const names = gainTensors(file).tensors.map((x) => x.name);
    assert.deepEqual(names, [
      'transformer.h.0.mlp.c_fc', 'transformer.h.0.mlp.c_fc:bias', 'transformer.h.0.mlp.c_fc:lo', 'transformer.h.0.mlp.c_fc:hi',
      'transformer.h.1.mlp.c_proj', 'transformer.h.1.mlp.c_proj:bias', 'transformer.h.1.mlp.c_proj:lo', 'transformer.h.1.mlp.c_proj:hi',
    ]);
  });
});
