// The experts table as it crosses to the page: 11 bytes a neuron (5 without intervals or a held-out
// column) instead of ~50 in Float64/Uint32 columns. Both sides import this file: the host packs, the
// page unpacks into the ExpertsSnapshot its views read, so the views never see the wire form.
//
// Per row, in the ranking's order:
//   ref      3 bytes (4 past 2^22 neurons), little-endian: (site's first neuron + neuron) << 2 | stable badge
//   auroc    Uint16, ciLow / ciHigh / heldOut the same when the profile has them (see toUnit16)
// Moved off the per-row wire: q-values become per-layer significant counts (all the page drew from
// them; a neuron's own q-value is in its detail), the permutation null a sample of NULL_SAMPLE values.
import type { ExpertsPacked, ExpertsSnapshot } from './protocol';

/** Values of the permutation null sent for its histogram (its shape is drawn, not its size). */
export const NULL_SAMPLE = 4096;
/** Rows a 3-byte ref can name (22 bits of index, 2 of badge). */
export const REF3_LIMIT = 2 ** 22;
const UNIT = 65536;

/**
 * A value in [0, 1] in 16 bits: steps of 2^-16 (1.5e-5, well below what three decimals show, and exact
 * for AUROCs of 2^k texts), 1 kept exact, and which side of 0.5 a value lies on kept, so "expert"
 * (AUROC > 0.5) and "near chance" (interval reaching 0.5) read on the page as the host decided them.
 */
export function toUnit16(x: number): number {
  const c = Math.min(1, Math.max(0, x));
  let q = c >= 1 ? UNIT - 1 : Math.min(UNIT - 2, Math.round(c * UNIT));
  if (c > 0.5 && q <= UNIT / 2) q = UNIT / 2 + 1;
  else if (c < 0.5 && q >= UNIT / 2) q = UNIT / 2 - 1;
  return q;
}

export function fromUnit16(q: number): number {
  return q === UNIT - 1 ? 1 : q / UNIT;
}

function unit16(col: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(col.length);
  for (let i = 0; i < col.length; i++) out[i] = toUnit16(col[i]!);
  return out;
}

function units(col: Uint16Array): Float64Array {
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const q = col[i]!;
    out[i] = q === UNIT - 1 ? 1 : q / UNIT;
  }
  return out;
}

/** Every `n/max`-th value: the null sample is in bin order, so this keeps each bin's share. */
function thin(col: ArrayLike<number>, max: number): number[] {
  if (col.length <= max) return Array.from(col);
  return Array.from({ length: max }, (_, i) => col[Math.floor(((i + 0.5) * col.length) / max)]!);
}

/** The host's snapshot, packed; each column in an ArrayBuffer of its own (a view over a larger one would send all of it). */
export function packExperts(e: ExpertsSnapshot): ExpertsPacked {
  const { site, neuron, auroc, stats, ...rest } = e;
  const rows = auroc.length;
  const starts: number[] = [];
  let total = 0;
  for (const s of e.sites) {
    starts.push(total);
    total += s.neurons;
  }
  const refBytes = total <= REF3_LIMIT ? 3 : 4;
  if (total > 2 ** 30) throw new Error(`experts: ${total} neurons is more than the panel's wire can name (2^30)`);
  for (let i = 0; i < rows; i++) if (neuron[i]! >= e.sites[site[i]!]!.neurons) throw new Error(`experts: row ${i} names neuron ${neuron[i]} of ${e.sites[site[i]!]!.id}, which has ${e.sites[site[i]!]!.neurons}`);
  const badge = stats?.stableBadge;
  const ref = new Uint8Array(rows * refBytes);
  for (let i = 0; i < rows; i++) {
    const v = (((starts[site[i]!]! + neuron[i]!) << 2) | (badge ? badge[i]! & 3 : 0)) >>> 0;
    const o = i * refBytes;
    ref[o] = v & 0xff;
    ref[o + 1] = (v >>> 8) & 0xff;
    ref[o + 2] = (v >>> 16) & 0xff;
    if (refBytes === 4) ref[o + 3] = v >>> 24;
  }
  const packed: ExpertsPacked = { ...rest, perLayer: significantPerLayer(e), rows, refBytes, ref, auroc: unit16(auroc) };
  if (stats) {
    const { ciLow, ciHigh, heldOut, nullAuroc, qValue: _q, stableBadge: _b, ...small } = stats;
    packed.stats = {
      ...small,
      ...(badge ? { badge: true } : {}),
      ...(ciLow && ciHigh ? { ciLow: unit16(ciLow), ciHigh: unit16(ciHigh) } : {}),
      ...(heldOut ? { heldOut: unit16(heldOut) } : {}),
      ...(nullAuroc && nullAuroc.length ? { nullAuroc: unit16(thin(nullAuroc, NULL_SAMPLE)) } : {}),
    };
  }
  return packed;
}

/** The page's snapshot from the wire; `p` passed ExpertsPackedSchema (its refs name real neurons). */
export function unpackExperts(p: ExpertsPacked): ExpertsSnapshot {
  const { rows, refBytes, ref, auroc, stats, ...rest } = p;
  const n = p.sites.length;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  let total = 0;
  p.sites.forEach((s, i) => {
    starts[i] = total;
    total += s.neurons;
    ends[i] = total;
  });
  const site = new Uint32Array(rows);
  const neuron = new Uint32Array(rows);
  const badge = stats?.badge ? new Uint32Array(rows) : undefined;
  let s = 0;
  for (let i = 0, o = 0; i < rows; i++, o += refBytes) {
    const v = (ref[o]! | (ref[o + 1]! << 8) | (ref[o + 2]! << 16) | (refBytes === 4 ? ref[o + 3]! << 24 : 0)) >>> 0;
    const g = v >>> 2;
    // Rows are in AUROC order, not site order: search only when the row left the last one's site.
    if (g < starts[s]! || g >= ends[s]!) s = siteOf(starts, g);
    site[i] = s;
    neuron[i] = g - starts[s]!;
    if (badge) badge[i] = v & 3;
  }
  const out: ExpertsSnapshot = { ...rest, site, neuron, auroc: units(auroc) };
  if (stats) {
    const { ciLow, ciHigh, heldOut, nullAuroc, badge: _b, ...small } = stats;
    out.stats = {
      ...small,
      ...(ciLow && ciHigh ? { ciLow: units(ciLow), ciHigh: units(ciHigh) } : {}),
      ...(heldOut ? { heldOut: units(heldOut) } : {}),
      ...(nullAuroc ? { nullAuroc: units(nullAuroc) } : {}),
      ...(badge ? { stableBadge: badge } : {}),
    };
  }
  return out;
}

export function refAt(ref: Uint8Array, refBytes: number, i: number): number {
  const o = i * refBytes;
  return (ref[o]! | (ref[o + 1]! << 8) | (ref[o + 2]! << 16) | (refBytes === 4 ? ref[o + 3]! << 24 : 0)) >>> 0;
}

/** The site whose neurons include global index g (starts ascending). */
function siteOf(starts: Float64Array, g: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= g) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Per layer: rows with q <= bound and AUROC > 0.5 (what the per-layer chart counts), for the wire. */
export function significantPerLayer(e: ExpertsSnapshot): ExpertsSnapshot['perLayer'] {
  const q = e.stats?.qValue;
  if (!q) return e.perLayer;
  const bound = e.stats?.qBound ?? 0.05;
  const counts = new Map<number, number>();
  for (let i = 0; i < e.auroc.length; i++) {
    if (q[i]! <= bound && e.auroc[i]! > 0.5) {
      const layer = e.sites[e.site[i]!]!.layer;
      counts.set(layer, (counts.get(layer) ?? 0) + 1);
    }
  }
  return e.perLayer.map((l) => ({ ...l, significant: counts.get(l.layer) ?? 0 }));
}
