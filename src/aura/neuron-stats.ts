/**
 * Per-neuron summaries for the expert panel: how strongly a neuron fires on toxic vs non-toxic text,
 * next to its AUROC (which says how well it separates them, not how strongly it fires).
 */
import { responseShape } from './auroc';
import type { ResponseMatrix } from './auroc';

export interface NeuronStats {
  /** Float64Array(n) each. NaN responses propagate into the means (AUROC rejects them first). */
  meanPositive: Float64Array;
  meanNegative: Float64Array;
  maxPositive: Float64Array;
  maxNegative: Float64Array;
}

/** Mean and max pooled response per class for every neuron, in one row-major pass over each matrix. */
export function neuronStats(pos: ResponseMatrix, neg: ResponseMatrix, n: number): NeuronStats {
  const { positives, negatives } = responseShape(pos, neg, n);
  const [meanPositive, maxPositive] = meanAndMax(pos, n, positives);
  const [meanNegative, maxNegative] = meanAndMax(neg, n, negatives);
  return { meanPositive, meanNegative, maxPositive, maxNegative };
}

function meanAndMax(m: ResponseMatrix, n: number, rows: number): [Float64Array, Float64Array] {
  const sum = new Float64Array(n);
  const max = new Float64Array(n).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let j = 0; j < n; j++) {
      const v = m[base + j];
      sum[j] += v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < n; j++) sum[j] /= rows;
  return [sum, max];
}
