// The panel's "Compare concepts" card (issue 20, item 9): the open profile against a second profile
// of the same model, with the CLI's functions (`aura-lens compare`), so both report the same numbers.
// The page gets the overlaps and a scatter of at most `maxPoints` neurons: every neuron of a small
// model, else the top k of each profile plus a seeded sample of the rest (a million dots would cost
// the page seconds and show nothing more).
import { basename } from 'node:path';
import { compareAurocs, readProfilePair } from '../aura/concepts';
import { topKIndices } from '../aura/experts';
import { mulberry32, randomInt } from '../aura/random';
import type { ComparisonSnapshot } from '../shared/protocol';

export interface CompareOptions {
  /** The top-k set's size (the CLI's --k). */
  k?: number;
  /** Most points the scatter gets. */
  maxPoints?: number;
  seed?: number;
}

export const COMPARE_DEFAULTS = { k: 100, maxPoints: 5000, seed: 1 } as const;

/** Throws the CLI's one-line AuraUserError when B profiles another model or other sites than A. */
export function compareProfiles(dirA: string, dirB: string, o: CompareOptions = {}): ComparisonSnapshot {
  const k = o.k ?? COMPARE_DEFAULTS.k;
  const maxPoints = o.maxPoints ?? COMPARE_DEFAULTS.maxPoints;
  const seed = o.seed ?? COMPARE_DEFAULTS.seed;
  const pair = readProfilePair(dirA, dirB);
  const a = concat(pair.sites.map((s) => s.a));
  const b = concat(pair.sites.map((s) => s.b));
  // The CLI's figures exactly; the top sets again (a heap pass each) to mark them in the scatter.
  const c = compareAurocs(a, b, k);
  const topA = topKIndices(a, c.topK.k);
  const topB = topKIndices(b, c.topK.k);
  const { index, top, random } = scatterSample(a.length, topA, topB, maxPoints, seed);
  const x = new Float64Array(index.length);
  const y = new Float64Array(index.length);
  for (let i = 0; i < index.length; i++) {
    x[i] = a[index[i]!]!;
    y[i] = b[index[i]!]!;
  }
  const name = (dir: string, source: string) => `${basename(dir) || dir} (${source})`;
  const [ma, mb] = pair.manifests;
  return {
    a: name(dirA, ma.data.source).slice(0, 1000),
    b: name(dirB, mb.data.source).slice(0, 1000),
    neurons: c.neurons,
    experts: c.experts,
    topK: c.topK,
    x,
    y,
    top,
    sample: { random, seed, top: index.length - random },
  };
}

/**
 * Which neurons the scatter shows, in ascending index order: all of them when they fit, else the top k
 * of A and of B (flagged 1, 2, or 3 for both) and a seeded sample of the others (draws with a Set,
 * no array of every index).
 */
export function scatterSample(n: number, topA: Uint32Array, topB: Uint32Array, maxPoints: number, seed: number): { index: Uint32Array; top: Uint32Array; random: number } {
  const flags = new Map<number, number>();
  for (const i of topA) flags.set(i, 1);
  for (const i of topB) flags.set(i, (flags.get(i) ?? 0) | 2);
  const chosen = new Set<number>(flags.keys());
  const budget = Math.max(0, maxPoints - chosen.size);
  if (n <= maxPoints) {
    for (let i = 0; i < n; i++) chosen.add(i);
  } else {
    // Distinct neurons outside the top sets, drawn until the budget is met: n > maxPoints >= budget +
    // the top sets, so the draws end, and since budget is a few thousand they end quickly.
    const rng = mulberry32(seed);
    let left = budget;
    while (left > 0) {
      const t = randomInt(rng, n);
      if (chosen.has(t)) continue;
      chosen.add(t);
      left--;
    }
  }
  const index = Uint32Array.from(chosen).sort();
  const top = new Uint32Array(index.length);
  let random = 0;
  for (let r = 0; r < index.length; r++) {
    top[r] = flags.get(index[r]!) ?? 0;
    if (top[r] === 0) random++;
  }
  return { index, top, random };
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
