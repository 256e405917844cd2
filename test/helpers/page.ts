// The experts panel's page in happy-dom with a fake host: what the page posts is recorded, and host
// messages arrive as window 'message' events, as they do in a real webview.
import { afterEach } from 'node:test';
import { Window } from 'happy-dom';
import { mountApp } from '../../webview/views/app';
import type { ExpertsSnapshot, HostMessage, InterventionSnapshot, ModelSummary, NeuronDetail, PageMessage, SiteInfo } from '../../src/shared/protocol';

export type MountedPage = ReturnType<typeof mountPage>;

export function mountPage(saved?: unknown) {
  const win = new Window({ url: 'https://webview.test/' });
  const doc = win.document as unknown as Document;
  const root = doc.createElement('div');
  doc.body.append(root);
  const posted: PageMessage[] = [];
  const warnings: string[] = [];
  let state = saved;
  const originalWarn = console.warn;
  console.warn = (m: string) => void warnings.push(String(m));
  const app = mountApp(root, { postMessage: (m) => posted.push(m as PageMessage), getState: () => state, setState: (s) => (state = s) });
  const fromHost = (m: HostMessage | unknown) => win.dispatchEvent(new win.MessageEvent('message', { data: m }));
  return {
    win,
    doc,
    root,
    app,
    posted,
    warnings,
    fromHost,
    state: () => state,
    $: (testId: string) => root.querySelector(`[data-testid="${testId}"]`) as HTMLElement,
    $$: (testId: string) => [...root.querySelectorAll(`[data-testid="${testId}"]`)] as HTMLElement[],
    async close() {
      console.warn = originalWarn;
      app.dispose();
      await win.happyDOM.close();
    },
  };
}

/**
 * A GPT-2-small-like profile: layers of c_fc (3072) and c_proj (768), sorted by AUROC (typed columns).
 * `llama` gives Llama-3-8B's layout instead: gate_proj and up_proj of 14,336 per layer.
 */
export function bigExperts(total = 50_000, llama = false): ExpertsSnapshot {
  const sites: SiteInfo[] = [];
  for (let l = 0, n = 0; n < total; l++) {
    if (llama) sites.push({ id: `model.layers.${l}.mlp.gate_proj`, layer: l, kind: 'mlp.gate', neurons: 14336 }, { id: `model.layers.${l}.mlp.up_proj`, layer: l, kind: 'mlp.up', neurons: 14336 });
    else sites.push({ id: `transformer.h.${l}.mlp.c_fc`, layer: l, kind: 'mlp.in', neurons: 3072 }, { id: `transformer.h.${l}.mlp.c_proj`, layer: l, kind: 'mlp.out', neurons: 768 });
    n += sites.at(-1)!.neurons + sites.at(-2)!.neurons;
  }
  const s0 = new Uint32Array(total);
  const n0 = new Uint32Array(total);
  const a0 = new Float64Array(total);
  let seed = 11;
  const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  let r = 0;
  sites.forEach((s, i) => {
    for (let j = 0; j < s.neurons && r < total; j++, r++) {
      s0[r] = i;
      n0[r] = j;
      a0[r] = Math.round((0.3 + 0.5 * rnd()) * 1e4) / 1e4;
    }
  });
  const order = new Uint32Array(total).map((_, i) => i).sort((x, y) => a0[y]! - a0[x]! || s0[x]! - s0[y]! || n0[x]! - n0[y]!);
  const site = order.map((i) => s0[i]!);
  const neuron = order.map((i) => n0[i]!);
  const auroc = Float64Array.from(order, (i) => a0[i]!);
  const perLayer = [...new Set(sites.map((s) => s.layer))].map((layer) => ({ layer, experts: 0, neurons: 0, best: 0 }));
  for (let i = 0; i < total; i++) {
    const p = perLayer[sites[site[i]!]!.layer]!;
    p.neurons++;
    if (auroc[i]! > 0.5) p.experts++;
    p.best = Math.max(p.best, auroc[i]!);
  }
  return { key: `big-${total}`, source: 'concept.jsonl', positives: 500, negatives: 1000, pooling: 'max', sites, site, neuron, auroc, perLayer };
}

export function modelOf(experts: ExpertsSnapshot): ModelSummary {
  return { name: 'gpt2', path: '/models/gpt2', format: 'optimum', architecture: 'GPT2LMHeadModel', layers: 12, vocabSize: 50257, sites: experts.sites, isDemo: false };
}

export function intervention(patch: Partial<InterventionSnapshot> = {}): InterventionSnapshot {
  return { method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: 1234, ...patch };
}

/**
 * What the host sends once a profile is open: the model, its experts and the intervention (none when
 * `iv` is null, for a test of what the page shows before the host has one).
 */
export function feedProfile(p: MountedPage, experts: ExpertsSnapshot, iv: InterventionSnapshot | null = intervention()): MountedPage {
  p.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
  p.fromHost({ type: 'didChangeExperts', experts });
  if (iv) p.fromHost({ type: 'didChangeIntervention', intervention: iv });
  return p;
}

/**
 * mountPage for a test file: every page it mounts is closed after the test that mounted it (the
 * console.warn it replaced restored), so a failing test leaves nothing open for the next.
 */
export function pagesClosedAfterEach(): (saved?: unknown) => MountedPage {
  let pages: MountedPage[] = [];
  afterEach(async () => {
    for (const p of pages) await p.close();
    pages = [];
  });
  return (saved?: unknown) => {
    const p = mountPage(saved);
    pages.push(p);
    return p;
  };
}

/** A neuron detail for row `row` of `e` with small fixed class statistics; `patch` replaces any field. */
export function neuronDetail(e: ExpertsSnapshot, row = 0, patch: Partial<NeuronDetail> = {}): NeuronDetail {
  return {
    site: e.sites[e.site[row]!]!.id,
    neuron: e.neuron[row]!,
    layer: e.sites[e.site[row]!]!.layer,
    auroc: e.auroc[row]!,
    gain: 0.5,
    applied: 0.5,
    meanPositive: 1,
    meanNegative: 0,
    maxPositive: 2,
    maxNegative: 1,
    positive: [1, 2, 1.5],
    negative: [0, 0.2, 0.1],
    topExamples: [],
    ...patch,
  };
}

/** happy-dom has no scrollIntoView; the page calls it on the neuron detail when a neuron is selected. */
export function stubDetailScroll(p: MountedPage, onScroll: () => void = () => {}): void {
  (p.$('neuron-detail') as HTMLElement & { scrollIntoView: () => void }).scrollIntoView = onScroll;
}
