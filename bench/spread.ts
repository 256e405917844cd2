// The spread of repeated measurements: a figure from one run on a shared machine can be a lucky or an
// unlucky minute, so the tables give the median of the runs with their min and max beside it.
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median (mean of the middle two for an even count), min and max; refuses an empty or non-finite list. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread: no values');
  if (values.some((v) => !Number.isFinite(v))) throw new Error(`spread: a value is not finite (${values.join(', ')})`);
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, runs: s.length };
}

/** "4.2 (3.9–4.8, 5 runs)": the median, then the range it came from. */
export function fmtSpread(s: Spread, digits = 1, unit = ''): string {
  return `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, ${s.runs} run${s.runs === 1 ? '' : 's'})`;
}
