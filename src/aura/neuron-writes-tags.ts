// Tags the strongest experts of a profile as generation (they write toxic tokens) or detection (they
// only fire on the concept), for the demo's summary and for any caller that wants the split at once.
import { neuronWritesMany, WRITES_TOP } from './neuron-writes';
import type { ExpertRole } from './neuron-writes';
import type { SiteAuroc } from './experts';
import type { LanguageModel } from '../engine/model';

export interface ExpertTags {
  /** Experts tagged: the `n` highest-AUROC neurons (AUROC > 0.5) of hidden-layer sites. */
  tagged: number;
  generation: number;
  detection: number;
  experts: { siteId: string; neuron: number; auroc: number; role: ExpertRole; toxicPromoted: number }[];
}

const HIDDEN_KINDS = new Set(['mlp.in', 'mlp.gate', 'mlp.up']);

export function tagStrongestExperts(model: LanguageModel, sites: readonly SiteAuroc[], n: number, toxicTokens?: ReadonlySet<number>): ExpertTags {
  const hidden = new Set(model.sites.filter((s) => HIDDEN_KINDS.has(s.kind)).map((s) => s.id));
  const all: { siteId: string; neuron: number; auroc: number }[] = [];
  for (const s of sites) {
    if (!hidden.has(s.siteId)) continue;
    s.auroc.forEach((auroc, neuron) => {
      if (auroc > 0.5) all.push({ siteId: s.siteId, neuron, auroc });
    });
  }
  all.sort((a, b) => b.auroc - a.auroc || a.siteId.localeCompare(b.siteId) || a.neuron - b.neuron);
  const top = all.slice(0, n);
  const writes = neuronWritesMany(model, top, WRITES_TOP, toxicTokens);
  const experts = top.map((e, k) => ({ ...e, role: writes[k]!.role, toxicPromoted: writes[k]!.toxicPromoted }));
  const generation = experts.filter((e) => e.role === 'generation').length;
  return { tagged: experts.length, generation, detection: experts.length - generation, experts };
}
