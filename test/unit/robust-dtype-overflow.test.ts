// Issue 19 item 4: a gain of 1e6 is finite in the intervention file's float32 but Infinity in a float16
// model (NaN perplexity, one token repeated, exit 0). Refused when the intervention is read for a model
// and on every export, naming the site and neuron. References: float16's largest finite value 65504
// (IEEE 754 binary16) and the fixture's c_fc bias of neuron 3, 0.2101 (read with onnx/numpy), so that
// folding gain 65504 and bias 65504 gives 0.2101 * 65504 + 65504 = 79266 > 65504.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportFoldedOnnx } from '../../src/aura/export/onnx-export';
import { effectiveGains, writeInterventionFile } from '../../src/aura/intervention-file';
import type { InterventionFile } from '../../src/aura/intervention-file';
import { exportCommand } from '../../src/cli/export';
import { loadInterventionFor } from '../../src/cli/intervention';
import { isUserError } from '../../src/engine/errors';
import { generate } from '../../src/engine/generation/generate';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const SITE = 'transformer.h.0.mlp.c_fc';

function fileWith(neuron: number, gain: number, bias?: number): InterventionFile {
  const g = new Float32Array(64).fill(1);
  g[neuron] = gain;
  const site: InterventionFile['sites'][string] = { neurons: 64, gain: g };
  if (bias !== undefined) {
    site.bias = new Float32Array(64);
    site.bias[neuron] = bias;
  }
  return {
    format: 'aura-lens.intervention',
    version: 1,
    model: { name: 'gpt2-tiny' },
    method: 'manual',
    params: { strength: 1, pooling: 'max', k: null, alpha: null },
    data: { positives: 0, negatives: 0, source: 'test' },
    sites: { [SITE]: site },
  };
}

const oneLine = (re: RegExp) => (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n');

describe('robust: factors a float16 model cannot hold (issue 19 item 4)', () => {
  const d = scratchDir('fp16-overflow');
  let fp16: LanguageModel;
  before(async () => {
    fp16 = await LanguageModel.open(join(MODELS, 'gpt2-tiny-fp16'), { threads: 1 });
  });
  after(async () => fp16?.dispose());

  it('a gain of 1e6 is refused when read for the fp16 model, naming site and neuron; the fp32 model takes it', async () => {
    const p = join(d, 'big.json');
    await writeInterventionFile(p, fileWith(5, 1e6));
    await assert.rejects(loadInterventionFor(fp16, p), oneLine(/big\.json: site transformer\.h\.0\.mlp\.c_fc gain\[5\] is 1000000, which overflows float16 \(largest finite 65504\)/));
    // The engine refuses it too, whoever calls it (the extension's preview, evaluate).
    await assert.rejects(generate(fp16, ['The cat'], { maxNewTokens: 1, intervention: effectiveGains(fileWith(5, 1e6)) }), oneLine(/gain\[5\] is 1000000, which overflows float16/));
    const fp32 = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      assert.equal((await loadInterventionFor(fp32, p)).get(SITE)!.gain[5], 1e6);
    } finally {
      await fp32.dispose();
    }
  });

  it('65504, the largest finite float16, is taken', async () => {
    const p = join(d, 'edge.json');
    await writeInterventionFile(p, fileWith(5, 65504, -65504));
    assert.equal((await loadInterventionFor(fp16, p)).get(SITE)!.gain[5], 65504);
  });

  for (const format of ['json', 'safetensors', 'onnx']) {
    it(`export --format ${format} refuses it and writes nothing`, async () => {
      const p = join(d, 'big.json');
      await writeInterventionFile(p, fileWith(5, 1e6));
      const out = join(d, `out-${format}.${format === 'json' ? 'json' : format}`);
      await assert.rejects(exportCommand([p, '--model', join(MODELS, 'gpt2-tiny-fp16'), '--format', format, '--out', out, '--json']), oneLine(/gain\[5\] is 1000000, which overflows float16/));
      assert.ok(!existsSync(out));
    });
  }

  it('a fold whose float16 result overflows is refused naming the neuron; one that fits is written', async () => {
    const out = join(d, 'folded.onnx');
    await assert.rejects(exportFoldedOnnx(fp16, effectiveGains(fileWith(3, 65504, 65504)), out), oneLine(/folding site transformer\.h\.0\.mlp\.c_fc neuron 3 into its float16 bias gives 79\d\d\d/));
    assert.ok(!existsSync(out));
    // Neuron 6's bias is -0.02127: -0.02127 * 65504 + 65504 = 64111, finite.
    await exportFoldedOnnx(fp16, effectiveGains(fileWith(6, 65504, 65504)), out);
    assert.ok(existsSync(out));
  });
});
