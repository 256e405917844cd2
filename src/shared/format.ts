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
/**
 * `part` of `total` as a percentage that never rounds a non-empty part to "0%" nor a partial one to
 * "100%": whole percentages from 1% to 99%, two significant digits below ("0.17%"), and as many
 * decimals as it takes above ("99.98%").
 */
export function sharePct(part: number, total: number): string {
  if (!Number.isFinite(part) || !Number.isFinite(total) || total <= 0) return '–';
  if (part <= 0) return '0%';
  if (part >= total) return '100%';
  const p = (part / total) * 100;
  if (p < 1) return `${Number(p.toPrecision(2))}%`;
  for (let d = 0; d < 6; d++) {
    const r = Number(p.toFixed(d));
    if (r >= 1 && r < 100) return `${r}%`;
  }
  return `${p}%`;
}
/** Seconds, one decimal below a minute: 3.14 -> "3.1 s", 125 -> "2 min 5 s". */
export function seconds(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${int(m)} min ${Math.round(s - m * 60)} s`;
}
