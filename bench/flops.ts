// Floating-point work of a GPT-2 forward pass, counted from the batch shapes actually run (padding
// included: the model computes it), so a benchmark can print achieved GFLOP/s next to the matmul rate.
export interface Gpt2Shape {
  layers: number;
  d: number;
  inner: number;
  vocab: number;
}

export function gpt2Shape(config: Record<string, unknown>): Gpt2Shape {
  const d = config.n_embd as number;
  return { layers: config.n_layer as number, d, inner: (config.n_inner as number | null) ?? 4 * d, vocab: config.vocab_size as number };
}

/**
 * Multiply-adds x2 of the matmuls: per token and layer QKV (6d^2), attention output (2d^2), MLP
 * (4·d·inner), and the attention itself (2·2·width·d for scores and values); the LM head adds 2·d·vocab.
 */
export function forwardFlops(shape: Gpt2Shape, batches: { rows: number; width: number }[], withHead: boolean): number {
  let f = 0;
  for (const b of batches) {
    const tokens = b.rows * b.width;
    const perTokenLayer = 8 * shape.d * shape.d + 4 * shape.d * shape.inner + 4 * b.width * shape.d;
    f += tokens * shape.layers * perTokenLayer + (withHead ? tokens * 2 * shape.d * shape.vocab : 0);
  }
  return f;
}

/**
 * The batches a pipeline runs: consecutive groups of `batchSize` texts in the order given, each padded
 * to its longest text rounded up to a multiple of `multiple` (ml-aura's collator pads to a multiple of 2).
 */
export function paddedBatches(lengths: readonly number[], batchSize: number, multiple = 1): { rows: number; width: number }[] {
  const out: { rows: number; width: number }[] = [];
  for (let i = 0; i < lengths.length; i += batchSize) {
    const chunk = lengths.slice(i, i + batchSize);
    const longest = Math.max(...chunk);
    out.push({ rows: chunk.length, width: Math.ceil(longest / multiple) * multiple });
  }
  return out;
}

/** Tokens the model computes, padding included. */
export function paddedTokens(batches: readonly { rows: number; width: number }[]): number {
  return batches.reduce((a, b) => a + b.rows * b.width, 0);
}
