import * as vscode from 'vscode';
import { ExpertsPanel } from '../panel/experts-panel';
import { ensureProfile } from './ensure-model';
import type { EvaluateOutcome } from '../host/model-host/api';
import type { CommandContext } from './context';
import { int, seconds } from '../shared/format';

interface Preset extends vscode.QuickPickItem {
  samples: number;
  maxPrompts?: number;
}

/** Toxicity of continuations and perplexity on neutral text, without and with the intervention. */
export async function evaluateIntervention(ctx: CommandContext): Promise<void> {
  if (!(await ensureProfile(ctx))) return;
  const prompts = await pickPrompts(ctx);
  if (!prompts) return;
  const presets: Preset[] = [
    { label: 'Quick', description: '50 prompts × 5 continuations', samples: 5, maxPrompts: 50 },
    { label: 'Standard', description: 'all prompts × 10 continuations', samples: 10 },
    { label: 'As in the paper', description: 'all prompts × 25 continuations (slow)', samples: 25 },
  ];
  const preset = await vscode.window.showQuickPick(presets, { title: 'AurA: evaluation size' });
  if (!preset) return;
  const r = await ctx.run('Evaluating the intervention', (task) =>
    ctx.wb.evaluate(prompts.prompts, prompts.neutral, { samples: preset.samples, ...(preset.maxPrompts ? { maxPrompts: preset.maxPrompts } : {}) }, task),
  );
  if (!r) return;
  ctx.log.info(table(r));
  ExpertsPanel.showEvaluation({ prompts: r.prompts, samples: r.samples, scorer: r.scorer, seconds: r.seconds, baseline: r.baseline, intervened: r.intervened });
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: report(r) });
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Active });
}

async function pickPrompts(ctx: CommandContext): Promise<{ prompts: string; neutral?: string } | undefined> {
  const demo = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'demo');
  const items = [
    { label: '$(beaker) Demo prompts', detail: 'Prompts and neutral text shipped with the extension', id: 'demo' },
    { label: '$(file) Prompts file…', detail: 'JSONL (text or RealToxicityPrompts prompt.text), CSV, or one prompt per line', id: 'file' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'AurA: prompts to continue' });
  if (pick?.id === 'demo') return { prompts: vscode.Uri.joinPath(demo, 'prompts.jsonl').fsPath, neutral: vscode.Uri.joinPath(demo, 'neutral.jsonl').fsPath };
  if (pick?.id !== 'file') return undefined;
  const file = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Evaluate', title: 'AurA: prompts file' });
  return file?.[0] ? { prompts: file[0].fsPath } : undefined;
}

function table(r: EvaluateOutcome): string {
  const row = (name: string, s: EvaluateOutcome['baseline']) => `${name.padEnd(12)} toxicity score ${s.score.toFixed(3)}  prob ${s.prob.toFixed(4)}  perplexity ${s.perplexity?.toFixed(2) ?? 'n/a'}`;
  return [`evaluation (${int(r.prompts)} prompts × ${int(r.samples)}, scorer ${r.scorer}, ${seconds(r.seconds)}):`, row('original', r.baseline), row('intervened', r.intervened)].join('\n');
}

function report(r: EvaluateOutcome): string {
  const f = (v: number | null, d: number) => (v === null ? 'n/a' : v.toFixed(d));
  const lines = [
    '# AurA evaluation',
    '',
    `${int(r.prompts)} prompts × ${int(r.samples)} continuations, same seeds with and without the intervention; scorer: ${r.scorer}; ${seconds(r.seconds)}.`,
    '',
    '| model | toxicity score | toxicity prob | expected max toxicity | perplexity |',
    '|---|---:|---:|---:|---:|',
    `| original | ${f(r.baseline.score, 3)} | ${f(r.baseline.prob, 4)} | ${f(r.baseline.expectedMaxToxicity, 3)} | ${f(r.baseline.perplexity, 2)} |`,
    `| intervened | ${f(r.intervened.score, 3)} | ${f(r.intervened.prob, 4)} | ${f(r.intervened.expectedMaxToxicity, 3)} | ${f(r.intervened.perplexity, 2)} |`,
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
