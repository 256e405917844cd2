// The table's order: by any column, both directions. Rows arrive ranked by AUROC (descending, ties cut
// the way top-k methods cut them), so rank order is the filtered indices as they are, AUROC order is
// that order or its reverse, and only the other columns need a sort (stable, ties in rank order).
import { fullGain, overrideKey } from '../../src/shared/row-gain';
import type { ExpertsSnapshot, InterventionSnapshot } from '../../src/shared/protocol';
import type { Sort } from './ui-state';

export function sortRows(e: ExpertsSnapshot, rows: Uint32Array, sort: Sort, iv: InterventionSnapshot | null): Uint32Array {
  const { column, dir } = sort;
  if (column === 'rank' || column === 'auroc') {
    // Rank ascending is AUROC descending.
    const reversed = (column === 'rank') === (dir === 'desc');
    return reversed ? rows.slice().reverse() : rows;
  }
  const sign = dir === 'asc' ? 1 : -1;
  const out = rows.slice();
  if (column === 'id') {
    const order = siteOrder(e);
    out.sort((a, b) => sign * (order[e.site[a]!]! - order[e.site[b]!]! || e.neuron[a]! - e.neuron[b]!) || a - b);
    return out;
  }
  const key = new Float64Array(e.auroc.length);
  if (column === 'layer') for (const i of rows) key[i] = e.sites[e.site[i]!]!.layer;
  else if (column === 'heldOut') {
    // Without the column every key is equal and the rows keep their rank order.
    const held = e.stats?.heldOut;
    if (held) for (const i of rows) key[i] = held[i]!;
  } else {
    const overrides = new Map((iv?.overrides ?? []).map((o) => [overrideKey(o.site, o.neuron), o.gain]));
    for (const i of rows) {
      if (!iv) key[i] = 1;
      else {
        const o = overrides.size ? overrides.get(overrideKey(e.sites[e.site[i]!]!.id, e.neuron[i]!)) : undefined;
        // The full-strength gain: the applied gain is monotone in it, so the order holds at every strength.
        key[i] = o ?? fullGain(iv, i, e.auroc[i]!);
      }
    }
  }
  out.sort((a, b) => sign * (key[a]! - key[b]!) || a - b);
  return out;
}

/** Site ids in natural order (h.2 before h.10), as ranks (so "id" sorts by site name, then neuron number). */
function siteOrder(e: ExpertsSnapshot): Uint32Array {
  const collator = new Intl.Collator('en', { numeric: true });
  const ids = e.sites.map((s, i) => [s.id, i] as const).sort((a, b) => collator.compare(a[0], b[0]));
  const order = new Uint32Array(e.sites.length);
  ids.forEach(([, i], r) => (order[i] = r));
  return order;
}

/** What the gain order depends on: the method, its parameters and the overrides, not the strength. */
export function gainOrderKey(iv: InterventionSnapshot | null): string {
  if (!iv) return '';
  return JSON.stringify([iv.method, iv.k, iv.alpha, iv.overrides.map((o) => [o.site, o.neuron, o.gain])]);
}
