// Issue 8: per-token site values (the neuron detail, the highlight command) come from ONE batched forward
// pass of the rewritten graph, which returns each requested site's [batch, seq, neurons] tensor after the
// intervention. Compared with PyTorch forward hooks on each text run alone (golden/token-values.json, made
// by test/fixtures/fixturegen/token_values.py): texts of different lengths (one cut to the 32-position
// context, one empty) padded into one batch, with and without an intervention, on a graph without a cache,
// with a KV cache and position_ids, merged decoders whose sites sit inside If branches, a GenAI graph
// without position_ids, ORT-fused GPT-2, and fp16.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { textsActivations, tokenActivations } from '../../src/aura/activations';
import { factorFeeds, stepFeeds } from '../../src/engine/feeds';
import { COLLECT_INPUT, TOKEN_ROWS_INPUT, tokensOutput } from '../../src/engine/io-names';
import { readIoSpec } from '../../src/engine/io-spec';
import { LanguageModel } from '../../src/engine/model';
import { ort } from '../../src/engine/ort-session';
import { rewritable } from '../../src/engine/session-cache';
import { FIXTURES, MODELS, golden, maxAbsDiff, toGains } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

interface TokenGolden {
  golden: string;
  sites: string[];
  texts: { text: string; ids: number[]; plain: Record<string, number[][]>; intervened: Record<string, number[][]> }[];
}
const G = JSON.parse(readFileSync(join(FIXTURES, 'golden', 'token-values.json'), 'utf8')) as { gpt2: TokenGolden; llama: TokenGolden };

/** The legacy Optimum split pair alone (decoder_model.onnx + decoder_with_past_model.onnx), as engine-golden tests it. */
function splitFolder(): string {
  const src = join(MODELS, 'gpt2-tiny-merged');
  const dir = join(scratchDir('split'), 'gpt2-tiny-split');
  mkdirSync(dir);
  for (const f of readdirSync(src)) if (f !== 'decoder_model_merged.onnx') cpSync(join(src, f), join(dir, f));
  return dir;
}

const CASES: { name: string; path: string; ref: 'gpt2' | 'llama'; tol: number }[] = [
  { name: 'cache-less graph (decoder_model.onnx)', path: join(MODELS, 'gpt2-tiny-merged', 'decoder_model.onnx'), ref: 'gpt2', tol: 1e-4 },
  { name: 'GPT-2 split pair (first step without a cache)', path: splitFolder(), ref: 'gpt2', tol: 1e-4 },
  { name: 'GPT-2 with KV cache and position_ids', path: join(MODELS, 'gpt2-tiny'), ref: 'gpt2', tol: 1e-4 },
  { name: 'GPT-2 merged decoder (sites inside If branches)', path: join(MODELS, 'gpt2-tiny-merged'), ref: 'gpt2', tol: 1e-4 },
  { name: 'GPT-2 fused by the ORT optimizer', path: join(MODELS, 'gpt2-tiny-fused'), ref: 'gpt2', tol: 1e-4 },
  // fp16 weights against the fp32 PyTorch model: fp16 precision (as in engine-golden.test.ts).
  { name: 'GPT-2 fp16', path: join(MODELS, 'gpt2-tiny-fp16'), ref: 'gpt2', tol: 3e-2 },
  { name: 'Llama with external weights, GQA and position_ids', path: join(MODELS, 'llama-tiny'), ref: 'llama', tol: 1e-4 },
  { name: 'Llama merged decoder (sites inside If branches)', path: join(MODELS, 'llama-tiny-merged'), ref: 'llama', tol: 1e-4 },
  { name: 'Llama GenAI graph without position_ids', path: join(MODELS, 'llama-genai'), ref: 'llama', tol: 1e-4 },
];

for (const c of CASES) {
  describe(`per-token values in one batch: ${c.name}`, () => {
    const ref = G[c.ref];
    let model: LanguageModel;
    let forwards = 0;
    before(async () => {
      model = await LanguageModel.open(c.path, { threads: 1 });
      const extract = model.extract.bind(model);
      model.extract = (req) => {
        forwards++;
        return extract(req);
      };
    });
    after(() => model?.dispose());

    for (const mode of ['plain', 'intervened'] as const) {
      it(`equal PyTorch's per-token hook outputs (${mode}) for texts of different lengths in one forward pass`, async () => {
        const iv = mode === 'intervened' ? toGains(golden(ref.golden.replace(/\.json$/, '')), true) : undefined;
        // An empty text sits between the others; the others keep their own rows.
        const texts = [ref.texts[0]!.text, '', ...ref.texts.slice(1).map((t) => t.text)];
        forwards = 0;
        const acts = await textsActivations(model, texts, ref.sites, iv ? { intervention: iv } : {});
        assert.equal(forwards, 1, 'one forward pass for every text');
        // GPT-2 encodes it to no tokens (no row); Llama to <s> alone (a row of one token).
        const empty = model.tokenizer.encode('');
        assert.deepEqual(acts[1]!.ids, empty);
        for (const s of ref.sites) assert.equal(acts[1]!.values.get(s)!.length, empty.length * model.site(s).neurons);
        const got = [acts[0]!, ...acts.slice(2)];
        ref.texts.forEach((want, i) => {
          assert.deepEqual(got[i]!.ids, want.ids, `ids of text ${i}`);
          for (const s of ref.sites) {
            const d = maxAbsDiff(got[i]!.values.get(s)!, want[mode][s]!.flat());
            assert.ok(d <= c.tol, `text ${i} (${want.ids.length} tokens) ${s}: max |diff| ${d}`);
          }
        });
      });
    }

    it('one text alone (the highlight command) gives the same values as in the batch', async () => {
      const want = ref.texts[2]!;
      const one = await tokenActivations(model, want.text, ref.sites);
      for (const s of ref.sites) assert.ok(maxAbsDiff(one.values.get(s)!, want.plain[s]!.flat()) <= c.tol, s);
    });
  });
}

// An If node produces every output of the branch it runs, fetched or not: the row gate keeps a merged
// decoder from copying every site's [batch, seq, neurons] tensor out of the branch on every forward pass.
describe('per-token outputs inside If branches are gated off unless fetched', () => {
  let model: LanguageModel;
  before(async () => {
    model = await LanguageModel.open(join(MODELS, 'gpt2-tiny-merged'), { threads: 1 });
  });
  after(() => model?.dispose());

  it('gives 0 rows with the gate closed and every row with it open, in both branches', async () => {
    const session = await model.session('lm', [], false, 'gain');
    const io = readIoSpec(model.mainGraph.model.graph!, model.files.main, model.files.genaiConfig);
    const site = model.sites[0]!;
    assert.ok(site.placements.every((p) => p.scope.length > 0), 'the site sits inside the If branches');
    const sizes = { model: model.facts.vocabSize, tokenizer: model.tokenizer.vocabSize };
    const ids = [[5, 6, 7], [8, 9, 10]];
    const first = stepFeeds(io, { ids, mask: [[1, 1, 1], [1, 1, 1]] }, (b) => model.emptyPast(b), sizes);
    const neutral = factorFeeds(rewritable(model.sites), new Map(), 'gain');
    const gate = (n: bigint) => ({ [COLLECT_INPUT]: new ort.Tensor('bool', Uint8Array.of(1), [1]), [TOKEN_ROWS_INPUT]: new ort.Tensor('int64', BigInt64Array.of(n), [1]) });
    const fetch = [io.logits, tokensOutput(site.id), ...io.past.map((p) => p.output)];
    const closed = await session.run({ ...first, ...neutral, ...gate(0n) }, fetch);
    assert.deepEqual(closed[tokensOutput(site.id)]!.dims, [0, 3, site.neurons]);
    const open = await session.run({ ...first, ...neutral, ...gate(BigInt(Number.MAX_SAFE_INTEGER)) }, fetch);
    assert.deepEqual(open[tokensOutput(site.id)]!.dims, [2, 3, site.neurons]);
    assert.deepEqual(closed[io.logits]!.data, open[io.logits]!.data, 'the gate changes nothing else');
    // The cached branch (use_cache_branch true).
    const past: Record<string, ort.Tensor> = {};
    for (const p of io.past) past[p.input] = open[p.output]!;
    const step = stepFeeds(io, { ids: [[11], [12]], mask: [[1, 1, 1, 1], [1, 1, 1, 1]], past }, (b) => model.emptyPast(b), sizes);
    const cached = await session.run({ ...step, ...neutral, ...gate(0n) }, [io.logits, tokensOutput(site.id)]);
    assert.deepEqual(cached[tokensOutput(site.id)]!.dims, [0, 1, site.neurons]);
  });
});
