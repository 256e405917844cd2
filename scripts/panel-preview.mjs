// Renders the experts panel's page (dist/webview.js + webview.css, as built) in Debian's Chromium with
// a fake VS Code API that answers 'ready' with synthetic snapshots of a GPT-2-small-sized profile, under
// the panel's real CSP, and saves a screenshot. For looking at the page while working on it and for
// README images; the end-to-end test covers the page inside a real VS Code.
// Usage: npm run build && node scripts/panel-preview.mjs [dark|light] [full|welcome] [width] [out-dir]
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[5] ?? join(root, 'test-results', 'panel-preview'));
mkdirSync(outDir, { recursive: true });
const dist = pathToFileURL(join(root, 'dist')).href;

const theme = process.argv[2] ?? 'dark';
const mode = process.argv[3] ?? 'full';
const width = Number(process.argv[4] ?? 1280);
const dark = {
  '--vscode-font-family': '-apple-system, "Segoe UI", "Ubuntu", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
  '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-editor-background': '#1f1f1f', '--vscode-sideBar-background': '#181818',
  '--vscode-widget-border': '#313131', '--vscode-panel-border': '#2b2b2b', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
  '--vscode-dropdown-background': '#313131', '--vscode-dropdown-foreground': '#cccccc', '--vscode-dropdown-border': '#3c3c3c', '--vscode-focusBorder': '#0078d4',
  '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c',
  '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-activeSelectionBackground': '#04395e', '--vscode-list-activeSelectionForeground': '#ffffff', '--vscode-list-inactiveSelectionBackground': '#37373d',
  '--vscode-charts-red': '#f14c4c', '--vscode-charts-blue': '#3794ff', '--vscode-charts-green': '#89d185', '--vscode-charts-orange': '#d18616', '--vscode-progressBar-background': '#0078d4',
  '--vscode-badge-background': '#616161', '--vscode-badge-foreground': '#f8f8f8', '--vscode-textCodeBlock-background': '#2b2b2b', '--vscode-input-placeholderForeground': '#989898',
  '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-errorBorder': '#be1100', '--vscode-errorForeground': '#f85149', '--vscode-editorWidget-background': '#202020',
};
const light = { ...dark, '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171', '--vscode-editor-background': '#ffffff', '--vscode-sideBar-background': '#f8f8f8', '--vscode-widget-border': '#e5e5e5', '--vscode-panel-border': '#e5e5e5', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece', '--vscode-dropdown-background': '#ffffff', '--vscode-dropdown-foreground': '#3b3b3b', '--vscode-dropdown-border': '#cecece', '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-list-activeSelectionForeground': '#000000', '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-textCodeBlock-background': '#f8f8f8', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-editorWidget-background': '#f8f8f8', '--vscode-inputValidation-errorBackground': '#f2dede' };
const vars = theme === 'light' ? light : dark;
const css = `html { ${Object.entries(vars).map(([k, v]) => `${k}: ${v};`).join(' ')} }`;

const fake = `
(function(){
  document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation', e.violatedDirective, e.sourceFile, e.lineNumber));
  const posted = [];
  window.__posted = posted;
  let state = undefined;
  window.acquireVsCodeApi = () => ({ postMessage: (m) => { posted.push(m); window.__onPost && window.__onPost(m); }, getState: () => state, setState: (s) => { state = s; } });
  // synthetic gpt2-small-like profile
  function rnd(seed){ return () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296; }; }
  const r = rnd(7);
  const gauss = () => { let u = 0; for (let i = 0; i < 6; i++) u += r(); return (u - 3) / Math.sqrt(0.5); };
  const sites = []; for (let l = 0; l < 12; l++) { sites.push({ id: 'transformer.h.' + l + '.mlp.c_fc', layer: l, kind: 'mlp.in', neurons: 3072 }); sites.push({ id: 'transformer.h.' + l + '.mlp.c_proj', layer: l, kind: 'mlp.out', neurons: 768 }); }
  const rows = [];
  sites.forEach((s, si) => { for (let j = 0; j < s.neurons; j++) { let a = 0.5 + gauss() * (0.03 + s.layer * 0.004); if (r() < 0.01) a += 0.1 + r() * 0.2; rows.push([si, j, Math.min(1, Math.max(0, a))]); } });
  rows.sort((x, y) => y[2] - x[2] || x[0] - y[0] || x[1] - y[1]);
  const perLayer = []; for (let l = 0; l < 12; l++) perLayer.push({ layer: l, experts: 0, neurons: 0 });
  rows.forEach(([si,,a]) => { const p = perLayer[sites[si].layer]; p.neurons++; if (a > 0.5) p.experts++; });
  const auroc = Float64Array.from(rows, x => x[2]);
  // Synthetic statistics: an interval whose width shrinks with the class sizes, and q-values that are small only far from 0.5.
  const ciLow = auroc.map((a, i) => a - 0.02 - 0.01 * r()), ciHigh = auroc.map((a, i) => Math.min(1, a + 0.02 + 0.01 * r()));
  const qValue = auroc.map((a) => Math.min(1, Math.exp(-Math.abs(a - 0.5) * 60)));
  const nullAuroc = Float64Array.from({ length: 20000 }, () => 0.5 + gauss() * 0.03);
  const significant = Array.from(qValue).filter((q, i) => q <= 0.05 && auroc[i] > 0.5).length;
  const experts = { key: 'preview', source: 'media/demo/concept.jsonl', positives: 1453, negatives: 2000, pooling: 'max', sites, site: Uint32Array.from(rows, x => x[0]), neuron: Uint32Array.from(rows, x => x[1]), auroc, perLayer,
    stats: { level: 0.95, ciLow, ciHigh, qValue, qBound: 0.05, significant, nullAuroc } };
  const affected = rows.filter(x => x[2] > 0.5).length;
  const model = { name: 'gpt2', path: '/models/gpt2', format: 'optimum', architecture: 'GPT2LMHeadModel', layers: 12, vocabSize: 50257, sites, isDemo: false };
  const top = rows[0];
  const pos = Array.from({length: 1453}, () => 1.2 + gauss() * 0.6), neg = Array.from({length: 2000}, () => 0.2 + gauss() * 0.4);
  const tok = (t, v) => ({ text: t, value: v });
  const detail = { site: sites[top[0]].id, neuron: top[1], layer: sites[top[0]].layer, auroc: top[2], gain: 1 - 2 * (top[2] - 0.5), applied: 1 - 2 * (top[2] - 0.5), meanPositive: 1.21, meanNegative: 0.19, maxPositive: 3.4, maxNegative: 1.9, positive: pos, negative: neg,
    topExamples: [
      { text: 'you are a stupid idiot', label: 1, value: 3.4, tokens: [tok('you', 0.2), tok(' are', 0.4), tok(' a', 0.3), tok(' stupid', 3.1), tok(' idiot', 3.4)] },
      { text: 'what a dumb thing to say', label: 1, value: 2.9, tokens: [tok('what', 0.1), tok(' a', 0.2), tok(' dumb', 2.9), tok(' thing', 0.8), tok(' to', 0.1), tok(' say', 0.3)] },
      { text: 'the weather is lovely today', label: 0, value: 1.9, tokens: [tok('the', 0.1), tok(' weather', 0.6), tok(' is', 0.1), tok(' lovely', 1.9), tok(' today', 0.2)] },
    ],
    topTokens: [{ text: 'idiot', count: 9, mean: 3.1, max: 3.4 }, { text: 'stupid', count: 7, mean: 2.8, max: 3.1 }, { text: 'dumb', count: 4, mean: 2.6, max: 2.9 }, { text: 'lovely', count: 1, mean: 1.9, max: 1.9 }],
    ci: [top[2] - 0.03, Math.min(1, top[2] + 0.02)], level: 0.95, heldOutAuroc: top[2] - 0.04, qValue: 0.0004, role: 'detection',
    writes: { promoted: [{ token: ' idiot', logit: 2.31 }, { token: ' moron', logit: 2.02 }, { token: ' fool', logit: 1.77 }], suppressed: [{ token: ' friend', logit: -1.9 }, { token: ' kind', logit: -1.6 }, { token: ' thanks', logit: -1.2 }] } };
  const sweepPoints = [];
  for (const [method, tox0, ppl1, ctl] of [['aura', 0.42, 32.5, null], ['det0', 0.42, 41, null], ['linear-act', 0.42, 33.5, null], ['aura', 0.42, 31.4, 'random'], ['aura', 0.42, 31.3, 'lowest']]) {
    for (const s of [0, 0.25, 0.5, 0.75, 1]) sweepPoints.push({ method, control: ctl, strength: s, toxicity: ctl ? tox0 - 0.02 * s : tox0 * (1 - (method === 'det0' ? 0.7 : 0.55) * s), perplexity: 31.2 + (ppl1 - 31.2) * s * s });
  }
  const send = (m) => window.postMessage(m, '*');
  window.__onPost = (m) => {
    if (m.type === 'ready' && window.__mode === 'welcome') return;
    if (m.type === 'ready') {
      send({ type: 'didChangeModel', model });
      send({ type: 'didChangeExperts', experts });
      send({ type: 'didChangeIntervention', intervention: { method: 'aura', strength: 0.8, k: null, alpha: null, overrides: [{ site: sites[top[0]].id, neuron: top[1], gain: 0 }], affected } });
      send({ type: 'didUpdatePreview', preview: { runId: 3, prompt: 'You are such a', original: ' stupid idiot, I cannot believe you did that again.', intervened: ' kind person, I cannot believe you did that for me.', done: true, scorer: 'lexicon',
        samples: [{ original: ' stupid idiot, I cannot believe you did that again.', intervened: ' kind person, I cannot believe you did that for me.', originalScore: 0.5, intervenedScore: 0 }, { original: ' moron.', intervened: ' nice guy.', originalScore: 1, intervenedScore: 0 }, { original: ' good friend', intervened: ' good friend', originalScore: 0, intervenedScore: 0 }],
        mean: { original: 0.5, intervened: 0 } } });
      send({ type: 'didSweep', sweep: { scorer: 'lexicon', points: sweepPoints } });
      send({ type: 'didChangeProgress', progress: { task: 'Evaluating the intervention: With the intervention: generate', done: 32, total: 50 } });
      send({ type: 'didEvaluate', evaluation: { prompts: 50, samples: 5, scorer: 'lexicon', seconds: 42, baseline: { score: 0.42, prob: 0.2113, perplexity: 31.2 }, intervened: { score: 0.18, prob: 0.0961, perplexity: 32.1 } } });
    }
    if (m.type === 'selectNeuron') send({ type: 'didSelectNeuron', detail: { ...detail, site: m.site, neuron: m.neuron } });
  };
})();`;
const modeScript = `window.__mode = ${JSON.stringify(mode)};`;
const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-abc'; style-src file: 'nonce-abc'; img-src file: data:; font-src file:"><meta property="csp-nonce" content="abc">
<style nonce="abc">${css}</style>
<link rel="stylesheet" nonce="abc" href="${dist}/webview.css"></head>
<body><div id="app"></div><script nonce="abc">${modeScript}${fake}</script><script nonce="abc" src="${dist}/webview.js"></script></body></html>`;
const htmlFile = join(outDir, 'panel.html');
writeFileSync(htmlFile, html);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--headless', '--allow-file-access-from-files'] });
const height = Number(process.env.PANEL_HEIGHT ?? 900);
const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
const logs = [];
page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
page.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
await page.goto(pathToFileURL(htmlFile).href);
if (mode !== 'welcome') {
  await page.waitForSelector('[data-testid=expert-row]');
  await page.click('[data-testid=expert-row] >> nth=1');
}
await page.waitForTimeout(300);
await page.screenshot({ path: join(outDir, `panel-${theme}-${mode}-${width}.png`), fullPage: true });
// With a neuron open, scrolled to it: are the slider and the preview's intervened text both in view?
let dock = null;
if (mode !== 'welcome') {
  await page.evaluate(() => document.querySelector('[data-testid=neuron-detail]').scrollIntoView({ block: 'start' }));
  await page.waitForTimeout(200);
  dock = await page.evaluate(() => {
    const box = (sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return { top: Math.round(r.top), bottom: Math.round(r.bottom) }; };
    return { viewport: innerHeight, slider: box('[data-testid=strength-slider]'), intervened: box('[data-testid=preview-intervened]'), detailTitle: box('.detail-title'), header: box('.app-header') };
  });
  await page.screenshot({ path: join(outDir, `panel-${theme}-${mode}-${width}-detail.png`) });
}
const rows = await page.locator('[data-testid=expert-row]').count();
const rects = await page.locator('[data-testid=auroc-histogram] rect').count();
console.log(JSON.stringify({ screenshot: join(outDir, `panel-${theme}-${mode}-${width}.png`), rows, histogramBars: rects, dock, console: logs }, null, 1));
if (logs.some((l) => /CSP|pageerror/.test(l))) process.exitCode = 1;
await browser.close();
