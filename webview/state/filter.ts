// Which ranked rows the table shows: filters by site, layer and AUROC range, and a search by id
// ("transformer.h.3.mlp.c_fc:1234", "c_fc:1234", "h.3", or a neuron number like "1234").
import type { ExpertsSnapshot } from '../../src/shared/protocol';
import type { Filter } from './ui-state';

export interface SearchQuery {
  /** Lower-case substring of the site id. */
  site?: string;
  neuron?: number;
}

export function parseSearch(q: string): SearchQuery | null {
  const s = q.trim().toLowerCase();
  if (s === '') return null;
  if (/^\d+$/.test(s)) return { neuron: Number(s) };
  const m = /^(.*?)\s*[:#\s]\s*(\d+)$/.exec(s);
  if (m && m[1]) return { site: m[1], neuron: Number(m[2]) };
  return { site: s };
}

/** Indices of the rows that pass, in rank order. */
export function filterRows(e: ExpertsSnapshot, filter: Filter, search: string): Uint32Array {
  const q = parseSearch(search);
  if (!q && filter.site === null && filter.layer === null && filter.aurocMin <= 0 && filter.aurocMax >= 1) {
    // Nothing filtered (the common first render): every row, in rank order.
    const all = new Uint32Array(e.auroc.length);
    for (let i = 0; i < all.length; i++) all[i] = i;
    return all;
  }
  const siteOk = e.sites.map(
    (s) => (filter.site === null || s.id === filter.site) && (filter.layer === null || s.layer === filter.layer) && (!q?.site || s.id.toLowerCase().includes(q.site)),
  );
  const out = new Uint32Array(e.auroc.length);
  let n = 0;
  for (let i = 0; i < e.auroc.length; i++) {
    const a = e.auroc[i]!;
    if (!siteOk[e.site[i]!] || a < filter.aurocMin || a > filter.aurocMax) continue;
    if (q?.neuron !== undefined && e.neuron[i] !== q.neuron) continue;
    out[n++] = i;
  }
  return out.subarray(0, n);
}

/** The row of a neuron in the full ranking, or -1. */
export function rowOf(e: ExpertsSnapshot, site: string, neuron: number): number {
  const s = e.sites.findIndex((x) => x.id === site);
  if (s < 0) return -1;
  for (let i = 0; i < e.site.length; i++) if (e.site[i] === s && e.neuron[i] === neuron) return i;
  return -1;
}
