/**
 * Step 6: load the exported model in onnxruntime-node (as the engine does), run export_onnx.py's golden
 * cases (prefill with left padding and an empty past, then one cached step fed with the presents), and
 * check the logits against PyTorch within 1e-4.
 *
 *   node --import tsx scripts/demo-model/verify_onnx.ts [MODEL_DIR=media/demo/model] [GOLDEN=/tmp/aura-demo/onnx_golden.json]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

interface Case {
  input_ids: number[][];
  attention_mask: number[][];
  position_ids: number[][];
  logits: number[][][];
}

const modelDir = process.argv[2] ?? 'media/demo/model';
const goldenPath = process.argv[3] ?? '/tmp/aura-demo/onnx_golden.json';

function int64(rows: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
}

async function main(): Promise<void> {
  const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as { cases: Case[]; config: Record<string, number> };
  const { n_layer: layers, n_head: heads, n_embd: d } = golden.config;
  const session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'));
  let past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [2, heads, 0, d / heads]);
  }
  let worst = 0;
  for (const c of golden.cases) {
    const out = await session.run({ input_ids: int64(c.input_ids), attention_mask: int64(c.attention_mask), position_ids: int64(c.position_ids), ...past });
    const got = out.logits.data as Float32Array;
    const want = c.logits.flat(2);
    if (got.length !== want.length) throw new Error(`logits: expected ${want.length} values, got ${got.length}`);
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]));
    past = {};
    for (let i = 0; i < layers; i++) {
      for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = out[`present.${i}.${kv}`];
    }
  }
  console.log(JSON.stringify({ inputs: session.inputNames.length, outputs: session.outputNames.length, maxAbsDiff: worst }));
  if (!(worst < 1e-4)) throw new Error(`model.onnx: logits differ from PyTorch by ${worst} (expected < 1e-4)`);
}

void main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
