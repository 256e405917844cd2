// Do the memory budgets cost time? Times, interleaved and best of N in one process: (a) extraction of
// 16-row batches with the activation budget (groups of rows, model.ts extractRows) against one pass per
// batch, and (b) perplexity with the logits budget against the previous one (64 MiB). Prints each pair and its ratio
// (> 1: the budget is slower). Not part of npm test; the model is made by make_gpt2_shaped.py.
// Usage: node --import tsx scripts/bench-memory/ab-budgets.ts MODEL_DIR [--texts 64] [--seq-len 32] [--reps 3]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LanguageModel } from '../../src/engine/model';
import { LOGITS_BUDGET, perplexity } from '../../src/engine/generation/perplexity';

const args = process.argv.slice(2);
/** perplexity.ts's budget before the memory work. */
const PREVIOUS_LOGITS_BUDGET = 64 * 1024 ** 2;
const opt = (n: string, d: number) => (args.includes(`--${n}`) ? Number(args[args.indexOf(`--${n}`) + 1]) : d);

async function main(): Promise<void> {
  const dir = resolve(args[0]!);
  const texts = readFileSync(join(__dirname, '..', '..', 'media', 'demo', 'concept.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, opt('texts', 64))
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const seq = opt('seq-len', 32);
  const reps = opt('reps', 3);
  const budgeted = await LanguageModel.open(dir);
  const onePass = await LanguageModel.open(dir, { activationBudget: Number.POSITIVE_INFINITY });
  const pad = budgeted.facts.padTokenId ?? 0;
  const batches: { ids: number[][]; mask: number[][] }[] = [];
  const enc = texts.map((t) => budgeted.tokenizer.encode(t).slice(0, seq)).sort((a, b) => a.length - b.length);
  for (let i = 0; i < enc.length; i += 16) {
    const chunk = enc.slice(i, i + 16);
    const w = Math.max(...chunk.map((c) => c.length));
    batches.push({ ids: chunk.map((c) => [...new Array<number>(w - c.length).fill(pad), ...c]), mask: chunk.map((c) => [...new Array<number>(w - c.length).fill(0), ...c.map(() => 1)]) });
  }
  const pool = budgeted.sites.map((s) => s.id);
  const extract = async (m: LanguageModel) => {
    const t = performance.now();
    for (const b of batches) await m.extract({ ...b, pool });
    return performance.now() - t;
  };
  const ppl = async (budget: number) => {
    const t = performance.now();
    await perplexity(budgeted, texts, { logitsBudget: budget, maxLength: seq * 4 });
    return performance.now() - t;
  };
  await extract(budgeted);
  await extract(onePass);
  await ppl(LOGITS_BUDGET);
  const best = { ex: Infinity, exOne: Infinity, ppl: Infinity, ppl2: Infinity };
  for (let r = 0; r < reps; r++) {
    best.ex = Math.min(best.ex, await extract(budgeted));
    best.exOne = Math.min(best.exOne, await extract(onePass));
    best.ppl = Math.min(best.ppl, await ppl(LOGITS_BUDGET));
    best.ppl2 = Math.min(best.ppl2, await ppl(PREVIOUS_LOGITS_BUDGET));
  }
  const r3 = (x: number) => Number(x.toFixed(3));
  process.stdout.write(
    JSON.stringify({
      model: dir,
      texts: texts.length,
      seqLen: seq,
      reps,
      extractBudgetedMs: Math.round(best.ex),
      extractOnePassMs: Math.round(best.exOne),
      extractRatio: r3(best.ex / best.exOne),
      perplexityBudgetMs: Math.round(best.ppl),
      perplexityPreviousBudgetMs: Math.round(best.ppl2),
      perplexityRatio: r3(best.ppl / best.ppl2),
    }) + '\n',
  );
  await budgeted.dispose();
  await onePass.dispose();
}

void main();
