// Nothing stale shown as current, host side (issue 23, items 1-2): after Import Intervention the
// preview is run again with the file's gains; a preview running while a profile lands is run again
// with the new profile's gains; the open neuron detail is computed again from the new profile. The
// model process is a fake whose text spells out the gains it was given, so the expected text is
// AurA's and Det0's gains worked out by hand from the AUROCs below.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROFILE_FORMAT, PROFILE_VERSION, aurocPath } from '../../src/aura/profile/store';
import { parseHostMessage } from '../../src/shared/protocol';
import { scratchDir } from '../helpers/scratch';
import { panelOverWorkbench } from '../helpers/panel';
import type { CallOptions, DetailRequest, GenerateRequest, ModelHost, ModelInfo, OpenProfileRequest, ProfileOutcome } from '../../src/host/model-host/api';
import type { Workbench } from '../../src/host/workbench';
import type { ComparisonSnapshot, HostMessage, NeuronDetail, PreviewSnapshot } from '../../src/shared/protocol';

const SITE = 'h.0.mlp';
const INFO: ModelInfo = { name: 'fake', path: '/fake', format: 'onnx', architecture: 'gpt2', layers: 1, vocabSize: 10, sites: [{ id: SITE, layer: 0, kind: 'mlp.out', neurons: 4 }], fingerprint: 'sha256:fake', maxPositions: null };
/** A profile folder as the CLI writes one (manifest and AUROCs), for the compare card's reads. */
function writeProfile(name: string, auroc: number[]): string {
  const dir = scratchDir(name);
  mkdirSync(join(dir, 'auroc'), { recursive: true });
  const sites = [{ id: SITE, neurons: auroc.length }];
  const manifest = { format: PROFILE_FORMAT, version: PROFILE_VERSION, model: { name: 'fake', fingerprint: INFO.fingerprint }, data: { source: `${name}.jsonl`, positives: 10, negatives: 10, hash: 'sha256:0' }, seqLen: 16, batchSize: 4, sites, examples: 20, batches: 5, pooling: 'max' };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(aurocPath(dir, SITE, 'max'), new Uint8Array(Float64Array.from(auroc).buffer));
  return dir;
}

/** Two profiles of the same model, A then B with other AUROCs, and C, a second concept to compare with. */
const A = writeProfile('a', [0.9, 0.8, 0.6, 0.3]);
const B = writeProfile('b', [0.4, 0.55, 0.95, 0.7]);
const C = writeProfile('c', [0.3, 0.9, 0.2, 0.8]);
const PROFILES: Record<string, number[]> = { [A]: [0.9, 0.8, 0.6, 0.3], [B]: [0.4, 0.55, 0.95, 0.7] };

function outcome(dir: string): ProfileOutcome {
  const auroc = PROFILES[dir]!;
  const order = auroc.map((_, i) => i).sort((x, y) => auroc[y]! - auroc[x]!);
  return {
    dir,
    reused: false,
    source: `${dir}/concept.jsonl`,
    positives: 50,
    negatives: 50,
    pooling: 'max',
    aurocs: [{ siteId: SITE, auroc: Float64Array.from(auroc) }],
    experts: {
      source: 'concept.jsonl',
      positives: 50,
      negatives: 50,
      pooling: 'max',
      sites: INFO.sites,
      site: new Int32Array(4),
      neuron: Int32Array.from(order),
      auroc: Float64Array.from(order.map((i) => auroc[i]!)),
      perLayer: [{ layer: 0, experts: auroc.filter((a) => a > 0.5).length, neurons: 4 }],
    },
    // Only its presence matters here (a sketch profile has none, and cannot be swept).
    stats: { sites: [] } as unknown as ProfileOutcome['stats'],
    seconds: 0.1,
  };
}

const side = { toxicityProbability: 0.5, expectedMaxToxicity: 0.5, meanToxicity: 0.2, perplexity: null };

/** Generation spells the gains out, two decimals each, one "token" every `delayMs`. */
function fakeHost(delayMs: number) {
  return {
    open: async () => INFO,
    openProfile: async (req: OpenProfileRequest) => outcome(req.dir),
    async generate(req: GenerateRequest, call: CallOptions = {}): Promise<string> {
      const words = req.gains ? [...req.gains.get(SITE)!].map((g) => g.toFixed(2)) : ['w', 'w', 'w', 'w'];
      let text = '';
      for (const w of words) {
        await new Promise((r) => setTimeout(r, delayMs));
        call.signal?.throwIfAborted();
        text += ` ${w}`;
        call.onText?.(text);
      }
      return text;
    },
    async neuronDetail(req: DetailRequest): Promise<NeuronDetail> {
      await new Promise((r) => setTimeout(r, delayMs));
      // As the model process answers: the profile's part is marked pending (its examples follow).
      return { site: req.site, neuron: req.neuron, layer: req.layer, auroc: req.auroc, gain: req.gain, applied: req.applied, meanPositive: 1, meanNegative: 0, maxPositive: 1, maxNegative: 0, positive: [], negative: [], topExamples: [], ...(req.part === 'profile' ? { pending: true } : {}) };
    },
    evaluate: async () => ({ baseline: side, intervened: side, prompts: 2, samples: 1, scorer: 'lexicon', seconds: 0.1 }),
    sweep: async () => ({ points: [], arms: [], prompts: 2, samples: 1, scorer: 'lexicon', seconds: 0.1 }),
    dispose: async () => undefined,
  } as unknown as ModelHost;
}

function setup(delayMs = 2) {
  const { wb, posted, panel } = panelOverWorkbench(fakeHost(delayMs));
  return { wb, posted, panel, dispose: async () => (panel.dispose(), await wb.dispose()) };
}

/** setup(delayMs) with the fake model and profile A open; runs `body`, then disposes all, whatever happened. */
async function withProfileA(body: (t: ReturnType<typeof setup>) => Promise<void>, delayMs = 2): Promise<void> {
  const t = setup(delayMs);
  try {
    await t.wb.openModel('/fake', false);
    await t.wb.openProfile(A);
    await body(t);
  } finally {
    await t.dispose();
  }
}

/** The next finished preview whose run matches, or a failure after `ms` (the old code never reran). */
function nextDone(wb: Workbench, ms = 30_000, where: (p: PreviewSnapshot) => boolean = () => true): Promise<PreviewSnapshot> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (sub.dispose(), reject(new Error(`no finished preview within ${ms} ms (never rerun)`))), ms);
    const sub = wb.preview.onDidUpdate((p) => {
      if (p.done && !p.error && where(p)) {
        clearTimeout(timer);
        sub.dispose();
        resolve(p);
      }
    });
  });
}

test('Import Intervention reruns the preview: the new heading comes with the new text', async () => {
  const t = setup();
  const dir = mkdtempSync(join(tmpdir(), 'aura-stale-'));
  try {
    await t.wb.openModel('/fake', false);
    await t.wb.openProfile(A);
    const first = await t.wb.preview.run('You are').done;
    // AurA on A: 1 - 2(AUROC - 0.5) for AUROC > 0.5 -> 0.2, 0.4, 0.8; 0.3 is no expert -> 1.
    assert.equal(first.intervened, ' 0.20 0.40 0.80 1.00');
    assert.equal(first.madeWith?.interventionLabel, 'AurA 100%');
    assert.equal(first.madeWith?.profileLabel, '#1 (concept.jsonl)', 'the first profile of the session, by its data file');

    // Det0 with k = 2 zeroes the two highest AUROCs (neurons 0 and 1).
    const path = join(dir, 'det0.json');
    writeFileSync(path, JSON.stringify({ format: 'aura-lens.intervention', version: 1, method: 'det0', params: { strength: 1, k: 2 }, sites: { [SITE]: { neurons: 4, gain: [0, 0, 1, 1] } } }));
    const rerun = nextDone(t.wb);
    await t.wb.importIntervention(path);
    const after = await rerun;
    assert.ok(after.runId > first.runId, 'a new run');
    assert.equal(after.prompt, 'You are');
    assert.equal(after.intervened, ' 0.00 0.00 1.00 1.00');
    assert.equal(after.madeWith?.interventionLabel, 'Det0 100% · imported');
    assert.equal(after.madeWith?.intervention, t.wb.intervention.revision);
    // What the page receives passes its check, provenance included.
    const last = t.posted.filter((m) => m.type === 'didUpdatePreview').at(-1)!;
    assert.deepEqual(parseHostMessage(last), last);
  } finally {
    await t.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a preview running while a profile lands is run again with the new profile\'s gains', () =>
  withProfileA(async (t) => {
    const run = t.wb.preview.run('You are');
    // Let it start generating with A's gains, then land B.
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(t.wb.preview.snapshot?.done, false, 'still running when the profile lands');
    const rerun = nextDone(t.wb, 30_000, (p) => p.runId > run.runId);
    await t.wb.openProfile(B);
    const after = await rerun;
    // AurA on B: 0.4 -> 1 (no expert), 0.55 -> 0.9, 0.95 -> 0.1, 0.7 -> 0.6.
    assert.equal(after.intervened, ' 1.00 0.90 0.10 0.60');
    assert.equal(after.madeWith?.profile, t.wb.experts?.key);
    const finished = await run.done;
    assert.equal(finished.error, 'cancelled', 'the run made with A was stopped');
  }, 15));

test("the open neuron detail is computed again from a second profile: its AUROC and gain, not the first's", () =>
  withProfileA(async (t) => {
    // Whole details (the profile's part comes first, marked pending; it carries the same numbers).
    const details = () => t.posted.filter((m): m is Extract<HostMessage, { type: 'didSelectNeuron' }> => m.type === 'didSelectNeuron' && !m.detail.pending).map((m) => m.detail);
    t.panel.receive({ type: 'selectNeuron', site: SITE, neuron: 0 });
    await waitFor(() => details().length === 1);
    assert.equal(details()[0]!.auroc, 0.9);
    assert.ok(Math.abs(details()[0]!.gain - 0.2) < 1e-6);
    await t.wb.openProfile(B);
    await waitFor(() => details().length === 2);
    const d = details()[1]!;
    assert.equal(d.auroc, 0.4);
    assert.equal(d.gain, 1, 'no expert in B: gain 1');
    assert.equal(d.madeWith?.profile, t.wb.experts?.key);
    // A neuron asked for while the second profile lands is answered from the second profile too.
    t.panel.receive({ type: 'selectNeuron', site: SITE, neuron: 2 });
    await t.wb.openProfile(A);
    await waitFor(() => details().at(-1)?.madeWith?.profile === t.wb.experts?.key);
    assert.equal(details().at(-1)!.neuron, 2);
    assert.equal(details().at(-1)!.auroc, 0.6);
    assert.ok(details().every((x) => x.neuron !== 2 || x.auroc !== 0.95), 'the neuron never shown with the profile that was replaced');
  }));

test('the compare card is compared again when a new profile lands: the new profile against the same second folder', () =>
  withProfileA(async (t) => {
    t.panel.showComparison(A, await t.wb.intervention.compareProfiles(A, C), C);
    const cards = () => t.posted.filter((m): m is Extract<HostMessage, { type: 'didCompare' }> => m.type === 'didCompare').map((m) => m.comparison);
    const first = cards().at(-1) as ComparisonSnapshot;
    // Experts (AUROC > 0.5): A {0, 1, 2}, C {1, 3}: one shared of four, Jaccard 1/4.
    assert.deepEqual(first.experts, { a: 3, b: 2, both: 1, jaccard: 0.25 });
    const before = cards().length;
    await t.wb.openProfile(B);
    assert.equal(cards()[before], null, 'taken down at once: nothing stale while it is compared again');
    await waitFor(() => cards().length > before + 1);
    const again = cards().at(-1) as ComparisonSnapshot;
    // B {1, 2, 3} against C {1, 3}: two shared of three, Jaccard 2/3.
    assert.deepEqual({ ...again.experts, jaccard: Math.round(again.experts.jaccard! * 1e6) / 1e6 }, { a: 3, b: 2, both: 2, jaccard: 0.666667 });
    assert.ok(parseHostMessage({ type: 'didCompare', comparison: again }));
  }));

test('an evaluation is marked out of date once the intervention changes, a sweep once the profile does (not the panel\'s intervention)', () =>
  withProfileA(async (t) => {
    const e = await t.wb.evaluate('prompts.jsonl', undefined, { samples: 1 });
    assert.equal(e.madeWith.intervention, t.wb.intervention.revision);
    t.panel.showEvaluation({ prompts: e.prompts, samples: e.samples, scorer: e.scorer, seconds: e.seconds, baseline: e.baseline, intervened: e.intervened, madeWith: e.madeWith });
    const s = await t.wb.sweep('prompts.jsonl', undefined, { samples: 1, strengths: [0, 1] });
    t.panel.showSweep({ scorer: s.scorer, points: [], madeWith: s.madeWith });
    assert.deepEqual(t.panel.outOfDate(), {}, 'both made with what is open');
    t.panel.receive({ type: 'setIntervention', settings: { method: 'damp', strength: 0.3, k: 2, alpha: 0.5 } });
    assert.deepEqual(t.panel.outOfDate(), { evaluation: 'Made with profile #1 (concept.jsonl) / intervention AurA 100%: out of date (the intervention has changed since).' });
    await t.wb.openProfile(B);
    assert.deepEqual(t.panel.outOfDate(), {
      evaluation: 'Made with profile #1 (concept.jsonl) / intervention AurA 100%: out of date (the profile has changed since).',
      sweep: 'Made with profile #1 (concept.jsonl): out of date (the profile has changed since).',
    });
  }));

async function waitFor(ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
