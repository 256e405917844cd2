// One row of the experts table: rank, id, layer, AUROC (a bar from 0.5 to 1, the confidence interval
// drawn over it and a "near chance" badge when that interval reaches 0.5), the held-out AUROC and the
// gain the current intervention applies, computed here with the same rule the host fits with.
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

/** A row's cells, built once per row element; scrolling refills them in place (no new elements). */
export function createRow(doc: Document, attrs: Record<string, string>): HTMLElement {
  const bar = h(doc, 'span', { class: 'auroc-bar' });
  const ci = h(doc, 'span', { class: 'auroc-ci', testid: 'auroc-ci', hidden: true });
  return h(
    doc,
    'div',
    attrs,
    h(doc, 'div', { role: 'gridcell', class: 'cell rank' }),
    h(doc, 'div', { role: 'gridcell', class: 'cell id' }, h(doc, 'span', { class: 'site' }), h(doc, 'span', { class: 'neuron' })),
    h(doc, 'div', { role: 'gridcell', class: 'cell layer' }),
    h(doc, 'div', { role: 'gridcell', class: 'cell auroc' }, h(doc, 'span', { class: 'auroc-track' }, bar, ci), h(doc, 'span', { class: 'badge near-chance', testid: 'near-chance', hidden: true }, '≈0.5'), h(doc, 'span', { class: 'num' })),
    h(doc, 'div', { role: 'gridcell', class: 'cell held-out num', testid: 'held-out' }),
    h(doc, 'div', { role: 'gridcell', class: 'cell gain num' }),
  );
}

/**
 * What each row element shows now, kept beside it so a refill writes only what changed: while
 * scrolling, a DOM write (an attribute, a class, a style) costs far more than comparing two values,
 * and most of a row (its active state, its gain's classes, its badges) stays as it was.
 */
interface Shown {
  key: string;
  rowIndex: number;
  /** null: not written yet. */
  active: boolean | null;
  selected: boolean | null;
  gain: string;
  dampened: boolean;
  overridden: boolean;
  expert: boolean;
  bar: number;
  ci: string;
  nearChance: boolean;
}
const shown = new WeakMap<HTMLElement, Shown>();

function shownOf(row: HTMLElement): Shown {
  let s = shown.get(row);
  if (!s) {
    s = { key: '', rowIndex: -1, active: null, selected: null, gain: '', dampened: false, overridden: false, expert: false, bar: -1, ci: '', nearChance: false };
    shown.set(row, s);
  }
  return s;
}

/**
 * `idx` is the row in the full ranking, `position` its place among the filtered rows; `generation`
 * names the snapshot, so a row that shows the same index of a new profile is refilled, not kept.
 */
export function fillRow(row: HTMLElement, e: ExpertsSnapshot, idx: number, position: number, g: GainContext, ui: UiState, generation: number): void {
  const site = e.sites[e.site[idx]!]!;
  const neuron = e.neuron[idx]!;
  const auroc = e.auroc[idx]!;
  const was = shownOf(row);
  const key = `${generation}:${idx}`;
  if (was.key !== key) {
    was.key = key;
    fillCells(row, was, e, site.id, site.kind, site.layer, neuron, idx, auroc);
  }
  if (was.rowIndex !== position) {
    was.rowIndex = position;
    row.setAttribute('aria-rowindex', String(position + 2));
  }
  const active = position === ui.activeRow;
  if (was.active !== active) {
    was.active = active;
    row.tabIndex = active ? 0 : -1;
    row.classList.toggle('active', active);
  }
  const selected = ui.selected?.site === site.id && ui.selected.neuron === neuron;
  if (was.selected !== selected) {
    was.selected = selected;
    row.setAttribute('aria-selected', String(selected));
  }
  fillGain(row.lastElementChild as HTMLElement, was, g, site.id, neuron, idx, auroc);
}

/** Track positions in % of AUROC 0.5–1 (below 0.5 the bar is empty). */
const pos = (a: number) => Math.round(Math.min(1, Math.max(0, a - 0.5) * 2) * 1000) / 10;

/** Sets a cell's text through its one text node (cheaper than textContent, which replaces the node). */
function setData(el: Element, text: string): void {
  const t = el.firstChild;
  if (t && t.nodeType === 3 && !t.nextSibling) {
    if ((t as Text).data !== text) (t as Text).data = text;
  } else el.textContent = text;
}

function fillCells(row: HTMLElement, was: Shown, e: ExpertsSnapshot, site: string, kind: string, layer: number, neuron: number, idx: number, auroc: number): void {
  const [rank, id, layerCell, aurocCell, heldCell] = row.children as unknown as HTMLElement[];
  setData(rank!, String(idx + 1));
  setData(id!.firstElementChild!, site);
  setData(id!.lastElementChild!, `:${neuron}`);
  setData(layerCell!, String(layer));
  const [track, badge, num] = aurocCell!.children as unknown as HTMLElement[];
  const [bar, ci] = track!.children as unknown as HTMLElement[];
  const expert = auroc > 0.5;
  if (was.expert !== expert || was.bar < 0) bar!.className = expert ? 'auroc-bar expert' : 'auroc-bar';
  was.expert = expert;
  const width = pos(auroc);
  if (was.bar !== width) bar!.style.width = `${width}%`;
  was.bar = width;
  const lo = e.stats?.ciLow?.[idx];
  const hi = e.stats?.ciHigh?.[idx];
  const hasCi = lo !== undefined && hi !== undefined;
  const ciKey = hasCi ? `${pos(lo)}:${Math.max(0.5, pos(hi) - pos(lo))}` : '';
  if (was.ci !== ciKey || was.bar < 0) {
    ci!.hidden = !hasCi;
    if (hasCi) {
      // Through the CSSOM: a style attribute written as text would break the page's CSP (style-src-attr).
      ci!.style.left = `${pos(lo)}%`;
      ci!.style.width = `${Math.max(0.5, pos(hi) - pos(lo))}%`;
    }
  }
  was.ci = ciKey;
  const level = Math.round((e.stats?.level ?? 0.95) * 100);
  // Near chance: the interval reaches 0.5, so this neuron's separation may be luck.
  const nearChance = hasCi && auroc > 0.5 && lo <= 0.5;
  if (was.nearChance !== nearChance || badge!.hidden === nearChance) badge!.hidden = !nearChance;
  was.nearChance = nearChance;
  setData(num!, fixed(auroc));
  const held = e.stats?.heldOut?.[idx];
  // A dash when the profile has no held-out column (a sketch, or too few examples to split).
  setData(heldCell!, held === undefined ? '–' : fixed(held));
  // One tooltip for the row (one attribute write per row while scrolling, not one per cell).
  row.title =
    `${site}:${neuron} (${kind}) · AUROC ${fixed(auroc)}` +
    (hasCi ? `, ${level}% interval ${fixed(lo)}–${fixed(hi)}${nearChance ? ': reaches 0.5, near chance' : ''}` : '') +
    (held === undefined ? '' : ` · held-out AUROC ${fixed(held)} (on texts the ranking did not see)`);
}

/** The held-out column's one-line explanation (its header's tooltip). */
export const HELD_OUT_TITLE =
  'Held-out AUROC: the AUROC on texts the ranking did not see (a seeded share of each class, split as "aura-lens fit --held-out" splits); the AUROC column, the ranking, intervals, q-values and the intervention the panel fits use only the other texts, so no expert was chosen with these; far below the AUROC means the neuron was chosen by luck';

function fillGain(cell: HTMLElement, was: Shown, g: GainContext, site: string, neuron: number, idx: number, auroc: number): void {
  const s = g.settings;
  if (!s) {
    was.gain = '–';
    return setText(cell, '–');
  }
  if (s.method !== 'aura' && s.method !== 'damp' && s.method !== 'det0') {
    // A transport map is an affine map per neuron, not one gain the page can compute.
    cell.title = 'Per-neuron affine map: see the neuron detail';
    was.gain = 'map';
    return setText(cell, 'map');
  }
  const override = g.overrides.get(overrideKey(site, neuron));
  const applied = appliedGain(override ?? fullGain(s, idx, auroc), s.strength);
  const text = applied === 1 ? '1' : fixed(applied, 2);
  if (was.gain !== text) setData(cell, text);
  was.gain = text;
  const dampened = applied < 1;
  const overridden = override !== undefined;
  if (was.dampened !== dampened) cell.classList.toggle('dampened', dampened);
  if (was.overridden !== overridden) cell.classList.toggle('overridden', overridden);
  was.dampened = dampened;
  was.overridden = overridden;
}
