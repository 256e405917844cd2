import { generate } from '../engine/generation/generate';
import { LanguageModel } from '../engine/model';
import { num, parse, positional, requireStr, str } from './args';
import { loadInterventionFor } from './intervention';
import { epFlag } from './ep';
import { makeOutput } from './output';

export async function generateCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    prompt: 'string',
    'max-new-tokens': 'string',
    temperature: 'string',
    'top-k': 'string',
    'top-p': 'string',
    'repetition-penalty': 'string',
    seed: 'string',
    intervention: 'string',
    strength: 'string',
    threads: 'string',
    ep: 'string',
  });
  const dir = positional(p, 0, 'MODEL_DIR (usage: aura-lens generate MODEL_DIR --prompt TEXT)');
  const prompt = requireStr(p.flags, 'prompt');
  const maxNewTokens = num(p.flags, 'max-new-tokens', { min: 1, max: 4096, integer: true }) ?? 20;
  const temperature = num(p.flags, 'temperature', { min: 0, max: 100 });
  const topK = num(p.flags, 'top-k', { min: 0, integer: true });
  const topP = num(p.flags, 'top-p', { min: 0, max: 1 });
  const repetitionPenalty = num(p.flags, 'repetition-penalty', { min: 0.01, max: 100 });
  const seed = num(p.flags, 'seed', { integer: true }) ?? 0;
  const strength = num(p.flags, 'strength', { min: 0, max: 1 });
  const threads = num(p.flags, 'threads', { min: 1, max: 256, integer: true });
  const out = makeOutput(!!p.flags.json);
  const model = await LanguageModel.open(dir, { ...(threads ? { threads } : {}), ...epFlag(p.flags) });
  try {
    // generate stops at the end of the context (position embeddings end there): say so rather than stop short silently.
    const context = model.facts.maxPositions;
    const promptTokens = model.tokenizer.encode(prompt).length;
    if (context !== undefined && promptTokens < context && promptTokens + maxNewTokens > context) {
      out.log(`generate: --max-new-tokens ${maxNewTokens} goes past the model's context of ${context} tokens; at most ${context - promptTokens} new tokens after this ${promptTokens}-token prompt`);
    }
    const file = str(p.flags, 'intervention');
    const intervention = file ? await loadInterventionFor(model, file, strength) : undefined;
    const r = await generate(model, [prompt], {
      maxNewTokens,
      seed,
      ...(temperature !== undefined ? { temperature } : {}),
      ...(topK !== undefined ? { topK } : {}),
      ...(topP !== undefined ? { topP } : {}),
      ...(repetitionPenalty !== undefined ? { repetitionPenalty } : {}),
      ...(intervention ? { intervention } : {}),
    });
    out.result(
      { promptIds: r.promptIds[0], ids: r.ids[0], text: r.texts[0], tokensPerSecond: r.tokensPerSecond, finish: r.finish[0] },
      `${prompt}${r.texts[0]}`,
    );
  } finally {
    await model.dispose();
  }
}
