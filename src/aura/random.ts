/**
 * Seeded pseudo-random numbers, so sampling the concept data and shuffling give the same result for
 * the same seed on every machine (Math.random cannot be seeded).
 */

/** mulberry32, the engine's seeded generator (one implementation for sampling text and data alike). */
export { seededRng as mulberry32 } from '../engine/generation/random';

/** A uniform integer in [0, n). */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[], rng: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(rng, i + 1);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}
