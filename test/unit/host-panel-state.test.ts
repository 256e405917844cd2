// The host's half of the panel state that survives: the workspace state round trip (through JSON, as
// VS Code stores it), the intervention put back on its profile in a "reloaded" extension (a new
// InterventionState over the same memory), and a panel closed and opened again (a new controller over
// the same memory) getting the view, the evaluation and the sweep back with their provenance.
// Expected values are the settings and numbers the test sets by hand (Damp 30%, alpha 0.5, ...).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Emitter } from '../../src/host/events';
import { InterventionState } from '../../src/host/intervention-state';
import { memoryLogger } from '../../src/host/logger';
import { keepIntervention } from '../../src/panel/keep-intervention';
import { MAX_KEPT_OVERRIDES, PanelMemory, provenanceOf } from '../../src/panel/panel-memory';
import { NO_MODEL_HOST, panelOverWorkbench } from '../helpers/panel';
import type { SiteAuroc } from '../../src/aura/experts';
import type { EvaluationSummary, ExpertsSnapshot, SweepSnapshot } from '../../src/shared/protocol';
import type { ViewState } from '../../src/shared/view-state';

/** A Memento that stores what VS Code's storage would: JSON text. */
function fakeWorkspaceState() {
  const data = new Map<string, string>();
  return {
    data,
    get: <T>(key: string) => (data.has(key) ? (JSON.parse(data.get(key)!) as T) : undefined),
    update: async (key: string, value: unknown) => void (value === undefined ? data.delete(key) : data.set(key, JSON.stringify(value))),
  } as const;
}

const VIEW: ViewState = {
  sort: { column: 'layer', dir: 'desc' },
  filter: { site: 'transformer.h.1.mlp.c_fc', layer: 1, aurocMin: 0.6, aurocMax: 1 },
  search: 'c_fc',
  selected: { site: 'transformer.h.1.mlp.c_fc', neuron: 7 },
  activeRow: 3,
  scrollTop: 120,
  prompt: 'You are such a nice',
};
const side = { toxicityProbability: 0.4, expectedMaxToxicity: 0.5, meanToxicity: 0.2, perplexity: 31.5 };
const EVALUATION: EvaluationSummary = { prompts: 50, samples: 5, scorer: 'lexicon', seconds: 12, baseline: side, intervened: { ...side, toxicityProbability: 0.1 } };
const SWEEP: SweepSnapshot = { scorer: 'lexicon', points: [{ method: 'damp', control: null, strength: 0.5, toxicity: 0.2, perplexity: 30 }, { method: 'damp', control: 'random', strength: 0.5, toxicity: 0.38, perplexity: 29.9 }] };

function sites(): SiteAuroc[] {
  // Hand-made AUROCs, best first on site a: neurons 0..3 of a are the top 4.
  return [
    { siteId: 'a', auroc: Float64Array.from([0.9, 0.85, 0.8, 0.75, 0.4, 0.3]) },
    { siteId: 'b', auroc: Float64Array.from([0.7, 0.2, 0.5, 0.45]) },
  ];
}

test('the workspace state round trip: view, intervention, evaluation and sweep come back as saved', () => {
  const ws = fakeWorkspaceState();
  const m = new PanelMemory(ws);
  assert.equal(m.view(), undefined);
  m.saveView(VIEW);
  const iv = { method: 'damp', strength: 0.3, k: 4, alpha: 0.5, overrides: [{ site: 'b', neuron: 1, gain: 0.2 }], affected: 5 };
  m.saveIntervention('/cache/profile-1', iv);
  const from = provenanceOf('/cache/profile-1', iv);
  m.saveEvaluation(EVALUATION, from);
  m.saveSweep(SWEEP, from);

  const again = new PanelMemory(ws);
  assert.deepEqual(again.view(), VIEW);
  assert.deepEqual(again.intervention(), { profile: '/cache/profile-1', method: 'damp', strength: 0.3, k: 4, alpha: 0.5, overrides: [{ site: 'b', neuron: 1, gain: 0.2 }] });
  assert.deepEqual(again.evaluation(), { from: { profile: '/cache/profile-1', intervention: { method: 'damp', strength: 0.3, k: 4, alpha: 0.5, overrides: 1 } }, evaluation: EVALUATION });
  assert.deepEqual(again.sweep()!.sweep, SWEEP);
  assert.equal(again.sweep()!.from.profile, '/cache/profile-1');
});

test('a kept entry from an older version or damaged is ignored on its own, the others still read', () => {
  const ws = fakeWorkspaceState();
  const m = new PanelMemory(ws);
  m.saveView(VIEW);
  m.saveSweep(SWEEP, provenanceOf(undefined, undefined));
  ws.data.set('aura.panel.intervention', JSON.stringify({ method: 'damp', strength: 3 }));
  ws.data.set('aura.panel.evaluation', JSON.stringify({ evaluation: { prompts: -1 } }));
  assert.equal(m.intervention(), undefined);
  assert.equal(m.evaluation(), undefined);
  assert.deepEqual(m.view(), VIEW);
  assert.deepEqual(m.sweep(), { from: { profile: null, intervention: null }, sweep: SWEEP });
  ws.data.set('aura.panel.view', JSON.stringify({ ...VIEW, filter: { ...VIEW.filter, aurocMin: -1 } }));
  assert.equal(m.view(), undefined);
});

test('too many hand-set gains are not kept (the method and settings are); an imported file is kept by its path', () => {
  const m = new PanelMemory(fakeWorkspaceState());
  const many = Array.from({ length: MAX_KEPT_OVERRIDES + 1 }, (_, i) => ({ site: 'a', neuron: i, gain: 0 }));
  m.saveIntervention('/p', { method: 'aura', strength: 1, k: null, alpha: null, overrides: many, affected: 9, combined: 'product of x and y' });
  assert.deepEqual(m.intervention(), { profile: '/p', method: 'aura', strength: 1, k: null, alpha: null, overrides: [], droppedOverrides: MAX_KEPT_OVERRIDES + 1, combined: 'product of x and y' });
  m.saveIntervention('/p', { method: 'damp', strength: 0.5, k: null, alpha: 0.25, overrides: [{ site: 'a', neuron: 0, gain: 0.1 }], affected: 9, importedFrom: '/w/damp.json' });
  assert.deepEqual(m.intervention(), { profile: '/p', method: 'damp', strength: 0.5, k: null, alpha: 0.25, overrides: [], importedFrom: '/w/damp.json' });
});

/** The slice of a Workbench keepIntervention uses, with a real InterventionState. */
function owner() {
  const experts = new Emitter<ExpertsSnapshot | undefined>();
  const intervention = new InterventionState();
  const imports: string[] = [];
  let reruns = 0;
  const o = {
    profile: undefined as { dir: string } | undefined,
    onDidChangeExperts: experts.event,
    intervention,
    preview: { scheduleRerun: () => void reruns++ },
    importIntervention: async (path: string) => void imports.push(path),
    /** What Workbench.setProfile does: new AUROCs (default settings kept), then the experts event. */
    land(dir: string) {
      o.aurocs(dir);
      o.experts();
    },
    aurocs(dir: string) {
      o.profile = { dir };
      intervention.setAurocs(sites());
    },
    experts: () => experts.fire(undefined),
    imports,
    reruns: () => reruns,
  };
  return o;
}

test('Reload Window: Damp 30% (k 4, alpha 0.5, one hand-set gain) comes back on its profile, not AurA 100%', async () => {
  const ws = fakeWorkspaceState();
  const log = memoryLogger();
  // Session 1: the user sets the intervention on profile P.
  const one = owner();
  const k1 = keepIntervention(one, new PanelMemory(ws), log);
  one.land('/cache/P');
  one.intervention.update({ method: 'damp', strength: 0.3, k: 4, alpha: 0.5 });
  one.intervention.setOverride('b', 1, 0.2);
  k1.dispose();
  one.intervention.dispose();

  // Session 2: a fresh extension. Its default intervention must not overwrite the kept one before P is back.
  const two = owner();
  const k2 = keepIntervention(two, new PanelMemory(ws), log);
  two.aurocs('/cache/P');
  assert.equal(new PanelMemory(ws).intervention()!.method, 'damp');
  two.experts();
  await k2.restored;
  const s = two.intervention.snapshot();
  assert.deepEqual({ method: s.method, strength: s.strength, k: s.k, alpha: s.alpha, overrides: s.overrides }, { method: 'damp', strength: 0.3, k: 4, alpha: 0.5, overrides: [{ site: 'b', neuron: 1, gain: 0.2 }] });
  // The applied gains, by hand: the top 4 (a:0..3) at 1 - 0.3*(1-0.5) = 0.85, b:1 at 1 - 0.3*(1-0.2) = 0.76, the rest 1.
  const g = two.intervention.appliedGains()!;
  const a = [...g.get('a')!].map((x) => Math.round(x * 1e6) / 1e6);
  const b = [...g.get('b')!].map((x) => Math.round(x * 1e6) / 1e6);
  assert.deepEqual(a, [0.85, 0.85, 0.85, 0.85, 1, 1]);
  assert.deepEqual(b, [1, 0.76, 1, 1]);
  assert.equal(two.reruns(), 1);
  assert.match(log.lines.join('\n'), /restored the intervention of the last session: damp at 30%/);
  // Later changes are kept again.
  two.intervention.update({ method: 'det0', strength: 1, k: 2, alpha: null });
  assert.equal(new PanelMemory(ws).intervention()!.method, 'det0');
  k2.dispose();
  two.intervention.dispose();
});

test('another profile does not take the kept intervention (and replaces it); an imported one is imported again', async () => {
  const ws = fakeWorkspaceState();
  const log = memoryLogger();
  const memory = new PanelMemory(ws);
  memory.saveIntervention('/cache/P', { method: 'damp', strength: 0.3, k: 4, alpha: 0.5, overrides: [], affected: 4 });
  const other = owner();
  const k = keepIntervention(other, memory, log);
  other.land('/cache/Q');
  await k.restored;
  assert.equal(other.intervention.snapshot().method, 'aura');
  assert.equal(other.intervention.snapshot().strength, 1);
  other.intervention.update({ method: 'aura', strength: 0.6, k: null, alpha: null });
  assert.deepEqual(memory.intervention(), { profile: '/cache/Q', method: 'aura', strength: 0.6, k: null, alpha: null, overrides: [] });
  k.dispose();
  other.intervention.dispose();

  memory.saveIntervention('/cache/P', { method: 'damp', strength: 0.4, k: null, alpha: 0.5, overrides: [], affected: 4, importedFrom: '/w/damp.json' });
  const again = owner();
  const k2 = keepIntervention(again, memory, log);
  again.land('/cache/P');
  await k2.restored;
  assert.deepEqual(again.imports, ['/w/damp.json']);
  assert.equal(again.intervention.snapshot().strength, 0.4);
  k2.dispose();
  again.intervention.dispose();
});

test('a kept intervention the profile cannot take (a transport method it lacks) is reported in one line, not thrown', async () => {
  const memory = new PanelMemory(fakeWorkspaceState());
  memory.saveIntervention('/cache/P', { method: 'linear-act', strength: 0.5, k: null, alpha: null, overrides: [], affected: 4 });
  const log = memoryLogger();
  const o = owner();
  const k = keepIntervention(o, memory, log);
  o.land('/cache/P');
  await k.restored;
  assert.equal(o.intervention.snapshot().method, 'aura');
  assert.match(log.lines.join('\n'), /could not restore the intervention of the last session \(linear-act at 50%\): linear-act is fitted/);
  k.dispose();
  o.intervention.dispose();
});

function controller(memory: PanelMemory) {
  const { panel: c, posted, wb } = panelOverWorkbench(NO_MODEL_HOST, { memory });
  return { c, posted, wb };
}

test('a panel closed and opened again: the new page gets the view, the evaluation and the sweep back', async () => {
  const ws = fakeWorkspaceState();
  const first = controller(new PanelMemory(ws));
  first.c.receive({ type: 'saveView', view: VIEW });
  const from = { profile: '/cache/P', intervention: { method: 'damp', strength: 0.3, k: 4, alpha: 0.5, overrides: 0 } };
  first.c.showEvaluation(EVALUATION, from);
  first.c.showSweep(SWEEP);
  first.c.dispose();
  await first.wb.dispose();

  const second = controller(new PanelMemory(ws));
  second.c.receive({ type: 'ready' });
  assert.equal(second.posted[0]!.type, 'didRestoreView');
  assert.deepEqual(second.posted.find((m) => m.type === 'didRestoreView'), { type: 'didRestoreView', view: VIEW });
  assert.deepEqual(second.posted.find((m) => m.type === 'didEvaluate'), { type: 'didEvaluate', evaluation: EVALUATION });
  assert.deepEqual(second.posted.find((m) => m.type === 'didSweep'), { type: 'didSweep', sweep: SWEEP });
  const kept = new PanelMemory(ws);
  assert.deepEqual(kept.evaluation()!.from, from);
  // The sweep was shown with no profile open: its provenance says so.
  assert.deepEqual(kept.sweep()!.from, { profile: null, intervention: null });
  // A malformed view from a page is dropped, the kept one stays.
  second.c.receive({ type: 'saveView', view: { ...VIEW, activeRow: -1 } });
  assert.deepEqual(kept.view(), VIEW);
  second.c.dispose();
  await second.wb.dispose();
});
