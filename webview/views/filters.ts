// The table's filters: site, layer, AUROC range and a search by id. Every change resets the scroll.
// A range that no AUROC can satisfy (minimum above maximum) is said beside the filters, not left to an
// empty table; the search says, with examples from the profile at hand, the one query it takes.
import { TestIds } from '../../src/shared/ids';
import { button } from '../ui-kit';
import { DEFAULT_FILTER } from '../state/ui-state';
import { h, replace, setText, show, uid } from './dom';
import { fixed } from './format';
import type { Filter } from '../state/ui-state';
import type { ExpertsSnapshot } from '../../src/shared/protocol';
import type { View, ViewContext } from './view';

export function createFilters({ doc, store }: ViewContext): View {
  const setFilter = (patch: Partial<Filter>) => store.setUi({ filter: { ...store.state.ui.filter, ...patch }, activeRow: 0, scrollTop: 0 });
  const site = h(doc, 'select', { testid: TestIds.filterSite, id: uid('site') });
  const layer = h(doc, 'select', { testid: TestIds.filterLayer, id: uid('layer') });
  const min = h(doc, 'input', { type: 'number', min: 0, max: 1, step: 0.01, testid: TestIds.filterAurocMin, id: uid('min'), class: 'narrow' });
  const max = h(doc, 'input', { type: 'number', min: 0, max: 1, step: 0.01, testid: TestIds.filterAurocMax, id: uid('max'), class: 'narrow' });
  const search = h(doc, 'input', { type: 'search', testid: TestIds.search, id: uid('search'), placeholder: 'Site or neuron', spellcheck: 'false', autocomplete: 'off' });
  const hint = h(doc, 'p', { class: 'muted filter-note', testid: 'search-hint', id: uid('search-hint') }, searchHint());
  search.setAttribute('aria-describedby', hint.id);
  const rangeError = h(doc, 'p', { class: 'field-error filter-note', role: 'alert', testid: 'filter-error' });
  rangeError.hidden = true;
  site.addEventListener('change', () => setFilter({ site: site.value || null }));
  layer.addEventListener('change', () => setFilter({ layer: layer.value === '' ? null : Number(layer.value) }));
  const range = (input: HTMLInputElement, key: 'aurocMin' | 'aurocMax', fallback: number) =>
    input.addEventListener('input', () => {
      const v = input.valueAsNumber;
      setFilter({ [key]: Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : fallback });
    });
  range(min, 'aurocMin', 0);
  range(max, 'aurocMax', 1);
  search.addEventListener('input', () => store.setUi({ search: search.value, activeRow: 0, scrollTop: 0 }));
  const reset = button(doc, 'Clear', { title: 'Clear all filters', onClick: () => store.setUi({ filter: DEFAULT_FILTER, search: '', activeRow: 0, scrollTop: 0 }) });
  const field = (label: string, input: HTMLElement) => h(doc, 'div', { class: 'field' }, h(doc, 'label', { for: input.id }, label), input);
  const el = h(
    doc,
    'div',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the experts table' },
    field('Search', search),
    field('Site', site),
    field('Layer', layer),
    field('AUROC ≥', min),
    field('AUROC ≤', max),
    h(doc, 'div', { class: 'field end' }, reset),
    rangeError,
    hint,
  );
  let sitesOf: ExpertsSnapshot['sites'] | undefined;
  return {
    el,
    update(s, changed) {
      if (changed.has('experts') && s.experts && s.experts.sites !== sitesOf) {
        sitesOf = s.experts.sites;
        fillOptions(doc, site, 'All sites', s.experts.sites.map((x) => [x.id, `${x.id} (${x.neurons})`]));
        const layers = [...new Set(s.experts.sites.map((x) => x.layer))].sort((a, b) => a - b);
        fillOptions(doc, layer, 'All layers', layers.map((l) => [String(l), `layer ${l}`]));
      }
      if (!changed.has('ui') && !changed.has('experts')) return;
      const f = s.ui.filter;
      setValue(site, f.site ?? '');
      setValue(layer, f.layer === null ? '' : String(f.layer));
      setValue(min, String(f.aurocMin));
      setValue(max, String(f.aurocMax));
      setValue(search, s.ui.search);
      const empty = f.aurocMin > f.aurocMax;
      show(rangeError, empty);
      setText(rangeError, empty ? `AUROC ≥ ${fixed(f.aurocMin, 2)} is above AUROC ≤ ${fixed(f.aurocMax, 2)}, so no neuron can match: lower the minimum or raise the maximum.` : '');
      for (const input of [min, max]) input.setAttribute('aria-invalid', String(empty));
      if (changed.has('experts') && s.experts) setText(hint, searchHint(s.experts));
    },
  };
}

/**
 * What the search takes (webview/state/filter.ts parseSearch): one query, a neuron number, part of a
 * site id, or site:neuron. The examples are the top expert's, so each one finds a row.
 */
function searchHint(e?: ExpertsSnapshot): string {
  const site = e && e.auroc.length ? e.sites[e.site[0]!]?.id : undefined;
  if (!site || !e) return 'Search one thing at a time: a neuron number, part of a site id, or site:neuron.';
  const neuron = e.neuron[0]!;
  const part = site.split('.').slice(-2).join('.');
  return `Search one thing at a time: a neuron number (${neuron}), part of a site id (${part}), or site:neuron (${site}:${neuron}).`;
}

function fillOptions(doc: Document, select: HTMLSelectElement, all: string, options: [string, string][]): void {
  replace(select, h(doc, 'option', { value: '' }, all), ...options.map(([value, label]) => h(doc, 'option', { value }, label)));
}

/** Leaves an input the user is typing in alone: the store echoes what they typed anyway. */
function setValue(el: HTMLInputElement | HTMLSelectElement, value: string): void {
  if (el.ownerDocument.activeElement === el && el.tagName === 'INPUT') return;
  if (el.value !== value) el.value = value;
}
