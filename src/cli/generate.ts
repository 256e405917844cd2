import { generate } from '../engine/generation/generate';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { command, number, oneOf, parseCommand, positionals, required, rule, text } from './flag-schema';
import { interventionFor, readInterventionArg } from './intervention';
import { PROVIDERS, epFlag } from './ep';
import { makeOutput } from './output';

const GENERATE = v.pipe(
  command({
    _: positionals(['MODEL_DIR (usage: aura-lens generate MODEL_DIR --prompt TEXT)']),
    prompt: required('prompt'),
    'max-new-tokens': number('max-new-tokens', { min: 1, max: 4096, integer: true }),
    temperature: number('temperature', { min: 0, max: 100 }),
    'top-k': number('top-k', { min: 0, integer: true }),
    'top-p': number('top-p', { min: 0, max: 1 }),
    'repetition-penalty': number('repetition-penalty', { min: 0.01, max: 100 }),
    seed: number('seed', { integer: true }),
    intervention: text('intervention'),
    strength: number('strength', { min: 0, max: 1 }),
    threads: number('threads', { min: 1, max: 256, integer: true }),
    ep: oneOf('ep', PROVIDERS),
  }),
  rule((o) => o.strength === undefined || !!o.intervention, '--strength: scales an intervention; add --intervention FILE'),
  v.transform((o) => ({
    dir: o._[0]!,
    prompt: o.prompt,
    maxNewTokens: o['max-new-tokens'] ?? 20,
    temperature: o.temperature,
    topK: o['top-k'],
    topP: o['top-p'],
    repetitionPenalty: o['repetition-penalty'],
    seed: o.seed ?? 0,
    intervention: o.intervention || undefined,
    strength: o.strength,
    threads: o.threads,
    ep: o.ep,
    json: o.json,
  })),
);

export type GenerateOptions = v.InferOutput<typeof GENERATE>;

/** Every flag of `generate`, checked before the model opens. */
export function generateOptions(argv: string[]): GenerateOptions {
  return parseCommand('generate', argv, GENERATE);
}

export async function generateCommand(argv: string[]): Promise<void> {
  const { dir, prompt, maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, strength, threads, ...o } = generateOptions(argv);
  const ep = epFlag({ ep: o.ep });
  const out = makeOutput(o.json);
  const read = await readInterventionArg(o.intervention);
  const model = await LanguageModel.open(dir, { ...(threads ? { threads } : {}), ...ep });
  try {
    // generate stops at the end of the context (position embeddings end there): say so rather than stop short silently.
    const context = model.facts.maxPositions;
    const promptTokens = model.tokenizer.encode(prompt).length;
    if (context !== undefined && promptTokens < context && promptTokens + maxNewTokens > context) {
      out.log(`generate: --max-new-tokens ${maxNewTokens} goes past the model's context of ${context} tokens; at most ${context - promptTokens} new tokens after this ${promptTokens}-token prompt`);
    }
    const intervention = read ? interventionFor(model, read, strength) : undefined;
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
