/**
 * Held-out AUROC (issue 9, item 1): the examples of each class are shuffled with a seeded
 * mulberry32 and the first round(F * count) are held out; the ranking sees only the rest, and the
 * AUROC reported for an expert is measured on texts that did not choose it.
 */
import { AuraUserError } from '../errors';
import { mulberry32, shuffleInPlace } from '../random';

export interface ClassSplit {
  /** Row indices (within the class) kept for ranking and held out, each ascending. */
  rank: Uint32Array;
  held: Uint32Array;
}

/** Splits `count` rows: the same seed gives the same split on every machine. */
export function splitClass(count: number, fraction: number, seed: number): ClassSplit {
  const idx = shuffleInPlace(Array.from({ length: count }, (_, i) => i), mulberry32(seed));
  const h = Math.floor(fraction * count + 0.5);
  return { held: Uint32Array.from(idx.slice(0, h)).sort(), rank: Uint32Array.from(idx.slice(h)).sort() };
}

/** The toxic and non-toxic splits; toxic uses `seed`, non-toxic `seed + 1`. Each part needs both classes. */
export function heldOutSplit(P: number, Q: number, fraction: number, seed = 0): { pos: ClassSplit; neg: ClassSplit } {
  if (!(fraction > 0 && fraction < 1)) throw new AuraUserError(`--held-out: ${fraction} is not a fraction in (0, 1)`);
  const pos = splitClass(P, fraction, seed);
  const neg = splitClass(Q, fraction, seed + 1);
  for (const [name, part] of [['held-out', 'held'], ['ranking', 'rank']] as const) {
    if (pos[part].length === 0 || neg[part].length === 0) {
      throw new AuraUserError(`--held-out ${fraction}: the ${name} part has ${pos[part].length} toxic and ${neg[part].length} non-toxic examples; each class needs at least one`);
    }
  }
  return { pos, neg };
}

/** Rows `rows` of a row-major [*, n] matrix, as a new matrix. */
export function selectRows(m: Float32Array, n: number, rows: Uint32Array): Float32Array {
  const out = new Float32Array(rows.length * n);
  rows.forEach((r, i) => out.set(m.subarray(r * n, (r + 1) * n), i * n));
  return out;
}
