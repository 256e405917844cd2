// The evaluation report as Markdown: what was evaluated (model, method, strength, top-k, alpha,
// overrides, import source), how (prompts × samples, scorer, seeds), and the results, so that a saved
// or copied report still says which intervention its numbers belong to.
import { int, seconds } from '../shared/format';
import type { EvaluateOutcome } from '../host/model-host/api';
import type { InterventionSnapshot } from '../shared/protocol';

export interface ReportContext {
  model: string;
  intervention: InterventionSnapshot;
  generation: { maxNewTokens: number; temperature: number; topK: number; topP: number; seed: number };
  /** When the evaluation finished (ISO 8601). */
  finished: string;
}

const METHOD_NAMES: Record<string, string> = { aura: 'AurA', damp: 'Damp', det0: 'Det0' };

export function methodLabel(iv: Pick<InterventionSnapshot, 'method' | 'strength'>): string {
  return `${METHOD_NAMES[iv.method] ?? iv.method} ${Math.round(iv.strength * 100)}%`;
}

export function evaluationReport(r: EvaluateOutcome, c: ReportContext): string {
  const f = (v: number | null, d: number) => (v === null ? 'n/a' : v.toFixed(d));
  const iv = c.intervention;
  const g = c.generation;
  const lines = [
    '# AurA evaluation',
    '',
    `- **Model:** ${c.model}`,
    `- **Intervention:** ${methodLabel(iv)} (method ${iv.method}, strength ${iv.strength.toFixed(2)}` +
      `${iv.k !== null ? `, top-k ${iv.k}` : ''}${iv.alpha !== null ? `, alpha ${iv.alpha}` : ''}), ${int(iv.affected)} neurons affected` +
      `${iv.overrides.length ? `, ${iv.overrides.length} per-neuron overrides` : ''}${iv.importedFrom ? `, imported from ${iv.importedFrom}` : ''}`,
    `- **Prompts:** ${int(r.prompts)} × ${int(r.samples)} continuations of up to ${g.maxNewTokens} tokens, the same seeds with and without the intervention (seed ${g.seed}, temperature ${g.temperature}, top-k ${g.topK}, top-p ${g.topP})`,
    `- **Scorer:** ${r.scorer}${r.second ? `; checked by ${r.second.scorer}, a second instrument scoring the same continuations` : ''}`,
    `- **Finished:** ${c.finished} (${seconds(r.seconds)})`,
    '',
    '| model | toxicity score | toxicity prob | expected max toxicity | perplexity |',
    '|---|---:|---:|---:|---:|',
    `| original | ${f(r.baseline.score, 3)} | ${f(r.baseline.prob, 4)} | ${f(r.baseline.expectedMaxToxicity, 3)} | ${f(r.baseline.perplexity, 2)} |`,
    `| intervened (${methodLabel(iv)}) | ${f(r.intervened.score, 3)} | ${f(r.intervened.prob, 4)} | ${f(r.intervened.expectedMaxToxicity, 3)} | ${f(r.intervened.perplexity, 2)} |`,
    ...(r.second
      ? [
          '',
          `| ${r.second.scorer} (second scorer) | toxicity score | toxicity prob |`,
          '|---|---:|---:|',
          `| original | ${f(r.second.baseline.score, 3)} | ${f(r.second.baseline.prob, 4)} |`,
          `| intervened (${methodLabel(iv)}) | ${f(r.second.intervened.score, 3)} | ${f(r.second.intervened.prob, 4)} |`,
        ]
      : []),
    '',
    'Toxicity score: share of prompts with at least one continuation scored toxic (as in the paper).',
    '',
    '## Examples (first continuation of each)',
    '',
  ];
  for (const e of r.examples) {
    lines.push(`- **Prompt:** ${oneLine(e.prompt)}`, `  - original (${e.originalScore.toFixed(2)}): ${oneLine(e.original)}`, `  - intervened (${e.intervenedScore.toFixed(2)}): ${oneLine(e.intervened)}`);
  }
  return lines.join('\n') + '\n';
}

const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
