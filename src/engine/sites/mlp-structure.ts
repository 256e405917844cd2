// Finds MLP blocks by structure (linear H->I, element-wise ops, linear I->H) rather than by node
// names, which differ between exporters (TorchScript scopes, GenAI builder, Dynamo, optimizer renames).
import { asLinear, siteTensorOf } from './linear';
import type { GraphIndex } from '../onnx/graph-index';
import type { NodeProto } from '../onnx/proto';
import type { Linear, SiteTensor } from './linear';

export type MlpRole = 'in' | 'gate' | 'up' | 'gate_up' | 'out';

export interface MlpLinear {
  role: MlpRole;
  linear: Linear;
  site: SiteTensor;
}

export interface Mlp {
  /** Position among the graph's MLPs in topological order: the layer index. */
  ordinal: number;
  linears: MlpLinear[];
}

/** Ops an MLP's hidden activation passes through between its two linear layers. */
const INNER_OPS = new Set([
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Sqrt', 'Neg', 'Exp', 'Cast', 'Identity', 'Reshape', 'Split', 'Slice',
  'Tanh', 'Erf', 'Sigmoid', 'Relu', 'Softplus', 'Elu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'HardSwish',
  'Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'Mish', 'Clip', 'Min', 'Max',
  // An MLP neuron's value is only quantized on its way into the next linear.
  'DynamicQuantizeLinear',
  // A folded range-limited (transport) map: Where(lo < y < hi, g*y + b, y) after the site.
  'Where', 'Greater', 'Less', 'And',
]);

const NONLINEAR_OPS = new Set([
  'Tanh', 'Erf', 'Sigmoid', 'Relu', 'Softplus', 'Elu', 'Selu', 'LeakyRelu', 'HardSigmoid', 'HardSwish',
  'Gelu', 'FastGelu', 'BiasGelu', 'QuickGelu', 'Mish', 'Exp',
]);

const MAX_INNER_NODES = 40;

export function findMlps(g: GraphIndex, hidden?: number): Mlp[] {
  const linears = new Map<NodeProto, Linear>();
  for (const node of g.graph.node) {
    const lin = asLinear(g, node);
    if (lin) linears.set(node, lin);
  }
  const byInput = linearsByEntry(g, linears);
  const groups = new Map<NodeProto, { out: Linear; ins: { lin: Linear; region: Set<NodeProto> }[] }>();
  for (const lin of linears.values()) {
    // An MLP widens then narrows. Requiring I > H keeps a layer's down projection from pairing with
    // the next layer's up projection through the residual stream and its LayerNorm.
    if (lin.outDim <= lin.inDim) continue;
    if (hidden !== undefined && lin.inDim !== hidden) continue;
    const reach = walkToLinear(g, siteTensorOf(g, lin).tensor, byInput, lin);
    if (!reach) continue;
    const entry = groups.get(reach.out.node) ?? { out: reach.out, ins: [] };
    entry.ins.push({ lin, region: reach.region });
    groups.set(reach.out.node, entry);
  }
  const order = new Map(g.graph.node.map((n, i) => [n, i] as const));
  const sorted = [...groups.values()].sort((a, b) => order.get(a.out.node)! - order.get(b.out.node)!);
  return sorted.map((grp, ordinal) => ({ ordinal, linears: classify(g, grp.out, grp.ins, order) }));
}

/** Maps each tensor that enters a linear (directly, or through its Reshape / DynamicQuantizeLinear). */
function linearsByEntry(g: GraphIndex, linears: Map<NodeProto, Linear>): Map<string, Linear> {
  const m = new Map<string, Linear>();
  for (const lin of linears.values()) {
    m.set(lin.input, lin);
    m.set(lin.node.input[0]!, lin);
  }
  void g;
  return m;
}

function walkToLinear(
  g: GraphIndex,
  start: string,
  byInput: Map<string, Linear>,
  from: Linear,
): { out: Linear; region: Set<NodeProto> } | undefined {
  const region = new Set<NodeProto>();
  const queue = [start];
  const seen = new Set<string>([start]);
  while (queue.length > 0 && region.size < MAX_INNER_NODES) {
    const t = queue.shift()!;
    const target = byInput.get(t);
    if (target && target !== from && fitsAsOut(from, target)) return { out: target, region };
    for (const c of g.consumersOf(t)) {
      if (!INNER_OPS.has(c.opType)) continue;
      region.add(c);
      for (const o of c.output) {
        if (o && !seen.has(o)) {
          seen.add(o);
          queue.push(o);
        }
      }
    }
  }
  return undefined;
}

function fitsAsOut(inLin: Linear, out: Linear): boolean {
  const widthMatches = out.inDim === inLin.outDim || out.inDim * 2 === inLin.outDim;
  return widthMatches && out.outDim === inLin.inDim;
}

function classify(
  g: GraphIndex,
  out: Linear,
  ins: { lin: Linear; region: Set<NodeProto> }[],
  order: Map<NodeProto, number>,
): MlpLinear[] {
  ins.sort((a, b) => order.get(a.lin.node)! - order.get(b.lin.node)!);
  const result: MlpLinear[] = [];
  if (ins.length === 1) {
    const only = ins[0]!.lin;
    result.push({ role: only.outDim === out.inDim * 2 ? 'gate_up' : 'in', linear: only, site: siteTensorOf(g, only) });
  } else {
    // Gated MLPs: the gate is the input whose own path (not shared with the other) holds the activation.
    const [a, b] = ins as [typeof ins[0], typeof ins[0]];
    const onlyA = [...a.region].filter((n) => !b.region.has(n));
    const onlyB = [...b.region].filter((n) => !a.region.has(n));
    const aGate = onlyA.some((n) => NONLINEAR_OPS.has(n.opType));
    const bGate = onlyB.some((n) => NONLINEAR_OPS.has(n.opType));
    const gateFirst = aGate || !bGate;
    const [gate, up] = gateFirst ? [a, b] : [b, a];
    result.push({ role: 'gate', linear: gate.lin, site: siteTensorOf(g, gate.lin) });
    result.push({ role: 'up', linear: up.lin, site: siteTensorOf(g, up.lin) });
    result.sort((x, y) => order.get(x.linear.node)! - order.get(y.linear.node)!);
  }
  result.push({ role: 'out', linear: out, site: siteTensorOf(g, out) });
  return result;
}
