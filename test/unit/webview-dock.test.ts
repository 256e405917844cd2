// The intervention controls and the preview are one unit (issue 11, item 8), the preview lists several
// scored samples with their means (item 9), and the controls say how many neurons a method touches
// before it is applied, offer the transport methods when the host has them, and say that gains
// scale with the strength (item 10; issue 9).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { bigExperts, intervention, modelOf, mountPage } from '../helpers/page';

const experts = bigExperts(10_000);
const expertsAbove = experts.auroc.filter((a) => a > 0.5).length;
let page: ReturnType<typeof mountPage> | undefined;
afterEach(async () => {
  await page?.close();
  page = undefined;
});

function ready(iv = intervention()) {
  page = mountPage();
  page.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  page.fromHost({ type: 'didChangeExperts', experts });
  page.fromHost({ type: 'didChangeIntervention', intervention: iv });
  return page;
}

test('controls and preview share one dock; the dock is sticky in the stylesheet on wide screens', () => {
  const p = ready();
  const dock = p.$('intervention-dock');
  assert.ok(dock.contains(p.$('strength-slider')) && dock.contains(p.$('preview-intervened')));
  assert.ok(!dock.contains(p.$('neuron-detail')) && !dock.contains(p.$('experts-table')));
  const css = readFileSync(new URL('../../webview/styles/panel.css', import.meta.url), 'utf8');
  // Narrow beside the editor the dock follows the table; from 981 px it sticks beside table and detail.
  const wide = css.slice(css.indexOf('@media (min-width: 981px)'));
  assert.match(/\.dock \{[^}]*\}/.exec(wide)![0], /position: sticky;[^}]*max-height: calc\(100vh/);
});

test('a run started from the editor brings the preview into view; one started here does not scroll', () => {
  const p = ready();
  const preview = p.root.querySelector('.preview') as HTMLElement & { scrollIntoView: () => void };
  let scrolled = 0;
  preview.scrollIntoView = () => void scrolled++;
  const prompt = p.$('preview-prompt') as HTMLTextAreaElement;
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 1, prompt: prompt.value, original: '', intervened: '', done: false } });
  assert.equal(scrolled, 0);
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 2, prompt: 'Selected in the editor', original: '', intervened: '', done: false } });
  assert.equal(scrolled, 1);
  assert.equal(prompt.value, 'Selected in the editor');
});

test('several samples per preview, each scored, with the mean of each side', () => {
  const p = ready();
  const samples = [
    { original: ' idiot', intervened: ' friend', originalScore: 1, intervenedScore: 0 },
    { original: ' moron!', intervened: ' pal', originalScore: 0.5, intervenedScore: 0.25 },
    { original: ' ok', intervened: ' ok', originalScore: 0, intervenedScore: 0 },
  ];
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 1, prompt: 'You', original: ' idiot', intervened: ' friend', done: true, samples, scorer: 'lexicon', mean: { original: 0.5, intervened: 0.25 / 3 } } });
  const box = p.$('preview-samples');
  assert.equal(box.hidden, false);
  assert.match(box.querySelector('h3')!.textContent!, /3 samples, scored by lexicon/);
  const cells = [...box.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent));
  assert.deepEqual(cells[1], ['2', ' moron!', '0.500', ' pal', '0.250']);
  assert.deepEqual([...p.$('preview-mean').querySelectorAll('.score')].map((c) => c.textContent), ['0.500', '0.083']);
  // One sample: no table.
  p.fromHost({ type: 'didUpdatePreview', preview: { runId: 2, prompt: 'You', original: ' a', intervened: ' b', done: true } });
  assert.equal(p.$('preview-samples').hidden, true);
});

test('each method says how many neurons it touches before it is applied', () => {
  const p = ready(intervention({ method: 'aura' }));
  const options = () => Object.fromEntries([...(p.$('method') as HTMLSelectElement).options].map((o) => [o.value, o.textContent]));
  const fmt = (n: number) => n.toLocaleString('en-US');
  assert.equal(options().det0, `Det0 · touches ${fmt(expertsAbove)}`);
  assert.equal(options().aura, `AurA · touches ${fmt(expertsAbove)}`);
  assert.match(p.$('touch-count').textContent!, new RegExp(`AurA touches ${fmt(expertsAbove)} of 10,000 neurons \\(${Math.round((100 * expertsAbove) / 10_000)}%\\)`));
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'det0', k: null }) });
  assert.match(p.$('touch-count').textContent!, new RegExp(`Det0 with an empty top-k \\(every expert\\) touches ${fmt(expertsAbove)} of 10,000 neurons.*zeroing them`));
  assert.equal((p.$('top-k') as HTMLInputElement).placeholder, `all ${fmt(expertsAbove)} experts`);
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'det0', k: 25 }) });
  assert.match(p.$('touch-count').textContent!, /Det0 touches 25 of 10,000 neurons/);
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ method: 'damp', k: null, alpha: 1 }) });
  assert.match(p.$('touch-count').textContent!, /touches 0 of/);
});

test('Linear-AcT and Mean-AcT are offered once the host lists them', () => {
  const p = ready();
  const opt = (v: string) => [...(p.$('method') as HTMLSelectElement).options].find((o) => o.value === v)!;
  assert.equal(opt('linear-act').disabled, true);
  assert.match(opt('linear-act').textContent!, /not available/);
  p.fromHost({ type: 'didChangeIntervention', intervention: intervention({ methods: ['aura', 'damp', 'det0', 'linear-act', 'mean-act'] }) });
  assert.equal(opt('linear-act').disabled, false);
  assert.equal(opt('mean-act').textContent, 'Mean-AcT');
  const select = p.$('method') as HTMLSelectElement;
  select.value = 'linear-act';
  select.dispatchEvent(new p.win.Event('change') as unknown as Event);
  const sent = p.posted.filter((m) => m.type === 'setIntervention').at(-1);
  assert.ok(sent && sent.type === 'setIntervention' && sent.settings.method === ('linear-act' as string));
});

test('the per-neuron "Set to 0" says that gains scale with the strength', () => {
  const p = ready();
  const e = experts;
  p.app.store.setUi({ selected: { site: e.sites[e.site[0]!]!.id, neuron: e.neuron[0]! } });
  p.fromHost({
    type: 'didSelectNeuron',
    detail: { site: e.sites[e.site[0]!]!.id, neuron: e.neuron[0]!, layer: 0, auroc: e.auroc[0]!, gain: 0.5, applied: 0.5, meanPositive: 0, meanNegative: 0, maxPositive: 0, maxNegative: 0, positive: [], negative: [], topExamples: [] },
  });
  const detail = p.$('neuron-detail');
  const zero = [...detail.querySelectorAll('[role=button]')].find((b) => b.textContent === 'Set to 0') as HTMLElement;
  assert.match(zero.title, /scales with the strength/);
  assert.match(detail.querySelector('.hint')!.textContent!, /applied = 1 − strength × \(1 − gain\)/);
  zero.click();
  assert.deepEqual(p.posted.at(-1), { type: 'setOverride', site: e.sites[e.site[0]!]!.id, neuron: e.neuron[0], gain: 0 });
});

test('gain text uses the theme foreground (AA in every theme), data colours are the Okabe–Ito set', () => {
  const css = readFileSync(new URL('../../webview/styles/panel.css', import.meta.url), 'utf8');
  assert.match(/\.cell\.gain\.dampened \{[^}]*\}/.exec(css)![0], /color: var\(--vscode-foreground\)/);
  assert.doesNotMatch(css, /charts-(red|green|orange)/);
  // Toxic vs non-toxic: vermillion against blue; WCAG relative luminance apart enough to tell in grey too.
  const lum = (hex: string) => {
    const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
  };
  const toxic = /--toxic: (#[0-9a-f]{6})/.exec(css)![1]!;
  const nonToxic = /--non-toxic: (#[0-9a-f]{6})/.exec(css)![1]!;
  assert.deepEqual([toxic, nonToxic], ['#d55e00', '#0072b2']);
  const ratio = (lum(toxic) + 0.05) / (lum(nonToxic) + 0.05);
  assert.ok(ratio > 1.2, `luminance ratio ${ratio.toFixed(2)}`);
});
