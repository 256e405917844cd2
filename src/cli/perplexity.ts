import { loadPrompts } from '../aura/datasets';
import { LanguageModel } from '../engine/model';
import { perplexity, perplexityLength } from '../engine/generation/perplexity';
import * as v from 'valibot';
import { command, number, parseCommand, positionals, required, rule, text } from './flag-schema';
import { interventionFor, readInterventionArg } from './intervention';
import { makeOutput } from './output';

const PERPLEXITY = v.pipe(
  command({
    _: positionals(['MODEL_DIR (usage: aura-lens perplexity MODEL_DIR --data FILE)']),
    data: required('data'),
    intervention: text('intervention'),
    strength: number('strength', { min: 0, max: 1 }),
    'batch-size': number('batch-size', { min: 1, max: 1024, integer: true }),
    'max-length': number('max-length', { min: 2, max: 1 << 20, integer: true }),
    threads: number('threads', { min: 1, max: 256, integer: true }),
  }),
  rule((o) => o.strength === undefined || !!o.intervention, '--strength: scales an intervention; add --intervention FILE'),
  v.transform((o) => ({
    dir: o._[0]!,
    data: o.data,
    intervention: o.intervention || undefined,
    strength: o.strength,
    batchSize: o['batch-size'] ?? 8,
    maxLength: o['max-length'],
    threads: o.threads,
    json: o.json,
  })),
);

export type PerplexityOptions = v.InferOutput<typeof PERPLEXITY>;

/** Every flag of `perplexity`, checked before the texts or the model are read. */
export function perplexityOptions(argv: string[]): PerplexityOptions {
  return parseCommand('perplexity', argv, PERPLEXITY);
}

export async function perplexityCommand(argv: string[]): Promise<void> {
  const { dir, data, strength, batchSize, maxLength, threads, ...o } = perplexityOptions(argv);
  const out = makeOutput(o.json);
  const read = await readInterventionArg(o.intervention);
  const texts = await loadPrompts(data);
  const model = await LanguageModel.open(dir, threads ? { threads } : {});
  try {
    const intervention = read ? interventionFor(model, read, strength) : undefined;
    if (maxLength !== undefined && perplexityLength(model, maxLength).clamped) {
      out.log(`perplexity: --max-length ${maxLength} is past the model's context of ${model.facts.maxPositions} tokens; texts are truncated to ${model.facts.maxPositions}`);
    }
    const r = await perplexity(model, texts, {
      batchSize,
      ...(maxLength ? { maxLength } : {}),
      ...(intervention ? { intervention } : {}),
      onProgress: (d, t) => out.log(`perplexity: ${d}/${t} texts`),
    });
    if (r.shortTexts) out.log(`perplexity: ${r.shortTexts} of ${texts.length} texts have fewer than 2 tokens (nothing to predict) and were left out`);
    if (r.truncatedTexts) out.log(`perplexity: ${r.truncatedTexts} of ${texts.length} texts were cut to their first ${r.maxLength} tokens`);
    out.result(
      { perplexity: r.perplexity, tokens: r.tokens, texts: r.texts, shortTexts: r.shortTexts, truncatedTexts: r.truncatedTexts },
      `perplexity ${r.perplexity.toFixed(3)} over ${r.tokens} tokens in ${r.texts} texts`,
    );
  } finally {
    await model.dispose();
  }
}
