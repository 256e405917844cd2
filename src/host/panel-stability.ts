// The panel's view of a profile's split-half stability (docs/statistics.md): the verdict from
// summary.json and, per row of the ranking, whether the neuron is in the top 100 of both halves.
import { existsSync, readFileSync } from 'node:fs';
import { readStability } from '../aura/profile/score';
import { halfAurocPath } from '../aura/profile/store';
import { neuronStability } from '../aura/stats/stability';
import type { Pooling } from '../aura/profile/store';
import type { ExpertStats, ExpertsSnapshot } from '../shared/protocol';

export const STABLE_BADGE = { none: 0, stable: 1, unstable: 2 } as const;

/** Nothing for a profile written before stability existed, a sketch, or another pooling than the profile's own. */
export function stabilityStatsFrom(dir: string, pooling: Pooling, e: Pick<ExpertsSnapshot, 'sites' | 'site' | 'neuron'>): Pick<ExpertStats, 'stability' | 'stableBadge'> {
  const st = readStability(dir);
  if (!st || 'unavailable' in st) return {};
  const stability = { topK: st.topK, spearman: st.spearman, stable: st.stable, rule: st.rule, ...(st.warning ? { warning: st.warning } : {}) };
  const files = e.sites.map((s) => [halfAurocPath(dir, s.id, pooling, 'a'), halfAurocPath(dir, s.id, pooling, 'b')] as const);
  if (!files.every(([a, b]) => existsSync(a) && existsSync(b))) return { stability };
  const read = (f: string) => new Float64Array(Uint8Array.from(readFileSync(f)).buffer);
  const concat = (half: 0 | 1) => {
    const parts = files.map((f) => read(f[half]));
    const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return { out, parts };
  };
  const a = concat(0);
  const b = concat(1);
  if (a.parts.some((p, i) => p.length !== e.sites[i]!.neurons) || b.out.length !== a.out.length) return { stability };
  const { inA, inB } = neuronStability(a.out, b.out);
  const start: number[] = [];
  let off = 0;
  for (const s of e.sites) {
    start.push(off);
    off += s.neurons;
  }
  const badge = new Uint32Array(e.site.length);
  for (let r = 0; r < badge.length; r++) {
    const g = start[e.site[r]!]! + e.neuron[r]!;
    const n = inA[g]! + inB[g]!;
    badge[r] = n === 2 ? STABLE_BADGE.stable : n === 1 ? STABLE_BADGE.unstable : STABLE_BADGE.none;
  }
  return { stability, stableBadge: badge };
}
