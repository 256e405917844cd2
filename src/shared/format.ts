// Numbers as aura-lens shows them, in the panel, the status bar, notifications and the log alike:
// counts with thousands separators (always en-US, so a log reads the same on every machine), values
// with a fixed number of decimals, shares as whole percentages. One place, so they cannot diverge.

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count: 204800 -> "204,800". */
export const int = (n: number): string => (Number.isFinite(n) ? COUNT.format(n) : '–');
/** A value with `d` decimals: fixed(0.51234) -> "0.512". */
export const fixed = (n: number, d = 3): string => (Number.isFinite(n) ? n.toFixed(d) : '–');
/** A share in [0, 1] as a whole percentage: 0.25 -> "25%". */
export const pct = (n: number): string => (Number.isFinite(n) ? `${Math.round(n * 100)}%` : '–');
/** Seconds, one decimal below a minute: 3.14 -> "3.1 s", 125 -> "2 min 5 s". */
export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${int(m)} min ${Math.round(s - m * 60)} s`;
}
