// The experts table's data: every profiled neuron ranked by AUROC, in typed-array columns so a
// million rows cross to the page (and from the model worker) as three binary buffers, not as JSON.
import { rankNeurons } from '../aura/experts';
import type { SiteAuroc } from '../aura/experts';
import type { ExpertsSnapshot, SiteInfo } from '../shared/protocol';

export interface ProfileFacts {
  source: string;
  positives: number;
  negatives: number;
  pooling: 'max' | 'mean';
}

export function expertsSnapshot(aurocs: readonly SiteAuroc[], modelSites: readonly SiteInfo[], facts: ProfileFacts): ExpertsSnapshot {
  const byId = new Map(modelSites.map((s) => [s.id, s]));
  const sites: SiteInfo[] = aurocs.map((a) => byId.get(a.siteId) ?? { id: a.siteId, layer: -1, kind: 'custom', neurons: a.auroc.length });
  const index = new Map(sites.map((s, i) => [s.id, i]));
  const ranked = rankNeurons(aurocs);
  const site = new Uint32Array(ranked.length);
  const neuron = new Uint32Array(ranked.length);
  const auroc = new Float64Array(ranked.length);
  ranked.forEach((r, i) => {
    site[i] = index.get(r.site)!;
    neuron[i] = r.neuron;
    auroc[i] = r.auroc;
  });
  return { ...facts, sites, site, neuron, auroc, perLayer: perLayer(aurocs, sites) };
}

function perLayer(aurocs: readonly SiteAuroc[], sites: readonly SiteInfo[]): ExpertsSnapshot['perLayer'] {
  const layers = new Map<number, { layer: number; experts: number; neurons: number; best: number }>();
  aurocs.forEach((a, i) => {
    const layer = sites[i]!.layer;
    const entry = layers.get(layer) ?? { layer, experts: 0, neurons: 0, best: 0 };
    for (const v of a.auroc) {
      if (v > 0.5) entry.experts++;
      if (v > entry.best) entry.best = v;
    }
    entry.neurons += a.auroc.length;
    layers.set(layer, entry);
  });
  return [...layers.values()].sort((a, b) => a.layer - b.layer);
}
