// What each neuron writes (issue 9 item 2): the LM-Debugger projection W_U (gamma * w_down[i]) read from
// the graph, against PyTorch values computed from the same weights taken by their Hugging Face names
// (test/fixtures/neuron-writes/make_golden.py), in every float layout of the fixtures; clear errors
// where a layout makes it impossible (quantised weights, an MLP output site).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { extremes, neuronWeightsOf, neuronWrites, neuronWritesMany, GENERATION_MIN_TOXIC } from '../../src/aura/neuron-writes';
import { tagStrongestExperts } from '../../src/aura/neuron-writes-tags';
import { toxicTokenIds } from '../../src/aura/neuron-writes-tokens';
import { LexiconScorer } from '../../src/aura/scoring';
import type { TextTokenizer } from '../../src/engine/tokenizer';
import { LanguageModel } from '../../src/engine/model';
import { runCli } from '../helpers/cli';
import { FIXTURES, MODELS } from '../helpers/fixtures';

interface Case { site: string; neuron: number; logits: number[] }
const GOLDEN = JSON.parse(readFileSync(join(FIXTURES, 'neuron-writes', 'golden.json'), 'utf8')) as Record<'gpt2' | 'llama', { vocab: number; hidden: number; cases: Case[] }>;

/** Folders and the tolerance their weights allow (fp16 weights round to about 3 significant digits). */
const FOLDERS: [string, 'gpt2' | 'llama', number][] = [
  ['gpt2-tiny', 'gpt2', 1e-5],
  ['gpt2-tiny-fused', 'gpt2', 1e-5],
  ['gpt2-tiny-merged', 'gpt2', 1e-5],
  ['gpt2-tiny-fp16', 'gpt2', 2e-2],
  ['llama-tiny', 'llama', 1e-5],
  ['llama-genai', 'llama', 1e-5],
  ['llama-tiny-merged', 'llama', 1e-5],
];

const open: LanguageModel[] = [];
after(async () => {
  for (const m of open) await m.dispose();
});
async function load(name: string): Promise<LanguageModel> {
  const m = await LanguageModel.open(join(MODELS, name));
  open.push(m);
  return m;
}

describe('what each neuron writes, against PyTorch', () => {
  for (const [folder, family, tol] of FOLDERS) {
    it(`${folder}: logits over the vocabulary match for every golden neuron`, async () => {
      const model = await load(folder);
      const g = GOLDEN[family];
      const w = neuronWeightsOf(model);
      const got = w.project(g.cases.map((c) => w.writeVector(c.site, c.neuron)));
      g.cases.forEach((c, k) => {
        assert.equal(got[k]!.length, g.vocab);
        const scale = Math.max(...c.logits.map(Math.abs));
        let worst = 0;
        for (let t = 0; t < g.vocab; t++) worst = Math.max(worst, Math.abs(got[k]![t]! - c.logits[t]!));
        assert.ok(worst <= tol * Math.max(1, scale), `${c.site}[${c.neuron}]: max abs diff ${worst} (scale ${scale})`);
      });
      const src = w.source(g.cases[0]!.site);
      assert.equal(src.hidden, g.hidden);
      assert.equal(src.vocab, g.vocab);
      assert.notEqual(src.normScale, undefined, 'the final norm is recognised');
    });
  }

  it('lists the top promoted and suppressed tokens in the order of the reference logits', async () => {
    const model = await load('gpt2-tiny');
    const c = GOLDEN.gpt2.cases[1]!;
    const w = neuronWrites(model, c.site, c.neuron, 5);
    const order = c.logits.map((v, i) => [v, i] as const);
    const up = [...order].sort((a, b) => b[0] - a[0]).slice(0, 5).map(([, i]) => i);
    const down = [...order].sort((a, b) => a[0] - b[0]).slice(0, 5).map(([, i]) => i);
    assert.deepEqual(w.promoted.map((t) => t.id), up);
    assert.deepEqual(w.suppressed.map((t) => t.id), down);
    assert.equal(w.promoted[0]!.token, model.tokenizer.decode([up[0]!], false));
    assert.equal(w.layer, 0);
  });

  it('tags by the lexicon: generation with at least two toxic promoted tokens, else detection', async () => {
    const model = await load('gpt2-tiny');
    const lex = new LexiconScorer();
    const all = neuronWritesMany(model, GOLDEN.gpt2.cases.map((c) => ({ siteId: c.site, neuron: c.neuron })), 40);
    for (const w of all) {
      for (const t of w.promoted) assert.equal(t.toxic, lex.probability(t.token.trim()) >= 0.5);
      assert.equal(w.toxicPromoted, w.promoted.filter((t) => t.toxic).length);
      assert.equal(w.role, w.toxicPromoted >= GENERATION_MIN_TOXIC ? 'generation' : 'detection');
    }
  });

  it('breaks ties by the lower token id', () => {
    const v = Float32Array.from([1, 3, 3, 0, 0]);
    assert.deepEqual(extremes(v, 2), { up: [1, 2], down: [3, 4] });
  });
});

describe('where the layout makes it impossible, a one-line user error says why', () => {
  it('quantised down projections (MatMulNBits, MatMulInteger)', async () => {
    for (const folder of ['llama-tiny-q4', 'llama-tiny-int8']) {
      const model = await load(folder);
      assert.throws(() => neuronWrites(model, 'model.layers.0.mlp.up_proj', 3), (e: Error) => e.name === 'UserError' && /quantised/.test(e.message));
    }
  });

  it('an MLP output site, an unknown site, a neuron out of range', async () => {
    const model = await load('gpt2-tiny');
    assert.throws(() => neuronWrites(model, 'transformer.h.0.mlp.c_proj', 0), /MLP output/);
    assert.throws(() => neuronWrites(model, 'transformer.h.9.mlp.c_fc', 0), /no site/);
    assert.throws(() => neuronWrites(model, 'transformer.h.0.mlp.c_fc', 64), /out of range.*0\.\.63/);
  });
});

describe('inspect --neuron', () => {
  it('prints the writes as JSON, and exits 1 on a malformed SITE:INDEX', () => {
    const r = runCli(['inspect', join(MODELS, 'llama-genai'), '--neuron', 'model.layers.1.mlp.gate_proj:7', '--top', '3', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const j = r.json as unknown as { siteId: string; neuron: number; promoted: { id: number; logit: number }[]; role: string };
    const ref = GOLDEN.llama.cases.find((c) => c.site === 'model.layers.1.mlp.gate_proj' && c.neuron === 7)!;
    const best = ref.logits.indexOf(Math.max(...ref.logits));
    assert.equal(j.promoted[0]!.id, best);
    assert.ok(Math.abs(j.promoted[0]!.logit - ref.logits[best]!) < 1e-5);
    assert.ok(['generation', 'detection'].includes(j.role));
    const bad = runCli(['inspect', join(MODELS, 'llama-genai'), '--neuron', 'model.layers.1.mlp.gate_proj', '--json']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--neuron: expected SITE:INDEX/);
  });
});

describe('toxic tokens: whole lexicon words, or mostly pieces of them in the concept data', () => {
  // One id per character, so the expected counts can be worked out by hand.
  const chars = { encode: (t: string) => [...t].map((c) => c.codePointAt(0)!), decode: (ids: number[]) => String.fromCodePoint(...ids) } as unknown as TextTokenizer;
  it('keeps a piece found inside matches at least half the time and at least three times', () => {
    // inside matches: f, u, c, k 3 times each; overall u, c, k also occur 4 times in "duck".
    const got = toxicTokenIds(chars, ['fuck', 'fuck', 'fuck', 'duck duck duck duck']);
    assert.deepEqual([...got], ['f'.codePointAt(0)]);
    assert.equal(toxicTokenIds(chars, ['fuck', 'fuck']).size, 0, 'two occurrences are too few');
    assert.deepEqual([...toxicTokenIds(chars, ['fuck', 'fuck', 'fuck', 'duck'])].sort(), [...'fuck'].map((c) => c.codePointAt(0)).sort(), '3 of 4 is a majority');
  });
});

describe('tagging the strongest experts', () => {
  it('takes the highest-AUROC hidden-layer neurons above 0.5 and tags each by its writes', async () => {
    const model = await load('gpt2-tiny');
    const auroc = (n: number, set: Record<number, number>) => Float64Array.from({ length: n }, (_, i) => set[i] ?? 0.4);
    const sites = [
      { siteId: 'transformer.h.0.mlp.c_fc', auroc: auroc(64, { 3: 0.9, 7: 0.6 }) },
      { siteId: 'transformer.h.0.mlp.c_proj', auroc: auroc(16, { 1: 0.99 }) }, // an output site: never tagged
      { siteId: 'transformer.h.1.mlp.c_fc', auroc: auroc(64, { 5: 0.8 }) },
    ];
    const tags = tagStrongestExperts(model, sites, 2);
    assert.deepEqual(tags.experts.map((e) => [e.siteId, e.neuron]), [['transformer.h.0.mlp.c_fc', 3], ['transformer.h.1.mlp.c_fc', 5]]);
    const direct = neuronWritesMany(model, tags.experts.map((e) => ({ siteId: e.siteId, neuron: e.neuron })));
    assert.deepEqual(tags.experts.map((e) => e.role), direct.map((w) => w.role));
    assert.equal(tags.generation + tags.detection, 2);
    assert.equal(tagStrongestExperts(model, sites, 10).tagged, 3, 'only neurons above 0.5 are experts');
  });
});
