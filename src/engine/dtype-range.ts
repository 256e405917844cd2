// Factors a float16 model cannot hold. A gain of 1e6 is finite in the float32 the intervention file
// holds, but it becomes Infinity when cast to float16 for an fp16 site (or folded into fp16 weights),
// and the model then gives NaN perplexity and repeats one token with exit 0. Such values are refused
// when an intervention meets a model, naming the site, the vector and the neuron.
import { UserError } from './errors';

/** Float16's largest finite value; anything of magnitude >= FLOAT16_OVERFLOW rounds to Infinity. */
export const FLOAT16_MAX = 65504;
export const FLOAT16_OVERFLOW = 65520;

/** The first value of `values` that overflows float16, as [index, value], or undefined. */
export function float16Overflow(values: ArrayLike<number>): [number, number] | undefined {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(Math.abs(v) < FLOAT16_OVERFLOW) && !Number.isNaN(v)) return [i, v];
  }
  return undefined;
}

/** Throws a one-line UserError when a vector of factors of a float16 site overflows float16. */
export function checkFloat16Factors(siteId: string, vectors: Record<string, ArrayLike<number> | undefined>, what = 'intervention'): void {
  for (const [name, values] of Object.entries(vectors)) {
    if (!values) continue;
    const bad = float16Overflow(values);
    if (bad) {
      throw new UserError(
        `${what}: site ${siteId} ${name}[${bad[0]}] is ${bad[1]}, which overflows float16 (largest finite ${FLOAT16_MAX}), the type of this site in the model; use a smaller factor or a float32 model`,
      );
    }
  }
}
