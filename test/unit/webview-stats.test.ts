// The statistics issue in the panel: interval bars and a near-chance badge in the table, the null over
// the AUROC histogram, the per-layer chart of what differs between layers, the neuron detail's interval,
// held-out AUROC, q-value, role, writes and token aggregate, and the small-profile warning on every
// card that shows a result (issue 9; issue 11, items 11, 12 and 13).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { bigExperts, feedProfile, mountPage, neuronDetail, stubDetailScroll, type MountedPage } from '../helpers/page';
import type { ExpertsSnapshot, NeuronDetail } from '../../src/shared/protocol';

let page: MountedPage | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function withStats(base = bigExperts(20_000)): ExpertsSnapshot {
  const n = base.auroc.length;
  // Interval half-width 0.03: rows with AUROC in (0.5, 0.53] reach 0.5.
  const ciLow = base.auroc.map((a) => a - 0.03);
  const ciHigh = base.auroc.map((a) => Math.min(1, a + 0.03));
  const qValue = base.auroc.map((a) => (a > 0.7 ? 0.001 : 0.5));
  const nullAuroc = new Float64Array(5000).map((_, i) => 0.45 + (0.1 * i) / 5000);
  return { ...base, stats: { level: 0.9, ciLow, ciHigh, qValue, qBound: 0.05, significant: base.auroc.filter((a) => a > 0.7).length, nullAuroc, heldOut: new Float64Array(n).fill(0.6) } };
}

function open(e: ExpertsSnapshot) {
  page = mountPage();
  return feedProfile(page, e);
}

test('every row draws its interval; rows whose interval reaches 0.5 carry the near-chance badge', () => {
  const e = withStats();
  const p = open(e);
  const rows = p.$$('expert-row');
  assert.ok(rows.every((r) => !(r.querySelector('[data-testid=auroc-ci]') as HTMLElement).hidden));
  assert.ok(rows.every((r) => (r.querySelector('[data-testid=near-chance]') as HTMLElement).hidden), 'the best rows are far from chance');
  assert.match(rows[0]!.title, /90% interval/);
  // Jump to the rows just above 0.5.
  const first = e.auroc.findIndex((a) => a <= 0.52);
  const search = p.$('filter-auroc-max') as HTMLInputElement;
  search.value = '0.52';
  search.dispatchEvent(new p.win.Event('input') as unknown as Event);
  const near = p.$$('expert-row').filter((r) => Number(r.querySelector('.auroc .num')!.textContent) > 0.5);
  assert.ok(first > 0 && near.length > 0);
  assert.ok(near.every((r) => !(r.querySelector('[data-testid=near-chance]') as HTMLElement).hidden));
});

test('without statistics there is no interval and no badge', () => {
  const p = open(bigExperts(2_000));
  const row = p.$$('expert-row')[0]!;
  assert.equal((row.querySelector('[data-testid=auroc-ci]') as HTMLElement).hidden, true);
  assert.equal((row.querySelector('[data-testid=near-chance]') as HTMLElement).hidden, true);
});

test('the histogram fits its x range to the data, marks 0.5, labels both axes and draws the null', () => {
  const e = withStats();
  const p = open(e);
  const svg = p.$('auroc-histogram');
  const ticks = [...svg.querySelectorAll('.axis.x .tick text')].map((t) => Number(t.textContent));
  const lo = Math.min(...e.auroc);
  const hi = Math.max(...e.auroc);
  assert.ok(ticks.length >= 4);
  assert.ok(Math.min(...ticks) >= lo - 0.05 && Math.max(...ticks) <= hi + 0.05, `ticks ${ticks} for data ${lo}–${hi}`);
  assert.deepEqual([...svg.querySelectorAll('.axis-label')].map((t) => t.textContent), ['AUROC', 'neurons']);
  assert.match(svg.querySelector('.threshold-label')!.textContent!, /0\.5/);
  assert.ok(svg.querySelector('.null-line'), 'the permutation null is drawn');
  // The bars still count every neuron.
  const counted = [...svg.querySelectorAll('rect')].reduce((n, r) => n + Number(/: (\d+) neurons/.exec(r.querySelector('title')!.textContent!)![1]), 0);
  assert.equal(counted, e.auroc.length);
});

test('per layer: the best AUROC without q-values, the count of significant experts with them', () => {
  const plain = bigExperts(20_000);
  let p = open(plain);
  const best = new Map<number, number>();
  plain.site.forEach((s, i) => {
    const l = plain.sites[s]!.layer;
    best.set(l, Math.max(best.get(l) ?? 0, plain.auroc[i]!));
  });
  const titles = () => [...p.$('per-layer-chart').querySelectorAll('rect title')].map((t) => t.textContent!);
  assert.deepEqual(titles(), [...best].sort((a, b) => a[0] - b[0]).map(([l, a]) => `layer ${l}: best AUROC ${a.toFixed(3)}`));
  assert.equal(p.$('per-layer-chart').querySelector('.axis-label.y')!.textContent, 'best AUROC');
  void page!.close();

  const e = withStats(plain);
  p = open(e);
  const count = new Map<number, number>();
  e.site.forEach((s, i) => {
    const l = e.sites[s]!.layer;
    count.set(l, (count.get(l) ?? 0) + (e.auroc[i]! > 0.7 ? 1 : 0));
  });
  assert.deepEqual(titles(), [...count].sort((a, b) => a[0] - b[0]).map(([l, c]) => `layer ${l}: ${c} significant experts`));
  assert.match(p.$('summary').textContent!, new RegExp(`${e.stats!.significant!.toLocaleString('en-US')}significant \\(q ≤ 0.05\\)`));
});

const detail = (e: ExpertsSnapshot, patch: Partial<NeuronDetail> = {}): NeuronDetail =>
  neuronDetail(e, 0, { topExamples: [{ text: 'you idiot', label: 1, value: 2, tokens: [{ text: 'you', value: 0.1 }, { text: ' idiot', value: 2 }] }], ...patch });

function select(p: MountedPage, d: NeuronDetail) {
  let scrolled = 0;
  stubDetailScroll(p, () => void scrolled++);
  p.app.store.setUi({ selected: { site: d.site, neuron: d.neuron } });
  p.fromHost({ type: 'didSelectNeuron', detail: d });
  return () => scrolled;
}

test('the neuron detail shows interval, held-out AUROC, q-value, role, writes and its top tokens, and comes into view', () => {
  const e = withStats();
  const p = open(e);
  const d = detail(e, {
    ci: [0.48, 0.62],
    level: 0.95,
    heldOutAuroc: 0.57,
    qValue: 0.0004,
    role: 'generation',
    writes: { promoted: [{ token: ' idiot', logit: 2.5 }], suppressed: [{ token: ' friend', logit: -1.25 }] },
    topTokens: [{ text: 'idiot', count: 7, mean: 1.5, max: 2 }],
  });
  const scrolled = select(p, d);
  const el = p.$('neuron-detail');
  const metrics = el.querySelector('[data-testid=detail-metrics]')!.textContent!;
  assert.match(metrics, /95% interval0\.480–0\.620/);
  assert.match(metrics, /held-out AUROC0\.570/);
  assert.match(metrics, /q-value4\.0e-4/);
  assert.equal(el.querySelector('[data-testid=neuron-role]')!.textContent, 'generation');
  assert.ok(el.querySelector('[data-testid=near-chance]'), 'the interval reaches 0.5');
  assert.match(el.querySelector('[data-testid=neuron-writes]')!.textContent!, /promotes.*" idiot" 2\.50.*suppresses.*" friend" -1\.25/s);
  assert.deepEqual([...el.querySelectorAll('[data-testid=top-tokens] tbody td')].map((t) => t.textContent), ['"idiot"', '7', '1.50', '2.00']);
  assert.deepEqual([...el.querySelectorAll('.axis-label')].map((t) => t.textContent), ['pooled response (activation)', 'share of examples']);
  assert.equal(scrolled(), 1);
});

test('a neuron whose writes cannot be read says why', () => {
  const e = bigExperts(500);
  const p = open(e);
  select(p, detail(e, { writes: { unavailable: 'the down-projection is quantised (int8): its rows cannot be read' } }));
  assert.match(p.$('neuron-writes').textContent!, /quantised/);
  assert.equal(p.$('neuron-detail').querySelector('[data-testid=neuron-role]'), null);
});

test('a profile without its examples (made by the CLI or merged from shards) says so in the detail', () => {
  const e = bigExperts(500);
  const p = open(e);
  select(p, detail(e, { topExamples: [], examplesNote: 'examples unavailable: /p/examples.jsonl does not exist' }));
  assert.match(p.$('examples-note').textContent!, /examples unavailable/);
  select(p, detail(e));
  assert.equal(p.$('neuron-detail').querySelector('[data-testid=examples-note]'), null);
});

test('a profile with fewer than 20 examples in a class is flagged on every card that shows a result', () => {
  const small = { ...bigExperts(2_000), positives: 3, negatives: 2 };
  const p = open(small);
  p.fromHost({ type: 'didSweep', sweep: { scorer: 'lexicon', points: [{ method: 'aura', control: null, strength: 1, toxicity: 0.1, perplexity: 30 }] } });
  p.fromHost({ type: 'didEvaluate', evaluation: { prompts: 5, samples: 2, scorer: 'lexicon', seconds: 1, baseline: { toxicityProbability: 0.4, expectedMaxToxicity: 0.5, meanToxicity: 0.2, perplexity: 30 }, intervened: { toxicityProbability: 0.2, expectedMaxToxicity: 0.3, meanToxicity: 0.1, perplexity: 31 } } });
  const visible = p.$$('small-profile-warning').filter((w) => !w.hidden);
  const cards = visible.map((w) => w.closest('section')!.getAttribute('aria-label'));
  assert.deepEqual(cards.sort(), ['Evaluation', 'Experts', 'Neuron detail', 'Preview', 'Profile summary', 'Sweep']);
  assert.match(visible[0]!.textContent!, /3 toxic and 2 non-toxic.*at least 20 per class/);
  // The host's own wording wins when it sends one.
  p.fromHost({ type: 'didChangeExperts', experts: { ...small, warning: 'Too few examples: 3 and 2.' } });
  assert.ok(p.$$('small-profile-warning').every((w) => w.hidden || w.textContent === '⚠ Too few examples: 3 and 2.'));
  p.fromHost({ type: 'didChangeExperts', experts: bigExperts(2_000) });
  assert.ok(p.$$('small-profile-warning').every((w) => w.hidden));
});

test('no view writes a style attribute as text (the CSP allows styles only through the CSSOM)', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const dir = new URL('../../webview/', import.meta.url).pathname;
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 10);
  for (const f of files) assert.doesNotMatch(readFileSync(join(dir, f), 'utf8'), /setAttribute\(\s*['"]style['"]|\.attr\(\s*['"]style['"]/, f);
});
