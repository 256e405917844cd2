// The intervention folded into an ONNX model file that loads anywhere without aura-lens.
import { AuraUserError } from '../errors';
import { atomicWriteFile } from '../atomic-write';
import { encodeModel } from '../../engine/onnx/proto';
import { MAX_INLINE_BYTES, inlineExternalData } from '../../engine/onnx/inline-data';
import type { Intervention, LanguageModel } from '../../engine/model';

export interface OnnxExportResult {
  bytes: number;
  intoWeights: string[];
  asNodes: string[];
}

export async function exportFoldedOnnx(model: LanguageModel, factors: Intervention, out: string): Promise<OnnxExportResult> {
  if (!out.endsWith('.onnx')) throw new AuraUserError(`--out ${out}: expected a path ending in .onnx for --format onnx`);
  // No Inf or NaN may reach a weight (issue 10, item 4): name the site and index instead.
  for (const [id, f] of factors) {
    for (const name of ['gain', 'bias', 'lo', 'hi'] as const) {
      const a = f[name];
      const i = a ? a.findIndex((x) => !Number.isFinite(x)) : -1;
      if (i >= 0) throw new AuraUserError(`intervention: sites[${JSON.stringify(id)}].${name}[${i}] is ${a![i]}; expected a number finite in float32`);
    }
  }
  const report = model.fold(factors);
  const weights = inlineExternalData(report.model, model.graphDir);
  if (weights > MAX_INLINE_BYTES) {
    throw new AuraUserError(`${model.files.main}: ${(weights / 1024 ** 3).toFixed(1)} GB of weights do not fit one .onnx file (2 GB protobuf limit); folding models this large is not supported yet`);
  }
  const bytes = await atomicWriteFile(out, encodeModel(report.model));
  return { bytes, intoWeights: report.intoWeights, asNodes: report.asNodes };
}
