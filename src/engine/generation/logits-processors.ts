// Logits processors as small pure steps applied in the order Hugging Face applies them:
// repetition penalty, temperature, top-k, top-p. Each works on one row of logits in place.
export interface SamplingOptions {
  /** Undefined or 0: greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  repetitionPenalty?: number;
}

export type LogitsProcessor = (logits: Float32Array, history: readonly number[]) => void;

export function repetitionPenalty(penalty: number): LogitsProcessor {
  return (logits, history) => {
    for (const id of new Set(history)) {
      const v = logits[id]!;
      logits[id] = v < 0 ? v * penalty : v / penalty;
    }
  };
}

/**
 * Divides by t after subtracting the row's largest logit: softmax is unchanged by the shift, and every
 * quotient is then <= 0, so a tiny t (down to 5e-324) sends the others to -Infinity and keeps the most
 * likely tokens at 0 instead of overflowing them to Infinity (whose softmax is NaN).
 */
export function temperature(t: number): LogitsProcessor {
  return (logits) => {
    let max = -Infinity;
    for (const v of logits) if (v > max) max = v;
    if (!Number.isFinite(max)) return;
    for (let i = 0; i < logits.length; i++) {
      const d = logits[i]! - max;
      logits[i] = d === 0 ? 0 : d / t;
    }
  };
}

export function topK(k: number): LogitsProcessor {
  return (logits) => {
    if (k <= 0 || k >= logits.length) return;
    const threshold = Float32Array.from(logits).sort()[logits.length - k]!;
    for (let i = 0; i < logits.length; i++) if (logits[i]! < threshold) logits[i] = -Infinity;
  };
}

/** Keeps the smallest set of most likely tokens whose probability reaches p (at least one). */
export function topP(p: number): LogitsProcessor {
  return (logits) => {
    if (p >= 1) return;
    const probs = softmax(logits);
    const order = Array.from(probs.keys()).sort((a, b) => probs[b]! - probs[a]!);
    let cum = 0;
    let keep = 0;
    while (keep < order.length && (keep === 0 || cum < p)) cum += probs[order[keep++]!]!;
    for (let i = keep; i < order.length; i++) logits[order[i]!] = -Infinity;
  };
}

export function processorsFor(o: SamplingOptions): LogitsProcessor[] {
  const list: LogitsProcessor[] = [];
  if (o.repetitionPenalty && o.repetitionPenalty !== 1) list.push(repetitionPenalty(o.repetitionPenalty));
  if (o.temperature && o.temperature > 0) {
    if (o.temperature !== 1) list.push(temperature(o.temperature));
    if (o.topK) list.push(topK(o.topK));
    if (o.topP !== undefined && o.topP < 1) list.push(topP(o.topP));
  }
  return list;
}

export function softmax(logits: Float32Array): Float64Array {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}
