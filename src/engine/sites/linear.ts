// Recognises the linear layers of an MLP in any of the forms exporters and optimizers write them, and
// finds the tensor a PyTorch forward hook on that module would see (its output, bias included).
import { attrInt } from '../onnx/proto';
import type { GraphIndex } from '../onnx/graph-index';
import type { NodeProto } from '../onnx/proto';

export interface Linear {
  /** The node that multiplies by the weight (MatMul, Gemm, MatMulNBits, MatMulInteger). */
  node: NodeProto;
  /** The activation that enters the layer (before any Reshape/DynamicQuantizeLinear feeding it). */
  input: string;
  /** The first float tensor holding `x @ W` (for MatMulInteger, the dequantizing Mul's output). */
  rawOutput: string;
  inDim: number;
  outDim: number;
  /** Name of the weight as stored (useful for naming when the exporter kept module paths). */
  weightName: string;
  /** Element type of the site tensor (1 = float32, 10 = float16). */
  elemType: number;
}

/** Where a bias that belongs to the site was fused into a following op, so the site must be rebuilt. */
export interface FusedBias {
  /** The fused op, found again by type and value input when a cloned graph is rewritten. */
  opType: string;
  /** Index of the bias among the fused node's inputs. */
  biasInput: number;
  /** Index of the site value among the fused node's inputs. */
  valueInput: number;
  bias: string;
}

export interface SiteTensor {
  /** The tensor whose values equal the module output; for fused biases, `rawOutput` before rebuilding. */
  tensor: string;
  fused?: FusedBias;
}

const FLOAT = 1;

/** If `node` multiplies its input by a constant weight matrix, describe it. */
export function asLinear(g: GraphIndex, node: NodeProto): Linear | undefined {
  switch (node.opType) {
    case 'MatMul':
      return matmul(g, node);
    case 'Gemm':
      return gemm(g, node);
    case 'MatMulNBits':
      return matmulNBits(g, node);
    case 'MatMulInteger':
      return matmulInteger(g, node);
    default:
      return undefined;
  }
}

function matmul(g: GraphIndex, node: NodeProto): Linear | undefined {
  const w = g.constantDims(node.input[1] ?? '');
  if (!w || w.dims.length !== 2 || g.isConstant(node.input[0] ?? '')) return undefined;
  const [inDim, outDim] = w.dims as [number, number];
  return { node, input: node.input[0]!, rawOutput: node.output[0]!, inDim, outDim, weightName: w.tensor.name, elemType: weightElemType(g, w) };
}

function gemm(g: GraphIndex, node: NodeProto): Linear | undefined {
  const w = g.constantDims(node.input[1] ?? '');
  if (!w || w.dims.length !== 2 || attrInt(node, 'transA', 0) !== 0) return undefined;
  const transB = attrInt(node, 'transB', 0) === 1;
  const [inDim, outDim] = (transB ? [w.dims[1], w.dims[0]] : w.dims) as [number, number];
  // Conv1D exports as Reshape(x) -> Gemm -> Reshape: the layer's input is before the first Reshape.
  const pre = g.producers.get(node.input[0] ?? '');
  const input = pre?.opType === 'Reshape' ? pre.input[0]! : node.input[0]!;
  return { node, input, rawOutput: node.output[0]!, inDim, outDim, weightName: w.tensor.name, elemType: weightElemType(g, w) };
}

/** The float type the linear computes in: a QDQ weight is stored as integers and read as its scale's type. */
function weightElemType(g: GraphIndex, w: { tensor: { dataType: number }; via: NodeProto[] }): number {
  const dq = w.via.find((n) => n.opType === 'DequantizeLinear');
  if (!dq) return w.tensor.dataType;
  return g.initializer(dq.input[1] ?? '')?.dataType ?? FLOAT;
}

function matmulNBits(g: GraphIndex, node: NodeProto): Linear | undefined {
  const K = attrInt(node, 'K', 0);
  const N = attrInt(node, 'N', 0);
  if (!K || !N) return undefined;
  const scales = g.initializer(node.input[2] ?? '');
  return {
    node,
    input: node.input[0]!,
    rawOutput: node.output[0]!,
    inDim: K,
    outDim: N,
    weightName: node.input[1] ?? '',
    elemType: scales?.dataType ?? FLOAT,
  };
}

/** DynamicQuantizeLinear(x) -> MatMulInteger(xq, Wq) -> Cast -> Mul(scale): the Mul writes the float. */
function matmulInteger(g: GraphIndex, node: NodeProto): Linear | undefined {
  const w = g.constantDims(node.input[1] ?? '');
  const dq = g.producers.get(node.input[0] ?? '');
  if (!w || w.dims.length !== 2 || dq?.opType !== 'DynamicQuantizeLinear') return undefined;
  const cast = single(g, node.output[0]!);
  const mul = cast?.opType === 'Cast' ? single(g, cast.output[0]!) : undefined;
  if (mul?.opType !== 'Mul') return undefined;
  const [inDim, outDim] = w.dims as [number, number];
  return { node, input: dq.input[0]!, rawOutput: mul.output[0]!, inDim, outDim, weightName: w.tensor.name, elemType: FLOAT };
}

function single(g: GraphIndex, name: string): NodeProto | undefined {
  const c = g.consumersOf(name);
  return c.length === 1 ? c[0] : undefined;
}

/** Ops that fold a following bias into themselves (ORT transformer optimizer, contrib domain). */
const FUSED_BIAS_INPUT: Record<string, (n: NodeProto, value: number) => number | undefined> = {
  FastGelu: () => 1,
  BiasGelu: () => 1,
  SkipLayerNormalization: () => 4,
  SkipSimplifiedLayerNormalization: () => 3,
};

/**
 * From a linear's raw output, walk over what still belongs to the module (its bias Add, the Reshape
 * back to [batch, seq, n] after a Conv1D Gemm) to the value a forward hook sees.
 */
export function siteTensorOf(g: GraphIndex, lin: Linear): SiteTensor {
  let t = lin.rawOutput;
  let biasSeen = lin.node.opType === 'Gemm' && !!lin.node.input[2];
  if (lin.node.opType === 'MatMulNBits' && lin.node.input[5]) biasSeen = true;
  for (let step = 0; step < 3; step++) {
    const consumers = g.consumersOf(t);
    if (consumers.length !== 1 || g.isGraphOutput(t)) break;
    const c = consumers[0]!;
    if (c.opType === 'Reshape' && lin.node.opType === 'Gemm') {
      t = c.output[0]!;
      continue;
    }
    if (!biasSeen && c.opType === 'Add' && isBiasOf(g, c, t, lin.outDim)) {
      biasSeen = true;
      t = c.output[0]!;
      continue;
    }
    const fusedIdx = FUSED_BIAS_INPUT[c.opType];
    if (!biasSeen && fusedIdx && c.domain === 'com.microsoft') {
      const valueInput = c.input.indexOf(t);
      const biasInput = fusedIdx(c, valueInput);
      const bias = biasInput !== undefined ? c.input[biasInput] : undefined;
      if (bias && valueInput >= 0 && valueInput !== biasInput && g.constantDims(bias)?.dims.join() === String(lin.outDim)) {
        return { tensor: t, fused: { opType: c.opType, biasInput: biasInput!, valueInput, bias } };
      }
    }
    break;
  }
  return { tensor: t };
}

function isBiasOf(g: GraphIndex, add: NodeProto, value: string, n: number): boolean {
  const other = add.input[0] === value ? add.input[1] : add.input[0];
  const c = other ? g.constantDims(other) : undefined;
  return !!c && c.dims.length === 1 && c.dims[0] === n;
}
