// Split-half stability in the panel (issue 20, item 6): the summary's verdict with its rule, the
// unstable warning in the banner, and the neuron detail's stable / unstable badge from the row's column.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, feedProfile, mountPage, neuronDetail, stubDetailScroll, type MountedPage } from '../helpers/page';
import type { ExpertsSnapshot, NeuronDetail } from '../../src/shared/protocol';

let page: MountedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function open(e: ExpertsSnapshot) {
  page = mountPage();
  return feedProfile(page, e);
}

const RULE = 'stable when the top-100 experts of two seeded half-splits of each class overlap with Jaccard >= 0.5';

function withStability(stable: boolean): ExpertsSnapshot {
  const base = bigExperts(2_000);
  // Row 0 in both halves' top 100, row 1 in one, row 2 in neither.
  const stableBadge = new Uint32Array(base.auroc.length);
  stableBadge[0] = 1;
  stableBadge[1] = 2;
  const topK = [
    { k: 10, shared: 6, jaccard: 6 / 14 },
    { k: 100, shared: stable ? 80 : 20, jaccard: stable ? 80 / 120 : 20 / 180 },
  ];
  const warning = stable ? undefined : 'unstable experts: the top 100 of two halves of the data share 20 neurons (Jaccard 0.11 < 0.5); more examples per class are needed before these experts mean much';
  return { ...base, stats: { stability: { topK, spearman: 0.42, stable, rule: RULE, ...(warning ? { warning } : {}) }, stableBadge } };
}

const detail = (e: ExpertsSnapshot, row: number) => neuronDetail(e, row);

function select(p: MountedPage, d: NeuronDetail) {
  stubDetailScroll(p);
  p.app.store.setUi({ selected: { site: d.site, neuron: d.neuron } });
  p.fromHost({ type: 'didSelectNeuron', detail: d });
}

test('the summary shows the top-100 Jaccard of two halves and the verdict, with the rule as its tooltip', () => {
  const p = open(withStability(true));
  const st = p.$('summary').querySelector('[data-testid=stability]') as HTMLElement;
  assert.match(st.textContent!, /0\.667top-100 overlap of two halves: stable/);
  assert.match(st.title, /Jaccard >= 0\.5.*top-10 0\.429, top-100 0\.667; Spearman of the halves' AUROCs 0\.420/);
  assert.equal((p.$('summary').querySelector('[data-testid=small-profile-warning]') as HTMLElement).hidden, true);
});

test('an unstable profile says so in the banner', () => {
  const p = open(withStability(false));
  assert.match(p.$('summary').querySelector('[data-testid=stability]')!.textContent!, /0\.111.*unstable/);
  const banner = p.$('summary').querySelector('[data-testid=small-profile-warning]') as HTMLElement;
  assert.equal(banner.hidden, false);
  assert.match(banner.textContent!, /unstable experts: the top 100 of two halves/);
});

test('the neuron detail carries the badge of its row: stable, unstable, or none', () => {
  const e = withStability(true);
  const p = open(e);
  const badge = () => p.$('neuron-detail').querySelector('[data-testid=stable-badge]');
  select(p, detail(e, 0));
  assert.equal(badge()!.textContent, 'stable');
  select(p, detail(e, 1));
  assert.equal(badge()!.textContent, 'unstable');
  select(p, detail(e, 2));
  assert.equal(badge(), null);
});

test('a profile without stability shows neither the verdict nor a badge', () => {
  const e = bigExperts(500);
  const p = open(e);
  assert.equal(p.$('summary').querySelector('[data-testid=stability]'), null);
  select(p, detail(e, 0));
  assert.equal(p.$('neuron-detail').querySelector('[data-testid=stable-badge]'), null);
});
