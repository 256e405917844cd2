import { loadPrompts } from '../aura/datasets';
import { LanguageModel } from '../engine/model';
import { perplexity, perplexityLength } from '../engine/generation/perplexity';
import { num, parse, positional, requireStr, str } from './args';
import { loadInterventionFor } from './intervention';
import { makeOutput } from './output';

export async function perplexityCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { data: 'string', intervention: 'string', strength: 'string', 'batch-size': 'string', 'max-length': 'string', threads: 'string' });
  const dir = positional(p, 0, 'MODEL_DIR (usage: aura-lens perplexity MODEL_DIR --data FILE)');
  const data = requireStr(p.flags, 'data');
  const strength = num(p.flags, 'strength', { min: 0, max: 1 });
  const batchSize = num(p.flags, 'batch-size', { min: 1, max: 1024, integer: true }) ?? 8;
  const maxLength = num(p.flags, 'max-length', { min: 2, max: 1 << 20, integer: true });
  const threads = num(p.flags, 'threads', { min: 1, max: 256, integer: true });
  const out = makeOutput(!!p.flags.json);
  const texts = await loadPrompts(data);
  const model = await LanguageModel.open(dir, threads ? { threads } : {});
  try {
    const file = str(p.flags, 'intervention');
    const intervention = file ? await loadInterventionFor(model, file, strength) : undefined;
    if (maxLength !== undefined && perplexityLength(model, maxLength).clamped) {
      out.log(`perplexity: --max-length ${maxLength} is past the model's context of ${model.facts.maxPositions} tokens; texts are truncated to ${model.facts.maxPositions}`);
    }
    const r = await perplexity(model, texts, {
      batchSize,
      ...(maxLength ? { maxLength } : {}),
      ...(intervention ? { intervention } : {}),
      onProgress: (d, t) => out.log(`perplexity: ${d}/${t} texts`),
    });
    out.result({ perplexity: r.perplexity, tokens: r.tokens, texts: r.texts }, `perplexity ${r.perplexity.toFixed(3)} over ${r.tokens} tokens in ${r.texts} texts`);
  } finally {
    await model.dispose();
  }
}
