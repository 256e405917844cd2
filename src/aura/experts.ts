/**
 * Expert neurons across all sites, ranked by AUROC. The order is fully deterministic, because top-k
 * methods cut through ties: AUROC descending, then site order, then neuron index.
 */
import { AuraUserError } from './errors';

/** The AUROC of every neuron of one site; sites are given in model order. */
export interface SiteAuroc {
  siteId: string;
  auroc: Float64Array;
}

export interface RankedNeuron {
  site: string;
  neuron: number;
  auroc: number;
}

/** Checks every AUROC is a number in [0, 1]; a NaN would silently break the ranking. */
export function checkAurocs(sites: readonly SiteAuroc[]): void {
  const seen = new Set<string>();
  for (const { siteId, auroc } of sites) {
    if (seen.has(siteId)) throw new AuraUserError(`site ${siteId}: listed twice`);
    seen.add(siteId);
    for (let i = 0; i < auroc.length; i++) {
      const v = auroc[i];
      if (!(v >= 0 && v <= 1)) throw new AuraUserError(`site ${siteId}: AUROC of neuron ${i} is ${v}; expected a number in [0, 1]`);
    }
  }
}

/** All AUROCs in one array, sites concatenated in order: the "global index" used below. */
function concatAurocs(sites: readonly SiteAuroc[]): Float64Array {
  let total = 0;
  for (const s of sites) total += s.auroc.length;
  const all = new Float64Array(total);
  let off = 0;
  for (const s of sites) {
    all.set(s.auroc, off);
    off += s.auroc.length;
  }
  return all;
}

/**
 * Global indices of the k best neurons, ascending. A numeric sort of a copy finds the k-th value
 * (fast even for a million neurons); neurons tied with it are taken in global order until k are chosen.
 */
export function topKIndices(all: Float64Array, k: number): Uint32Array {
  const n = all.length;
  if (k <= 0) return new Uint32Array(0);
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const threshold = k <= HEAP_K ? kthLargest(all, k) : all.slice().sort()[n - k]!;
  let above = 0;
  for (let i = 0; i < n; i++) if (all[i] > threshold) above++;
  let ties = k - above;
  const out = new Uint32Array(k);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = all[i];
    if (v > threshold || (v === threshold && ties-- > 0)) out[m++] = i;
  }
  return out;
}

/** Up to this k a heap finds the k-th value: a full sort of a million neurons costs ~250 ms, the heap a few. */
const HEAP_K = 4096;

/** The k-th largest value (counting repeats), as `all.slice().sort()[n - k]`: a min-heap of the k largest seen. */
function kthLargest(all: Float64Array, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < all.length; i++) {
    const v = all[i]!;
    if (size < k) {
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (heap[p]! <= v) break;
        heap[c] = heap[p]!;
        c = p;
      }
      heap[c] = v;
    } else if (v > heap[0]!) {
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= k) break;
        const r = l + 1;
        const m = r < k && heap[r]! < heap[l]! ? r : l;
        if (heap[m]! >= v) break;
        heap[c] = heap[m]!;
        c = m;
      }
      heap[c] = v;
    }
  }
  return heap[0]!;
}

/** A mask per site of its k best neurons over all sites together (the Det0/Damp selection). */
export function topKMasks(sites: readonly SiteAuroc[], k: number): Uint8Array[] {
  const chosen = topKIndices(concatAurocs(sites), k);
  const masks = sites.map((s) => new Uint8Array(s.auroc.length));
  let site = 0;
  let start = 0;
  for (const g of chosen) {
    while (g >= start + masks[site].length) start += masks[site++].length;
    masks[site][g - start] = 1;
  }
  return masks;
}

/**
 * Neurons sorted by AUROC, best first (ties: site order, then neuron index). With `limit`, the best
 * `limit` are picked by a native numeric sort and only they get the slower comparator sort and an
 * object each, so a panel showing the top 500 of 100k neurons stays cheap.
 */
export function rankNeurons(sites: readonly SiteAuroc[], limit?: number): RankedNeuron[] {
  checkAurocs(sites);
  const all = concatAurocs(sites);
  const idx = limit === undefined || limit >= all.length ? Uint32Array.from({ length: all.length }, (_, i) => i) : topKIndices(all, limit);
  idx.sort((a, b) => all[b] - all[a] || a - b);
  const siteOf = new Uint32Array(all.length);
  const starts: number[] = [];
  let off = 0;
  sites.forEach((s, i) => {
    starts.push(off);
    siteOf.fill(i, off, off + s.auroc.length);
    off += s.auroc.length;
  });
  return Array.from(idx, (g) => {
    const s = siteOf[g];
    return { site: sites[s].siteId, neuron: g - starts[s], auroc: all[g] };
  });
}
