// Folding a site's gain into a quantized linear without touching its integer weight: the dequantized
// weight is scale * (q - zero point), so column n of it times g[n] is the same integers read with
// scale * g[n]. That holds for a per-output-channel (or per-tensor, widened to per-channel)
// DequantizeLinear feeding MatMul/Gemm, and for MatMulNBits, whose scales are per output column and
// block. Everything else a quantized linear can be (MatMulInteger, blocked DequantizeLinear, float
// zero points) is left to constant Mul/Add nodes after the site, which are exact too.
import { makeNode, makeTensor, attrInt, tensorDims } from './onnx/proto';
import { floatTensorLike, readFloats, tensorBytes } from './onnx/tensor-data';
import type { NodeProto, TensorProto } from './onnx/proto';
import type { SiteLinear } from './sites/catalogue';

export type AddInit = (key: string, make: () => TensorProto) => string;
/** Throws when float16 values overflow; `neuronOf` maps a value's index to its output neuron. */
export type HalfCheck = (what: string, t: TensorProto, values: Float32Array, neuronOf: (i: number) => number) => void;

const FLOAT = 1;
const FLOAT16 = 10;
const BYTE_TYPES = new Set([2, 3]); // uint8, int8: one byte per zero point

/** Scales the quantized weight's columns by the gain; false where its layout gives no exact place. */
export function foldGainIntoQuantScale(sl: SiteLinear, gain: Float32Array, dir: string, addInit: AddInit, checkHalf: HalfCheck): boolean {
  const op = sl.linear.node.opType;
  if (op === 'MatMulNBits') return foldMatMulNBits(sl, gain, dir, addInit, checkHalf);
  if (op === 'MatMul' || op === 'Gemm') return foldDequantizeLinear(sl, gain, dir, addInit, checkHalf);
  return false;
}

function isFloat(t: TensorProto | undefined): t is TensorProto {
  return !!t && (t.dataType === FLOAT || t.dataType === FLOAT16);
}

function foldMatMulNBits(sl: SiteLinear, gain: Float32Array, dir: string, addInit: AddInit, checkHalf: HalfCheck): boolean {
  const { node } = sl.linear;
  const g = sl.scope;
  const scales = g.initializer(node.input[2] ?? '');
  const N = attrInt(node, 'N', 0);
  if (!isFloat(scales) || N !== gain.length) return false;
  // A float zero point is subtracted after scaling in some kernels: scaling it too is not obviously exact.
  const zp = node.input[3] ? g.initializer(node.input[3]) : undefined;
  if (node.input[3] && (!zp || isFloat(zp))) return false;
  const values = readFloats(scales, dir);
  if (values.length % N !== 0) return false;
  const perColumn = values.length / N; // scales are [N, k_blocks] (or flattened), column-major by n
  const scaled = values.map((v, i) => v * gain[Math.floor(i / perColumn)]!);
  checkHalf('quantization scales', scales, scaled, (i) => Math.floor(i / perColumn));
  node.input[2] = addInit(`${sl.id}|scales`, () => floatTensorLike(scales, `${scales.name}.aura_folded.${sl.id}`, tensorDims(scales), scaled));
  return true;
}

function foldDequantizeLinear(sl: SiteLinear, gain: Float32Array, dir: string, addInit: AddInit, checkHalf: HalfCheck): boolean {
  const { node } = sl.linear;
  const g = sl.scope;
  const dq = g.producers.get(node.input[1] ?? '');
  if (dq?.opType !== 'DequantizeLinear' || !g.initializer(dq.input[0] ?? '')) return false;
  const wDims = tensorDims(g.initializer(dq.input[0]!)!);
  if (wDims.length !== 2 || attrInt(dq, 'block_size', 0) !== 0) return false;
  const transB = node.opType === 'Gemm' && attrInt(node, 'transB', 0) === 1;
  const outAxis = transB ? 0 : 1;
  if (wDims[outAxis] !== gain.length) return false;
  const scale = g.initializer(dq.input[1] ?? '');
  if (!isFloat(scale)) return false;
  const s = readFloats(scale, dir);
  const axis = attrInt(dq, 'axis', 1);
  const perTensor = s.length === 1 && tensorDims(scale).length <= 1;
  if (!perTensor && ((axis + 2) % 2 !== outAxis || s.length !== gain.length)) return false;
  const zpName = dq.input[2];
  const zp = zpName ? g.initializer(zpName) : undefined;
  if (zpName && (!zp || !BYTE_TYPES.has(zp.dataType))) return false;
  const scaled = gain.map((x, n) => x * s[perTensor ? 0 : n]!);
  checkHalf('quantization scale', scale, scaled, (i) => i);
  const inputs = [dq.input[0]!, addInit(`${sl.id}|dq-scale`, () => floatTensorLike(scale, `${scale.name}.aura_folded.${sl.id}`, [gain.length], scaled))];
  if (zp) inputs.push(perTensor ? addInit(`${sl.id}|dq-zp`, () => widened(zp, dir, gain.length, `${zp.name}.aura_folded.${sl.id}`)) : zp.name);
  // A new DequantizeLinear for this linear alone: the original may feed others (a tied weight).
  const out = `${dq.output[0]}.aura_folded.${sl.id}`;
  const made: NodeProto = makeNode('DequantizeLinear', inputs, [out], `${dq.name || dq.output[0]}/aura_folded/${sl.id}`, { axis: outAxis });
  g.graph.node.splice(g.graph.node.indexOf(node), 0, made);
  node.input[1] = out;
  return true;
}

/** A one-byte per-tensor zero point repeated per channel (per-channel scale needs a per-channel zero point). */
function widened(zp: TensorProto, dir: string, n: number, name: string): TensorProto {
  const b = zp.rawData.length > 0 || zp.externalData.length > 0 ? tensorBytes(zp, dir)[0]! : (zp.int32Data[0] ?? 0) & 0xff;
  return makeTensor(name, zp.dataType, [n], new Uint8Array(n).fill(b));
}
