// Drops nodes that no kept output depends on. Used when a session only needs pooled responses:
// the layers after the last site and the LM head then cost nothing.
import { attr } from './proto';
import type { GraphProto, NodeProto } from './proto';

/** Names a node reads, including outer-scope names read inside its subgraphs. */
export function nodeReads(node: NodeProto): string[] {
  const reads = node.input.filter(Boolean);
  for (const a of node.attribute) {
    for (const g of [a.g, ...a.graphs]) if (g) reads.push(...outerReads(g));
  }
  return reads;
}

function outerReads(g: GraphProto): string[] {
  const local = new Set<string>([...g.input.map((i) => i.name), ...g.initializer.map((t) => t.name)]);
  for (const n of g.node) for (const o of n.output) local.add(o);
  const reads: string[] = [];
  for (const n of g.node) for (const r of nodeReads(n)) if (!local.has(r)) reads.push(r);
  for (const o of g.output) if (!local.has(o.name)) reads.push(o.name);
  return reads;
}

export function pruneGraph(g: GraphProto): void {
  const needed = new Set(g.output.map((o) => o.name));
  const kept: NodeProto[] = [];
  for (let i = g.node.length - 1; i >= 0; i--) {
    const n = g.node[i]!;
    if (!n.output.some((o) => needed.has(o))) continue;
    kept.push(n);
    for (const a of ['then_branch', 'else_branch']) {
      const sub = attr(n, a)?.g;
      if (sub) pruneGraph(sub);
    }
    for (const r of nodeReads(n)) needed.add(r);
  }
  g.node = kept.reverse();
}

/** Removes initializers nothing reads any more (never those that double as graph inputs). */
export function dropUnusedInitializers(g: GraphProto): void {
  const reads = new Set<string>(g.output.map((o) => o.name));
  for (const n of g.node) for (const r of nodeReads(n)) reads.add(r);
  const inputs = new Set(g.input.map((i) => i.name));
  g.initializer = g.initializer.filter((t) => reads.has(t.name) || inputs.has(t.name));
}

/** Removes output `index` of an If node together with the matching output of both branches. */
export function removeIfOutput(node: NodeProto, index: number): void {
  node.output.splice(index, 1);
  for (const a of ['then_branch', 'else_branch']) attr(node, a)?.g?.output.splice(index, 1);
}
