/** What `exportHfCheckpoint` needs to know about the ONNX model, read from an open LanguageModel without running it. */
import { readFloats } from '../../../engine/onnx/tensor-data';
import { DataType } from '../../../engine/onnx/proto';
import { discoverSiteLinears } from '../../../engine/sites/catalogue';
import { intermediateOf } from './compat';
import type { LanguageModel } from '../../../engine/model';
import type { OnnxModelFacts } from './compat';

export function onnxModelFacts(model: LanguageModel): OnnxModelFacts {
  const f = model.facts;
  const sites = model.sites.filter((s) => s.kind !== 'custom').map((s) => ({ id: s.id, neurons: s.neurons }));
  const facts: OnnxModelFacts = {
    architecture: f.architecture,
    layers: f.layers,
    vocabSize: f.vocabSize,
    sites,
    fingerprint: model.fingerprint,
    referenceWeight: async () => firstSiteWeight(model),
  };
  const q = firstQuantizedSite(model);
  if (q) facts.quantized = q;
  if (f.modelType !== undefined) facts.modelType = f.modelType;
  if (f.hidden !== undefined) facts.hidden = f.hidden;
  const inner = intermediateOf(sites);
  if (inner !== undefined) facts.intermediate = inner;
  return facts;
}

/**
 * The first site's float weight as [out, in] row-major: MatMul stores [in, out], Gemm with transB
 * [out, in]; a Transpose on the way is applied. Quantized weights are skipped (nothing to compare).
 */
function firstSiteWeight(model: LanguageModel): { site: string; values: Float32Array; dtype: 'F32' | 'F16' } | undefined {
  const loaded = model.mainGraph;
  const f = model.facts;
  for (const sl of discoverSiteLinears(loaded.model, loaded.file, f.modelType, f.hidden)) {
    const node = sl.linear.node;
    if (node.opType !== 'MatMul' && node.opType !== 'Gemm') continue;
    const w = sl.scope.constantDims(node.input[1] ?? '');
    if (!w || w.dims.length !== 2 || w.via.some((v) => v.opType !== 'Identity' && v.opType !== 'Transpose')) continue;
    if (w.tensor.dataType !== DataType.FLOAT && w.tensor.dataType !== DataType.FLOAT16) continue;
    const stored = readFloats(w.tensor, loaded.dataDir);
    const transposed = w.via.some((v) => v.opType === 'Transpose');
    // Logical [rows, cols] as the node reads it.
    const [rows, cols] = w.dims as [number, number];
    const at = (r: number, c: number): number => (transposed ? stored[c * rows + r]! : stored[r * cols + c]!);
    const outOnRows = node.opType === 'Gemm' && sl.linear.outDim === rows && (node.attribute.find((a) => a.name === 'transB')?.i ?? 0n) === 1n;
    const outs = outOnRows ? rows : cols;
    const ins = outOnRows ? cols : rows;
    const values = new Float32Array(outs * ins);
    for (let o = 0; o < outs; o++) for (let i = 0; i < ins; i++) values[o * ins + i] = outOnRows ? at(o, i) : at(i, o);
    return { site: sl.id, values, dtype: w.tensor.dataType === DataType.FLOAT16 ? 'F16' : 'F32' };
  }
  return undefined;
}

/** MatMulNBits, MatMulInteger, or a MatMul/Gemm reading its weight through DequantizeLinear (QDQ). */
function firstQuantizedSite(model: LanguageModel): { site: string; node: string; opType: string } | undefined {
  const loaded = model.mainGraph;
  const f = model.facts;
  for (const sl of discoverSiteLinears(loaded.model, loaded.file, f.modelType, f.hidden)) {
    const node = sl.linear.node;
    const dq = sl.scope.constantDims(node.input[1] ?? '')?.via.find((v) => v.opType === 'DequantizeLinear');
    if (node.opType === 'MatMulNBits' || node.opType === 'MatMulInteger') return { site: sl.id, node: node.name, opType: node.opType };
    if (dq) return { site: sl.id, node: dq.name, opType: 'DequantizeLinear' };
  }
  return undefined;
}
