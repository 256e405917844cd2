// The tokens a neuron fires on most, aggregated over many examples: five example texts can be
// near-duplicates, while counting the peak tokens of a few dozen shows what the neuron responds to.

export interface TokenValue {
  text: string;
  value: number;
}

export interface TopToken {
  text: string;
  /** How many examples have this token among their `perExample` highest activations. */
  count: number;
  mean: number;
  max: number;
}

/**
 * For each example, its `perExample` tokens with the highest activation; the same token text (trimmed,
 * case-folded: " Idiot" and "idiot" are one word to a reader) is merged across examples. Sorted by
 * count, then mean activation; at most `limit`.
 */
export function aggregateTopTokens(examples: readonly (readonly TokenValue[])[], perExample = 3, limit = 12): TopToken[] {
  const acc = new Map<string, { text: string; count: number; sum: number; max: number }>();
  for (const tokens of examples) {
    const peaks = tokens
      .map((t, i) => ({ t, i }))
      .filter(({ t }) => t.text.trim() !== '' && Number.isFinite(t.value))
      .sort((a, b) => b.t.value - a.t.value || a.i - b.i)
      .slice(0, perExample);
    for (const { t } of peaks) {
      const key = t.text.trim().toLowerCase();
      const e = acc.get(key) ?? { text: t.text.trim(), count: 0, sum: 0, max: -Infinity };
      e.count++;
      e.sum += t.value;
      e.max = Math.max(e.max, t.value);
      acc.set(key, e);
    }
  }
  return [...acc.values()]
    .map((e) => ({ text: e.text, count: e.count, mean: e.sum / e.count, max: e.max }))
    .sort((a, b) => b.count - a.count || b.mean - a.mean || (a.text < b.text ? -1 : 1))
    .slice(0, limit);
}
