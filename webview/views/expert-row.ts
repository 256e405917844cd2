// One row of the experts table: rank, id, layer, AUROC (with a bar from 0.5 to 1) and the gain the
// current intervention applies, computed here with the same rule the host fits with.
import { appliedGain, fullGain, overrideKey, overrideMap } from '../../src/shared/row-gain';
import { h, setText } from './dom';
import { fixed } from './format';
import type { ExpertsSnapshot, InterventionSnapshot } from '../../src/shared/protocol';
import type { UiState } from '../state/ui-state';

export interface GainContext {
  settings: InterventionSnapshot | null;
  overrides: Map<string, number>;
}

export function gainContext(iv: InterventionSnapshot | null): GainContext {
  return { settings: iv, overrides: iv ? overrideMap(iv.overrides) : new Map() };
}

/** `idx` is the row in the full ranking, `position` its place among the filtered rows. */
export function fillRow(row: HTMLElement, e: ExpertsSnapshot, idx: number, position: number, g: GainContext, ui: UiState): void {
  const site = e.sites[e.site[idx]!]!;
  const neuron = e.neuron[idx]!;
  const auroc = e.auroc[idx]!;
  if (row.dataset.idx !== String(idx)) {
    row.dataset.idx = String(idx);
    row.replaceChildren(...cells(row.ownerDocument, site.id, site.kind, site.layer, neuron, idx, auroc));
  }
  row.setAttribute('aria-rowindex', String(position + 2));
  const active = position === ui.activeRow;
  row.tabIndex = active ? 0 : -1;
  row.classList.toggle('active', active);
  row.setAttribute('aria-selected', String(ui.selected?.site === site.id && ui.selected.neuron === neuron));
  fillGain(row.lastElementChild as HTMLElement, g, site.id, neuron, idx, auroc);
}

function cells(doc: Document, site: string, kind: string, layer: number, neuron: number, idx: number, auroc: number): HTMLElement[] {
  const bar = h(doc, 'span', { class: 'auroc-bar' + (auroc > 0.5 ? ' expert' : '') });
  bar.style.width = `${Math.round(Math.max(0, auroc - 0.5) * 200)}%`;
  return [
    h(doc, 'div', { role: 'gridcell', class: 'cell rank' }, String(idx + 1)),
    h(doc, 'div', { role: 'gridcell', class: 'cell id', title: `${site}:${neuron} (${kind})` }, h(doc, 'span', { class: 'site' }, site), h(doc, 'span', { class: 'neuron' }, `:${neuron}`)),
    h(doc, 'div', { role: 'gridcell', class: 'cell layer' }, String(layer)),
    h(doc, 'div', { role: 'gridcell', class: 'cell auroc' }, h(doc, 'span', { class: 'auroc-track' }, bar), h(doc, 'span', { class: 'num' }, fixed(auroc))),
    h(doc, 'div', { role: 'gridcell', class: 'cell gain num' }),
  ];
}

function fillGain(cell: HTMLElement, g: GainContext, site: string, neuron: number, idx: number, auroc: number): void {
  const s = g.settings;
  if (!s) return setText(cell, '–');
  const override = g.overrides.get(overrideKey(site, neuron));
  const applied = appliedGain(override ?? fullGain(s, idx, auroc), s.strength);
  setText(cell, applied === 1 ? '1' : fixed(applied, 2));
  cell.classList.toggle('dampened', applied < 1);
  cell.classList.toggle('overridden', override !== undefined);
}
