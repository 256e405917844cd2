// Measures the experts panel at a million neurons in Debian's Chromium (the page as built, under its
// CSP, with a fake VS Code API): the first render (message in to rows painted) and fast scrolling
// (200 jumps and wheel steps, one per frame, as a user scrolls), reporting the page's long tasks (over 50 ms) as Chromium counts them.
// Usage: npm run build && node scripts/panel-scale.mjs [neurons]
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test-results', 'panel-scale');
mkdirSync(outDir, { recursive: true });
const n = Number(process.argv[2] ?? 1_000_000);
const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-abc'; style-src file: 'nonce-abc'">
<link rel="stylesheet" nonce="abc" href="${pathToFileURL(join(root, 'dist', 'webview.css')).href}"></head>
<body><div id="app"></div><script nonce="abc">
window.__long = [];
new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true });
window.acquireVsCodeApi = () => ({ postMessage() {}, getState() {}, setState() {} });
</script><script nonce="abc" src="${pathToFileURL(join(root, 'dist', 'webview.js')).href}"></script></body></html>`;
const file = join(outDir, 'scale.html');
writeFileSync(file, html);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--headless', '--allow-file-access-from-files'] });
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
await page.goto(pathToFileURL(file).href);
const result = await page.evaluate(async (n) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  // Llama-3-8B's layout: gate_proj and up_proj, 14,336 wide, as many layers as needed.
  const sites = [];
  for (let l = 0, k = 0; k < n; l++, k += 2 * 14336) for (const p of ['gate_proj', 'up_proj']) sites.push({ id: 'model.layers.' + l + '.mlp.' + p, layer: l, kind: p === 'gate_proj' ? 'mlp.gate' : 'mlp.up', neurons: 14336 });
  let seed = 7;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);
  const a = new Float64Array(n).map(() => 0.5 + (rnd() + rnd() + rnd() - 1.5) * 0.1);
  const order = new Uint32Array(n).map((_, i) => i).sort((x, y) => a[y] - a[x] || x - y);
  const experts = { source: 'concept.jsonl', positives: 500, negatives: 500, pooling: 'max', sites, site: order.map((i) => Math.floor(i / 14336)), neuron: order.map((i) => i % 14336), auroc: Float64Array.from(order, (i) => a[i]), perLayer: [] };
  const model = { name: 'llama', path: '/m', format: 'optimum', architecture: 'LlamaForCausalLM', layers: sites.length / 2, vocabSize: 128256, sites, isDemo: false };
  const send = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
  await frame();
  window.__long.length = 0;
  const t0 = performance.now();
  send({ type: 'didChangeModel', model });
  send({ type: 'didChangeExperts', experts });
  send({ type: 'didChangeIntervention', intervention: { method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: 0 } });
  const handled = performance.now() - t0;
  await frame();
  const painted = performance.now() - t0;
  const firstLong = [...window.__long];
  window.__long.length = 0;
  const scroller = document.querySelector('.scroller');
  const times = [];
  for (let f = 0; f < 200; f++) {
    const t = performance.now();
    scroller.scrollTop = f % 2 ? Math.floor(rnd() * n) * 26 : scroller.scrollTop + 120;
    scroller.dispatchEvent(new Event('scroll'));
    times.push(performance.now() - t);
    await frame();
  }
  await frame();
  times.sort((x, y) => x - y);
  return { rows: document.querySelectorAll('[data-testid=expert-row]').length, handledMs: handled, firstPaintMs: painted, longTasksFirstRender: firstLong, scrollMedianMs: times[100], scrollMaxMs: times[199], longTasksScrolling: [...window.__long] };
}, n);
console.log(JSON.stringify({ neurons: n, ...result }, null, 1));
await browser.close();
