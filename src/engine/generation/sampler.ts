import { softmax } from './logits-processors';
import type { Rng } from './random';

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}

/** One draw from softmax(logits) with the given generator. */
export function sample(logits: Float32Array, rng: Rng): number {
  const probs = softmax(logits);
  let r = rng();
  for (let i = 0; i < probs.length; i++) {
    r -= probs[i]!;
    if (r <= 0) return i;
  }
  // NaN probabilities (a row with no finite logit): the most likely token, never an arbitrary last id.
  if (probs.some(Number.isNaN)) return argmax(logits);
  // Rounding left r just above 0: the last token with any probability.
  let last = probs.length - 1;
  while (last > 0 && probs[last] === 0) last--;
  return last;
}
