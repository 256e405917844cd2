// How strongly the experts fire on each token of a text, for the editor's highlights. Each expert's
// activation is divided by its typical pooled response on the toxic examples (so 1 means "as strongly
// as on a typical toxic sentence"), clamped to [0, 1], and weighted by how much the method dampens it
// (1 - gain at full strength, so the highlight does not vanish at strength 0).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpertsSnapshot } from '../shared/protocol';
import type { TextActivations } from './model-host/api';

export interface ScoredExpert {
  site: string;
  neuron: number;
  auroc: number;
  /** Full-strength gain under the current method. */
  gain: number;
  /** Typical pooled response on the toxic examples (the normaliser). */
  scale: number;
}

export interface TokenScore {
  text: string;
  start: number;
  end: number;
  /** In [0, 1]: the weighted mean of the experts' normalised activations. */
  score: number;
  /** The experts that contribute most to this token, strongest first. */
  top: { site: string; neuron: number; auroc: number; activation: number; contribution: number }[];
}

/** The best experts of a snapshot (AUROC > 0.5), in rank order. */
export function topExperts(experts: ExpertsSnapshot, count: number): { site: string; neuron: number; auroc: number }[] {
  const out: { site: string; neuron: number; auroc: number }[] = [];
  for (let i = 0; i < experts.auroc.length && out.length < count && experts.auroc[i]! > 0.5; i++) {
    out.push({ site: experts.sites[experts.site[i]!]!.id, neuron: experts.neuron[i]!, auroc: experts.auroc[i]! });
  }
  return out;
}

export function scoreTokens(acts: TextActivations, experts: readonly ScoredExpert[], widths: ReadonlyMap<string, number>, topPerToken = 3): TokenScore[] {
  const weights = experts.map((e) => (e.gain < 1 ? 1 - e.gain : Math.max(0, 2 * (e.auroc - 0.5))));
  const total = weights.reduce((a, w) => a + w, 0) || 1;
  return acts.tokens.map((tok, t) => {
    const parts = experts.map((e, i) => {
      const n = widths.get(e.site)!;
      const activation = acts.values.get(e.site)![t * n + e.neuron]!;
      const normalised = Math.min(1, Math.max(0, activation / (e.scale > 0 ? e.scale : 1)));
      return { site: e.site, neuron: e.neuron, auroc: e.auroc, activation, contribution: (weights[i]! * normalised) / total };
    });
    const score = parts.reduce((a, p) => a + p.contribution, 0);
    const top = parts.filter((p) => p.contribution > 0).sort((a, b) => b.contribution - a.contribution).slice(0, topPerToken);
    return { ...tok, score, top };
  });
}

/**
 * Per site, each neuron's mean pooled response on the toxic examples (stats.json of a profile); where
 * that is not positive, its largest response on them.
 */
/** The scales of the listed neurons (1 where the profile keeps none). Runs in the model process. */
export async function expertScales(profileDir: string, experts: readonly { site: string; neuron: number }[]): Promise<number[]> {
  const scales = await responseScales(profileDir);
  return experts.map((e) => scales.get(e.site)?.[e.neuron] ?? 1);
}

export async function responseScales(profileDir: string): Promise<Map<string, Float64Array>> {
  // A sketch profile (opened with Open Profile Folder) keeps no per-neuron statistics: every scale is then 1.
  if (!existsSync(join(profileDir, 'stats.json'))) return new Map();
  const stats = JSON.parse(await readFile(join(profileDir, 'stats.json'), 'utf8')) as { sites: Record<string, { meanPositive: number[]; maxPositive: number[] }> };
  const out = new Map<string, Float64Array>();
  for (const [site, s] of Object.entries(stats.sites)) out.set(site, Float64Array.from(s.meanPositive, (v, j) => (v > 0 ? v : (s.maxPositive[j] ?? 1))));
  return out;
}
