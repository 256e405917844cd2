// The concept walk-through of docs/concepts.md (sadness in stories260K) end to end through the built CLI,
// on a small seeded sample: profile, fit --method aura (all sites and one site with --sites), evaluate
// --scorer words:sadness.txt. Nothing here depends on which way the result goes. Expected values are
// recomputed independently: each neuron's AUROC by pairwise comparison of the profile's pooled responses
// (the Mann-Whitney count, ties 1/2), AurA's gain rule written out, and the baseline arm's sad share by
// re-drawing its continuations (same seeds) and matching them with a whole-word matcher
// written here.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readInterventionFile } from '../../src/aura/intervention-file';
import { aurocPath, responsesPath } from '../../src/aura/profile/store';
import { WordListScorer } from '../../src/aura/scoring/words';
import { generate } from '../../src/engine/generation/generate';
import { LanguageModel } from '../../src/engine/model';
import { storiesConceptData, writeStoriesConceptData } from '../../scripts/stories-concept/data';
import { MODELS } from '../helpers/fixtures';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';
import type { InterventionFile } from '../../src/aura/intervention-file';

const MODEL = join(MODELS, 'stories260k');
const LIST = join(__dirname, '..', '..', 'scripts', 'stories-concept', 'sadness.txt');
const SAMPLES = 5;
const NEW_TOKENS = 64;
const SEED = 11;

let dir: string;
let prof: string;
let profiled: Record<string, any>;
let examples: { text: string; label: 0 | 1 }[];
let prompts: string[];
let full: InterventionFile;
let oneSite: string;
let one: InterventionFile;
let evaluated: Record<string, any>;

function cli(args: string[]): Record<string, any> {
  const r = runCli([...args, '--json'], { timeout: 120_000 });
  assert.equal(r.status, 0, `aura-lens ${args[0]} failed: ${r.stderr}`);
  return r.json!;
}

/** AUROC of every neuron from a [rows, n] response matrix: P(pos > neg) + P(pos = neg) / 2 over all pairs. */
function pairwiseAuroc(m: Float32Array, labels: number[], n: number): number[] {
  const pos = labels.flatMap((l, r) => (l === 1 ? [r] : []));
  const neg = labels.flatMap((l, r) => (l === 0 ? [r] : []));
  return Array.from({ length: n }, (_, j) => {
    let wins = 0;
    for (const p of pos) for (const q of neg) {
      const a = m[p * n + j]!;
      const b = m[q * n + j]!;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
    }
    return wins / (pos.length * neg.length);
  });
}

/** The word list's whole-word, case-insensitive test, written independently of the scorer. */
function mentions(text: string, words: string[]): boolean {
  const lower = text.toLowerCase();
  return words.some((w) => {
    for (let i = lower.indexOf(w); i >= 0; i = lower.indexOf(w, i + 1)) {
      const before = i === 0 ? '' : lower[i - 1]!;
      const after = lower[i + w.length] ?? '';
      if (!/[\p{L}\p{N}_]/u.test(before) && !/[\p{L}\p{N}_]/u.test(after)) return true;
    }
    return false;
  });
}

const gainsOf = (f: InterventionFile, site: string, n: number) => f.sites[site]?.gain ?? new Array<number>(n).fill(1);

before(async () => {
  dir = scratchDir('stories-loop');
  const model = await LanguageModel.open(MODEL, { threads: 1 });
  try {
    const d = await storiesConceptData(model, WordListScorer.load(LIST), { conceptStories: 256, storyTokens: 48, prompts: 8, neutral: 4, seed: 20 });
    writeStoriesConceptData(dir, d);
    examples = d.examples;
    prompts = d.prompts;
  } finally {
    await model.dispose();
  }
  prof = join(dir, 'profile');
  const outs = join(dir, 'out');
  mkdirSync(outs);
  profiled = cli(['profile', MODEL, '--data', join(dir, 'concept.jsonl'), '--out', prof, '--batch-size', '32']);
  cli(['fit', prof, '--method', 'aura', '--out', join(outs, 'aura.json')]);
  full = await readInterventionFile(join(outs, 'aura.json'));
  oneSite = (profiled.sites as { id: string }[])[1]!.id;
  cli(['fit', prof, '--method', 'aura', '--sites', oneSite, '--out', join(outs, 'aura-one.json')]);
  one = await readInterventionFile(join(outs, 'aura-one.json'));
  evaluated = cli([
    'evaluate', MODEL, '--intervention', join(outs, 'aura.json'), '--prompts', join(dir, 'prompts.jsonl'), '--neutral', join(dir, 'neutral.jsonl'),
    '--scorer', `words:${LIST}`, '--samples', String(SAMPLES), '--max-new-tokens', String(NEW_TOKENS), '--seed', String(SEED),
  ]);
});

describe('the stories260K sadness loop through the CLI', () => {
  it('samples labelled concept data and held-out openings', () => {
    const pos = examples.filter((x) => x.label === 1).length;
    assert.ok(pos >= 5, `only ${pos} sad stories`);
    assert.equal(examples.length, 2 * pos);
    const words = WordListScorer.load(LIST);
    for (const x of examples) assert.equal(words.matches(x.text), x.label === 1, x.text);
    assert.equal(prompts.length, 8);
    for (const f of ['concept.jsonl', 'prompts.jsonl', 'neutral.jsonl']) {
      const lines = readFileSync(join(dir, f), 'utf8').trim().split('\n');
      for (const l of lines) assert.equal(typeof JSON.parse(l).text, 'string', `${f}: ${l}`);
    }
  });

  it('profile writes every site\'s responses and AUROCs, which match a pairwise recount', () => {
    const pos = examples.filter((x) => x.label === 1).length;
    assert.equal(profiled.positives, pos);
    assert.equal(profiled.negatives, examples.length - pos);
    assert.equal(profiled.sites.length, 15);
    const labels = JSON.parse(readFileSync(join(prof, 'order.json'), 'utf8')).labels as number[];
    assert.equal(labels.length, examples.length);
    for (const s of profiled.sites as { id: string; neurons: number }[]) {
      const rp = responsesPath(prof, s.id, 'max');
      assert.equal(statSync(rp).size, labels.length * s.neurons * 4, rp);
      assert.equal(statSync(aurocPath(prof, s.id, 'max')).size, s.neurons * 8);
    }
    // Every site: the recount, the stored AUROCs and the intervention's touched set agree.
    let touched = 0;
    for (const s of profiled.sites as { id: string; neurons: number }[]) {
      const buf = readFileSync(responsesPath(prof, s.id, 'max'));
      const m = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const want = pairwiseAuroc(m, labels, s.neurons);
      const ab = readFileSync(aurocPath(prof, s.id, 'max'));
      const stored = new Float64Array(ab.buffer.slice(ab.byteOffset, ab.byteOffset + ab.byteLength));
      const gain = gainsOf(full, s.id, s.neurons);
      assert.equal(gain.length, s.neurons);
      for (let j = 0; j < s.neurons; j++) {
        assert.ok(Math.abs(stored[j]! - want[j]!) < 1e-9, `${s.id}[${j}] AUROC ${stored[j]} vs pairwise ${want[j]}`);
        // Exactly the neurons with AUROC > 0.5 change, each by alpha = 1 - 2 (AUROC - 0.5).
        if (want[j]! > 0.5) {
          touched++;
          assert.ok(Math.abs(gain[j]! - (1 - 2 * (want[j]! - 0.5))) < 1e-6, `${s.id}[${j}] gain ${gain[j]} for AUROC ${want[j]}`);
        } else assert.equal(gain[j], 1, `${s.id}[${j}] changed with AUROC ${want[j]}`);
      }
    }
    assert.ok(touched > 0);
  });

  it('fit --sites changes only that site, as the full fit does there', () => {
    assert.deepEqual(one.sites[oneSite]!.gain, full.sites[oneSite]!.gain);
    assert.ok(one.sites[oneSite]!.gain.some((g) => g !== 1));
    for (const s of profiled.sites as { id: string; neurons: number }[]) {
      if (s.id !== oneSite) assert.ok(gainsOf(one, s.id, s.neurons).every((g) => g === 1), `${s.id} changed`);
    }
  });

  it('evaluate reports both arms with intervals, k = --samples, and a baseline share that matches a recount', async () => {
    assert.equal(evaluated.samplesPerPrompt, SAMPLES);
    for (const arm of [evaluated, evaluated.baseline]) {
      const t = arm.toxicity;
      for (const k of ['toxicityProbability', 'expectedMaxToxicity', 'meanToxicity']) {
        assert.ok(t[k] >= 0 && t[k] <= 1, `${k} = ${t[k]}`);
        const iv = arm.intervals[k];
        assert.ok(iv.low <= t[k] + 1e-12 && t[k] <= iv.high + 1e-12, `${k} ${t[k]} outside [${iv.low}, ${iv.high}]`);
      }
      assert.equal(t.samplesPerPrompt, SAMPLES);
      assert.equal(t.prompts, prompts.length);
      assert.ok(arm.perplexity > 1);
    }
    // The unchanged model's continuations drawn again (row i of prompt p from seed + p k + i, as evaluate
    // documents), then matched with the word list by the matcher above.
    const words = readFileSync(LIST, 'utf8').split('\n').map((l) => l.trim().toLowerCase()).filter((l) => l && !l.startsWith('#'));
    assert.ok(words.every((w) => !/\s/.test(w)), 'the recount matcher handles single words only');
    let sad = 0;
    let promptsWithSad = 0;
    const model = await LanguageModel.open(MODEL, { threads: 1 });
    try {
      for (const [p, prompt] of prompts.entries()) {
        const ids = model.tokenizer.encode(prompt);
        const r = await generate(model, new Array<number[]>(SAMPLES).fill(ids), { maxNewTokens: NEW_TOKENS, temperature: 1, topP: 0.9, seed: SEED + p * SAMPLES });
        const hits = r.texts.filter((t) => mentions(t, words)).length;
        sad += hits;
        if (hits > 0) promptsWithSad++;
      }
    } finally {
      await model.dispose();
    }
    // These seeds give the baseline at least one sad continuation, so the recount has something to count.
    assert.ok(sad > 0, 'no sad continuation in the baseline: the recount would check nothing');
    const b = evaluated.baseline.toxicity;
    assert.ok(Math.abs(b.meanToxicity - sad / (prompts.length * SAMPLES)) < 1e-12, `baseline mean ${b.meanToxicity} vs recount ${sad}/${prompts.length * SAMPLES}`);
    assert.ok(Math.abs(b.toxicityProbability - promptsWithSad / prompts.length) < 1e-12, `baseline at-least-one ${b.toxicityProbability} vs recount ${promptsWithSad}/${prompts.length}`);
    assert.ok(Math.abs(b.expectedMaxToxicity - promptsWithSad / prompts.length) < 1e-12);
    console.log(`baseline recount: ${sad} of ${prompts.length * SAMPLES} continuations sad, ${promptsWithSad} of ${prompts.length} prompts`);
    assert.ok(existsSync(join(dir, 'out', 'aura.json')));
  });
});
