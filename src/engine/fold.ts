// Bakes an intervention into a model: for a site y = x·W + b, gain g and bias c give
// g*y + c = x·(W*g) + (b*g + c), so the weight columns and the bias that produce the site are scaled
// and the result is a plain model, with no extra inputs, that any ONNX runtime can run. Where the
// weight is quantized, the gain goes into its float scales where that is exact (fold-quantized.ts);
// where not (MatMulInteger, blocked or float zero points), constant Mul and Add nodes after the site
// do the same.
import { FLOAT16_MAX, float16Overflow } from './dtype-range';
import { UserError } from './errors';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema } from 'onnx-buf';
import { DataLocation, DataType, cloneModel, isExternal, makeNode, makeTensor } from './onnx/proto';
import { floatTensorLike, readFloats } from './onnx/tensor-data';
import { dropUnusedInitializers } from './onnx/prune';
import { discoverSiteLinears } from './sites/catalogue';
import { foldGainIntoQuantScale } from './fold-quantized';
import type { AddInit, HalfCheck } from './fold-quantized';
import type { GraphIndex } from './onnx/graph-index';
import type { ModelProto, NodeProto, TensorProto } from './onnx/proto';
import type { SiteLinear } from './sites/catalogue';
import type { LoadedGraph } from './onnx/load';

export interface SiteFactors {
  gain: Float32Array;
  bias?: Float32Array;
  /** A range-limited map (transport): it cannot fold into weights, so it becomes constant nodes. */
  lo?: Float32Array;
  hi?: Float32Array;
}

/**
 * Location of a folded weight whose bytes are not made yet: a weight read from external data is folded
 * when the export writes it (FoldReport.deferred), one tensor at a time, so a multi-GB model's folded
 * weights are never all held in JS (they were: 1.6x the weights to export a 3 GB model).
 */
export const DEFERRED_LOCATION = 'aura-lens:folded-when-written';

export interface FoldReport {
  model: ModelProto;
  /** Bytes of the tensors at DEFERRED_LOCATION, by tensor name, computed on each call. */
  deferred: Map<string, () => Uint8Array>;
  /** Sites folded into weights, and sites given constant Mul/Add nodes instead. */
  intoWeights: string[];
  asNodes: string[];
}

export function foldIntervention(loaded: LoadedGraph, modelType: string | undefined, hidden: number | undefined, factors: Map<string, SiteFactors>): FoldReport {
  const model = cloneModel(loaded.model);
  const dir = loaded.dataDir;
  const main = model.graph!;
  const report: FoldReport = { model, deferred: new Map(), intoWeights: [], asNodes: [] };
  const made = new Map<string, string>();
  const addInit = (key: string, make: () => TensorProto): string => {
    let name = made.get(key);
    if (!name) {
      const t = make();
      main.initializer.push(t);
      name = t.name;
      made.set(key, name);
    }
    return name;
  };
  for (const sl of discoverSiteLinears(model, loaded.file, modelType, hidden)) {
    const f = factors.get(sl.id);
    if (!f) continue;
    const ok = !f.lo && foldIntoWeights(sl, f, dir, addInit, report.deferred);
    if (!ok) insertConstantNodes(sl, f, addInit);
    (ok ? report.intoWeights : report.asNodes).push(sl.id);
  }
  dropUnusedInitializers(main);
  return report;
}

function foldIntoWeights(sl: SiteLinear, f: SiteFactors, dir: string, addInit: AddInit, deferred: Map<string, () => Uint8Array>): boolean {
  const { linear, scope: g } = sl;
  const node = linear.node;
  if (isQuantized(sl)) {
    const checkHalf: HalfCheck = (what, t, values, neuronOf) => {
      if (t.dataType === DataType.FLOAT16) refuseHalfOverflow(sl.id, what, values, neuronOf);
    };
    if (!foldGainIntoQuantScale(sl, f.gain, dir, addInit, checkHalf)) return false;
    foldBias(sl, f, dir, addInit, g);
    return true;
  }
  if (node.opType !== 'MatMul' && node.opType !== 'Gemm') return false;
  const w = g.constantDims(node.input[1] ?? '');
  if (!w || w.via.some((v) => v.opType !== 'Identity' && v.opType !== 'Transpose')) return false;
  const [rows, cols] = w.dims as [number, number];
  const outOnRows = node.opType === 'Gemm' && (node.attribute.find((a) => a.name === 'transB')?.i ?? 0n) === 1n;
  const name = `${w.tensor.name}.aura_folded.${sl.id}`;
  const fold = (): TensorProto => {
    // The weight as the node reads it: stored layout, with any Transpose on the way applied.
    const stored = readFloats(w.tensor, dir);
    const logical = w.via.some((v) => v.opType === 'Transpose') ? transpose2d(stored, w.dims[1]!, w.dims[0]!) : stored;
    const scaled = new Float32Array(logical.length);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) scaled[r * cols + c] = logical[r * cols + c]! * f.gain[outOnRows ? r : c]!;
    }
    if (w.tensor.dataType === DataType.FLOAT16) refuseHalfOverflow(sl.id, 'weight', scaled, (i) => (outOnRows ? Math.floor(i / cols) : i % cols));
    return floatTensorLike(w.tensor, name, [rows, cols], scaled);
  };
  node.input[1] = addInit(`${sl.id}|weight`, () => {
    if (!isExternal(w.tensor)) return fold();
    deferred.set(name, () => fold().rawData);
    return deferredTensor(w.tensor, name, [rows, cols]);
  });
  foldBias(sl, f, dir, addInit, g);
  return true;
}

function isQuantized(sl: SiteLinear): boolean {
  const { node } = sl.linear;
  if (node.opType === 'MatMulNBits' || node.opType === 'MatMulInteger') return true;
  return !!sl.scope.constantDims(node.input[1] ?? '')?.via.some((v) => v.opType === 'DequantizeLinear');
}

/** A float tensor shaped like the fold's result, whose bytes come from FoldReport.deferred when written. */
function deferredTensor(like: TensorProto, name: string, dims: number[]): TensorProto {
  const half = like.dataType === DataType.FLOAT16;
  const t = makeTensor(name, half ? DataType.FLOAT16 : DataType.FLOAT, dims, new Uint8Array(0));
  t.dataLocation = DataLocation.EXTERNAL;
  const entry = (key: string, value: string) => create(StringStringEntryProtoSchema, { key, value });
  t.externalData = [entry('location', DEFERRED_LOCATION), entry('offset', '0'), entry('length', String(dims.reduce((a, b) => a * b, 1) * (half ? 2 : 4)))];
  return t;
}

/** b*g + c into whichever input holds the site's bias; an Add of c where the site has no bias. */
function foldBias(sl: SiteLinear, f: SiteFactors, dir: string, addInit: AddInit, g: GraphIndex): void {
  const { linear, site } = sl;
  const holder = biasHolder(sl, g);
  if (holder) {
    const [node, index] = holder;
    const b = g.constantDims(node.input[index]!)!;
    const values = readFloats(b.tensor, dir);
    const folded = values.map((v, i) => v * f.gain[i]! + (f.bias?.[i] ?? 0));
    if (b.tensor.dataType === DataType.FLOAT16) refuseHalfOverflow(sl.id, 'bias', folded, (i) => i);
    node.input[index] = addInit(`${sl.id}|bias`, () => floatTensorLike(b.tensor, `${b.tensor.name}.aura_folded.${sl.id}`, [values.length], folded));
    return;
  }
  if (f.bias && f.bias.some((v) => v !== 0)) {
    const c = addInit(`${sl.id}|shift`, () => constLike(linear.elemType, `aura.shift.${sl.id}`, f.bias!));
    appendAfter(g, site.tensor, (t) => [makeNode('Add', [t, c], [`${t}/aura_shifted`], `aura/fold/shift/${sl.id}`)]);
  }
}

function biasHolder(sl: SiteLinear, g: GraphIndex): [NodeProto, number] | undefined {
  const { linear, site } = sl;
  if (linear.node.opType === 'Gemm' && linear.node.input[2] && g.isConstant(linear.node.input[2])) return [linear.node, 2];
  if (linear.node.opType === 'MatMulNBits' && linear.node.input[5] && g.isConstant(linear.node.input[5])) return [linear.node, 5];
  if (site.fused) {
    const n = g.graph.node.find((x) => x.opType === site.fused!.opType && x.input[site.fused!.valueInput] === site.tensor);
    return n ? [n, site.fused.biasInput] : undefined;
  }
  const p = g.producers.get(site.tensor);
  if (p?.opType === 'Add' && p !== linear.node) {
    const i = p.input.findIndex((x) => x !== linear.rawOutput && g.isConstant(x));
    if (i >= 0) return [p, i];
  }
  return undefined;
}

function insertConstantNodes(sl: SiteLinear, f: SiteFactors, addInit: AddInit): void {
  const g = sl.scope;
  if (sl.site.fused) {
    const what = f.lo ? 'a range-limited (transport) map on a site with a fused bias' : `a ${sl.linear.node.opType} whose weight or scale cannot take the gain, with a fused bias`;
    const fusedNode = sl.scope.graph.node.find((n) => n.opType === sl.site.fused!.opType && n.input[sl.site.fused!.valueInput] === sl.site.tensor);
    throw new UserError(`export --format onnx: ${sl.id} (node '${sl.linear.node.name}', bias fused into ${sl.site.fused.opType} '${fusedNode?.name ?? '?'}') is ${what}; not supported, export json or safetensors instead`);
  }
  const gain = addInit(`${sl.id}|gain`, () => constLike(sl.linear.elemType, `aura.gain.${sl.id}`, f.gain));
  const nodes = (t: string): NodeProto[] => {
    const out = [makeNode('Mul', [t, gain], [`${t}/aura_gain`], `aura/fold/gain/${sl.id}`)];
    if (f.bias) {
      const c = addInit(`${sl.id}|shift`, () => constLike(sl.linear.elemType, `aura.shift.${sl.id}`, f.bias!));
      out.push(makeNode('Add', [`${t}/aura_gain`, c], [`${t}/aura_shifted`], `aura/fold/shift/${sl.id}`));
    }
    if (f.lo && f.hi) {
      // The map holds strictly inside (lo, hi); x passes unchanged outside, as in the engine's rewrite.
      const mapped = out[out.length - 1]!.output[0]!;
      const lo = addInit(`${sl.id}|lo`, () => constLike(sl.linear.elemType, `aura.lo.${sl.id}`, f.lo!));
      const hi = addInit(`${sl.id}|hi`, () => constLike(sl.linear.elemType, `aura.hi.${sl.id}`, f.hi!));
      out.push(
        makeNode('Greater', [t, lo], [`${t}/aura_above_lo`], `aura/fold/lo/${sl.id}`),
        makeNode('Less', [t, hi], [`${t}/aura_below_hi`], `aura/fold/hi/${sl.id}`),
        makeNode('And', [`${t}/aura_above_lo`, `${t}/aura_below_hi`], [`${t}/aura_inside`], `aura/fold/inside/${sl.id}`),
        makeNode('Where', [`${t}/aura_inside`, mapped, t], [`${t}/aura_ranged`], `aura/fold/range/${sl.id}`),
      );
    }
    return out;
  };
  appendAfter(g, sl.site.tensor, nodes);
}

/** Inserts nodes after `tensor`'s producer and points every other reader at the last node's output. */
function appendAfter(g: GraphIndex, tensor: string, make: (t: string) => NodeProto[]): void {
  const nodes = make(tensor);
  const last = nodes[nodes.length - 1]!.output[0]!;
  for (const n of g.graph.node) for (let i = 0; i < n.input.length; i++) if (n.input[i] === tensor) n.input[i] = last;
  for (const o of g.graph.output) if (o.name === tensor) o.name = last;
  const at = g.graph.node.findIndex((n) => n.output.includes(tensor));
  g.graph.node.splice(at + 1, 0, ...nodes);
}

function constLike(elemType: number, name: string, values: Float32Array): TensorProto {
  const like = makeTensor('', elemType === DataType.FLOAT16 ? DataType.FLOAT16 : DataType.FLOAT, [], new Uint8Array());
  return floatTensorLike(like, name, [values.length], values);
}

/** A folded fp16 value past float16's range would be Infinity in the exported model: refused, naming the neuron. */
function refuseHalfOverflow(siteId: string, what: string, values: Float32Array, neuronOf: (i: number) => number): void {
  const bad = float16Overflow(values);
  if (!bad) return;
  throw new UserError(
    `export --format onnx: folding site ${siteId} neuron ${neuronOf(bad[0])} into its float16 ${what} gives ${bad[1]}, past float16's largest finite ${FLOAT16_MAX}; use a smaller factor or a float32 model`,
  );
}

function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  // `a` is stored [rows, cols]; the result is [cols, rows].
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}
