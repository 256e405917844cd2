// Issue 19 item 15: --sites custom:TENSOR on an integer tensor, a weight or a tensor that is not an
// activation [batch, seq, neurons] failed inside onnxruntime (type errors) or took a wrong width. Each is
// now a one-line user error before any profiling. References: the gpt2-tiny graph as onnx (Python)
// lists it: input_ids is int64, Shape outputs int64, c_fc.weight an initializer, and the attention
// Softmax is [batch, heads, seq, seq] (4 heads, make_fixtures.py).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isUserError } from '../../src/engine/errors';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';

const open = (tensor: string) => LanguageModel.open(join(MODELS, 'gpt2-tiny'), { customSites: [tensor], threads: 1 });
const oneLine = (re: RegExp) => (e: Error) => isUserError(e) && re.test(e.message) && !e.message.includes('\n');

describe('robust: custom sites are checked up front (issue 19 item 15)', () => {
  it('an integer graph input is named with its type', async () => {
    await assert.rejects(open('input_ids'), oneLine(/^--sites custom:input_ids: int64 by its declared type; a site must be a float32 or float16 activation/));
  });

  it('an integer tensor without a declared type is named by the node that makes it', async () => {
    await assert.rejects(open('/transformer/Shape_output_0'), oneLine(/custom:\/transformer\/Shape_output_0: int64 by the Shape node that makes it/));
  });

  it('a weight is named as a weight', async () => {
    await assert.rejects(open('transformer.h.0.mlp.c_fc.weight'), oneLine(/custom:transformer\.h\.0\.mlp\.c_fc\.weight: a weight \(initializer\) of .*model\.onnx, not an activation/));
  });

  it('a float tensor that is not [batch, seq, neurons] (attention probabilities) is refused', async () => {
    await assert.rejects(open('/transformer/h.0/attn/Softmax_output_0'), oneLine(/its size does not follow the batch and sequence \(width 4 on 1 token, 12 on 2 x 3 tokens\)/));
  });

  it('the GELU output, a real activation, is still taken with its 64 neurons', async () => {
    const m = await open('/transformer/h.0/mlp/act/Mul_3_output_0');
    try {
      assert.equal(m.site('custom:/transformer/h.0/mlp/act/Mul_3_output_0').neurons, 64);
    } finally {
      await m.dispose();
    }
  });
});
