// The sites of one graph: every MLP linear's output, named by module path, with each place it occurs
// (a merged decoder holds every MLP twice, once per If branch).
import { UserError } from '../errors';
import { GraphIndex, searchScopes } from '../onnx/graph-index';
import { checkCustomSiteTensor, tensorElemType } from './custom-check';
import { findMlps } from './mlp-structure';
import { KIND_OF_ROLE, siteId } from './naming';
import type { FusedBias, Linear, SiteTensor } from './linear';
import type { MlpRole } from './mlp-structure';
import type { ModelProto } from '../onnx/proto';
import type { SiteKind } from './naming';

export interface Placement {
  /** Path of the graph holding the tensor: [] = main graph, else [ifNodeName, branch, ...]. */
  scope: string[];
  tensor: string;
  fused?: FusedBias;
  elemType: number;
}

export interface Site {
  id: string;
  layer: number;
  kind: SiteKind;
  neurons: number;
  /** Tensor name in the first placement, reported by `inspect`. */
  tensor: string;
  placements: Placement[];
}

/** One MLP linear as found in one graph scope, with the id its site gets. */
export interface SiteLinear {
  id: string;
  layer: number;
  role: MlpRole;
  scope: GraphIndex;
  linear: Linear;
  site: SiteTensor;
}

export function discoverSiteLinears(model: ModelProto, file: string, modelType: string | undefined, hidden?: number): SiteLinear[] {
  const main = new GraphIndex(model.graph!);
  const perScope = searchScopes(main)
    .map((g) => ({ g, mlps: findMlps(g, hidden) }))
    .filter((s) => s.mlps.length > 0);
  const counts = new Set(perScope.map((s) => s.mlps.length));
  if (counts.size > 1) {
    throw new UserError(`${file}: the If branches hold different numbers of MLP blocks (${[...counts].join(' vs ')})`);
  }
  const out: SiteLinear[] = [];
  for (const { g, mlps } of perScope) {
    for (const mlp of mlps) {
      for (const { role, linear, site } of mlp.linears) {
        const id = siteId(modelType, mlp.ordinal, role, { weightName: linear.weightName, nodeName: linear.node.name });
        out.push({ id, layer: mlp.ordinal, role, scope: g, linear, site });
      }
    }
  }
  return out;
}

export function discoverSites(model: ModelProto, file: string, modelType: string | undefined, hidden?: number): Site[] {
  const sites = new Map<string, Site>();
  for (const { id, layer, role, scope, linear, site } of discoverSiteLinears(model, file, modelType, hidden)) {
    const placement: Placement = { scope: scope.path, tensor: site.tensor, elemType: linear.elemType, ...(site.fused ? { fused: site.fused } : {}) };
    const existing = sites.get(id);
    if (existing) existing.placements.push(placement);
    else sites.set(id, { id, layer, kind: KIND_OF_ROLE[role], neurons: linear.outDim, tensor: site.tensor, placements: [placement] });
  }
  return [...sites.values()];
}

/** A user-named float tensor as a site; its width is found when the session first runs it. */
export function customSite(model: ModelProto, file: string, tensor: string, known: Site[] = []): Site {
  const same = known.find((k) => k.placements.some((p) => p.tensor === tensor));
  if (same) throw new UserError(`custom site "${tensor}" is the output of ${same.id}; use that site id`);
  const main = new GraphIndex(model.graph!);
  for (const g of searchScopes(main)) {
    if (g.producers.has(tensor) || g.inputNames.has(tensor) || g.initializers.has(tensor)) {
      const vi = [...g.graph.valueInfo, ...g.graph.output, ...g.graph.input].find((v) => v.name === tensor);
      const dims = vi?.type?.value.case === 'tensorType' ? vi.type.value.value.shape?.dim : undefined;
      checkCustomSiteTensor(g, file, tensor, dims?.length);
      const last = dims?.[dims.length - 1]?.value;
      const neurons = last?.case === 'dimValue' ? Number(last.value) : 0;
      const elemType = tensorElemType(g, tensor)?.type ?? 1;
      return { id: `custom:${tensor}`, layer: -1, kind: 'custom', neurons, tensor, placements: [{ scope: g.path, tensor, elemType }] };
    }
  }
  throw new UserError(`${file}: no tensor named "${tensor}" in the graph (custom site)`);
}
