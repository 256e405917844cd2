// Finds, in an ONNX causal LM, the two things LM-Debugger's projection needs besides an MLP's down
// projection: the unembedding (the linear d -> vocabulary that writes the logits) and the scale of the
// norm in front of it. By structure, since exporters name these tensors differently.
import { GraphIndex, searchScopes } from '../onnx/graph-index';
import { asLinear } from '../sites/linear';
import type { Linear } from '../sites/linear';
import type { ModelProto, NodeProto } from '../onnx/proto';

export interface OutputLayout {
  scope: GraphIndex;
  unembedding: Linear;
  /** Name of the final norm's scale (gamma) constant; undefined when the norm was not recognised. */
  normScale: string | undefined;
  /** What was recognised, for reports: "LayerNormalization", "Mul (decomposed norm)", ... */
  normKind: string;
}

/** Ops between the unembedding's output and the graph output that do not change what it computes. */
const PASS_FORWARD = new Set(['Reshape', 'Cast', 'Identity']);
/** Ops between the final norm and the unembedding that only select or reshape positions. */
const PASS_BACK = new Set(['Reshape', 'Cast', 'Identity', 'Slice', 'Gather', 'Squeeze', 'Unsqueeze']);
/** Fused norms, with the index of their scale input. */
const NORM_SCALE_INPUT: Record<string, number> = {
  LayerNormalization: 1,
  SimplifiedLayerNormalization: 1,
  RMSNormalization: 1,
  SkipLayerNormalization: 2,
  SkipSimplifiedLayerNormalization: 2,
};

export function findOutputLayout(model: ModelProto, hidden: number): OutputLayout | undefined {
  for (const scope of searchScopes(new GraphIndex(model.graph!))) {
    const candidates: { lin: Linear; output: string }[] = [];
    for (const node of scope.graph.node) {
      const lin = asLinear(scope, node);
      if (!lin || lin.inDim !== hidden || lin.outDim <= hidden) continue;
      const output = reachesOutput(scope, lin.rawOutput);
      if (output !== undefined) candidates.push({ lin, output });
    }
    const pick = candidates.find((c) => /logits/i.test(c.output)) ?? candidates[0];
    if (pick) return { scope, unembedding: pick.lin, ...findNormScale(scope, pick.lin.input, hidden) };
  }
  return undefined;
}

function reachesOutput(g: GraphIndex, start: string): string | undefined {
  let t = start;
  for (let step = 0; step < 5; step++) {
    if (g.isGraphOutput(t)) return t;
    const next = g.consumersOf(t);
    if (next.length !== 1) return undefined;
    const c = next[0]!;
    // A bias Add (lm_head with bias) keeps the value a logit; anything else does not.
    if (!PASS_FORWARD.has(c.opType) && !(c.opType === 'Add' && c.input.some((i) => i !== t && g.isConstant(i)))) return undefined;
    t = c.output[0]!;
  }
  return undefined;
}

function findNormScale(g: GraphIndex, start: string, hidden: number): { normScale: string | undefined; normKind: string } {
  let t = start;
  for (let step = 0; step < 8; step++) {
    const p: NodeProto | undefined = g.producers.get(t);
    if (!p) break;
    const fused = NORM_SCALE_INPUT[p.opType];
    if (fused !== undefined && p.output[0] === t) return { normScale: p.input[fused], normKind: p.opType };
    const constIdx = p.input.findIndex((i) => isVector(g, i, hidden));
    if (p.opType === 'Add' && constIdx >= 0 && p.input.length === 2) {
      t = p.input[1 - constIdx]!; // the norm's shift (beta): the scale comes before it
      continue;
    }
    if (p.opType === 'Mul' && constIdx >= 0 && p.input.length === 2) return { normScale: p.input[constIdx], normKind: 'Mul (decomposed norm)' };
    if (!PASS_BACK.has(p.opType)) break;
    t = p.input[0]!;
  }
  return { normScale: undefined, normKind: 'not recognised' };
}

function isVector(g: GraphIndex, name: string, n: number): boolean {
  const c = g.constantDims(name);
  return !!c && c.dims.length === 1 && c.dims[0] === n;
}
