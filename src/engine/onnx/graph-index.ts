// Lookup tables over one ONNX graph (and the scopes around it, for If branches of merged decoders,
// whose nodes read initializers and inputs of the outer graph by name).
import { attr, tensorDims } from './proto';
import type { GraphProto, NodeProto, TensorProto } from './proto';

export class GraphIndex {
  readonly producers = new Map<string, NodeProto>();
  readonly consumers = new Map<string, NodeProto[]>();
  readonly initializers = new Map<string, TensorProto>();
  readonly inputNames: Set<string>;

  constructor(
    readonly graph: GraphProto,
    readonly parent?: GraphIndex,
    /** Where this graph sits: [] for the main graph, ['optimum::if', 'then_branch'] for a branch. */
    readonly path: string[] = [],
  ) {
    for (const t of graph.initializer) this.initializers.set(t.name, t);
    this.inputNames = new Set(graph.input.map((i) => i.name));
    for (const node of graph.node) {
      for (const o of node.output) if (o) this.producers.set(o, node);
      for (const i of node.input) {
        if (!i) continue;
        const list = this.consumers.get(i);
        if (list) list.push(node);
        else this.consumers.set(i, [node]);
      }
    }
  }

  consumersOf(name: string): NodeProto[] {
    return this.consumers.get(name) ?? [];
  }

  /** An initializer visible from this scope: own first, then the enclosing graphs'. */
  initializer(name: string): TensorProto | undefined {
    return this.initializers.get(name) ?? this.parent?.initializer(name);
  }

  isGraphOutput(name: string): boolean {
    return this.graph.output.some((o) => o.name === name);
  }

  /**
   * Follows a value back through the ops exporters put between a weight and its use (Identity from
   * initializer deduplication, Cast, Transpose of nn.Linear weights, DequantizeLinear of QDQ models)
   * to the stored constant. Returns its logical dims as seen at `name` (transposes applied).
   */
  constantDims(name: string, depth = 0): { dims: number[]; tensor: TensorProto; via: NodeProto[] } | undefined {
    if (depth > 8) return undefined;
    const init = this.initializer(name);
    if (init) return { dims: tensorDims(init), tensor: init, via: [] };
    const p = this.producers.get(name) ?? this.parent?.producerAnywhere(name);
    if (!p) return undefined;
    if (p.opType === 'Constant') {
      const t = attr(p, 'value')?.t;
      return t ? { dims: tensorDims(t), tensor: t, via: [p] } : undefined;
    }
    if (['Identity', 'Cast', 'DequantizeLinear'].includes(p.opType)) {
      const r = this.constantDims(p.input[0] ?? '', depth + 1);
      return r && { ...r, via: [...r.via, p] };
    }
    if (p.opType === 'Transpose') {
      const r = this.constantDims(p.input[0] ?? '', depth + 1);
      if (!r) return undefined;
      const perm = attr(p, 'perm')?.ints.map(Number) ?? r.dims.map((_, i) => r.dims.length - 1 - i);
      return { dims: perm.map((k) => r.dims[k] ?? 0), tensor: r.tensor, via: [...r.via, p] };
    }
    return undefined;
  }

  isConstant(name: string): boolean {
    return this.constantDims(name) !== undefined;
  }

  private producerAnywhere(name: string): NodeProto | undefined {
    return this.producers.get(name) ?? this.parent?.producerAnywhere(name);
  }
}

/** The graphs to search for MLPs: the main graph, or both branches of a merged decoder's If. */
export function searchScopes(main: GraphIndex): GraphIndex[] {
  const scopes: GraphIndex[] = [main];
  for (const node of main.graph.node) {
    if (node.opType !== 'If') continue;
    for (const branch of ['then_branch', 'else_branch']) {
      const g = attr(node, branch)?.g;
      if (g) scopes.push(...searchScopes(new GraphIndex(g, main, [...main.path, node.name || node.output[0] || 'If', branch])));
    }
  }
  return scopes;
}
