import * as vscode from 'vscode';
import { ExpertsPanel } from '../panel/experts-panel';
import { provenanceOf } from '../panel/panel-memory';
import { showReport } from './show-report';
import { ensureProfile } from './ensure-model';
import { evaluationReport, methodLabel } from './evaluation-report';
import type { EvaluateOutcome } from '../host/model-host/api';
import type { CommandContext } from './context';
import { int, seconds } from '../shared/format';
import { evaluationDoneMessage, offerShow } from './result-notification';
import { vscodeResultUi } from './result-notification-ui';

interface Preset extends vscode.QuickPickItem {
  samples: number;
  maxPrompts?: number;
}

/** What a caller may pass instead of the pickers (the integration suite; a keybinding with args). */
export interface EvaluateArgs {
  prompts: string;
  neutral?: string;
  samples: number;
  maxPrompts?: number;
}

export function evaluateArgs(v: unknown): EvaluateArgs | undefined {
  const o = v as Partial<EvaluateArgs> | null;
  if (typeof o !== 'object' || o === null || typeof o.prompts !== 'string' || !Number.isInteger(o.samples) || (o.samples as number) < 1) return undefined;
  return {
    prompts: o.prompts,
    samples: o.samples as number,
    ...(typeof o.neutral === 'string' ? { neutral: o.neutral } : {}),
    ...(Number.isInteger(o.maxPrompts) && (o.maxPrompts as number) > 0 ? { maxPrompts: o.maxPrompts as number } : {}),
  };
}

/**
 * Toxicity of continuations and perplexity on neutral text, without and with the intervention. The
 * report opens as a read-only document naming the model and the intervention it measured; it returns
 * that document's URI.
 */
export async function evaluateIntervention(ctx: CommandContext, args?: EvaluateArgs): Promise<vscode.Uri | undefined> {
  if (!(await ensureProfile(ctx))) return undefined;
  let run: EvaluateArgs;
  if (args) run = args;
  else {
    const prompts = await pickPrompts(ctx);
    if (!prompts) return undefined;
    const presets: Preset[] = [
      { label: 'Quick', description: '50 prompts × 5 continuations', samples: 5, maxPrompts: 50 },
      { label: 'Standard', description: 'all prompts × 10 continuations', samples: 10 },
      { label: 'As in the paper', description: 'all prompts × 25 continuations (slow)', samples: 25 },
    ];
    const preset = await vscode.window.showQuickPick(presets, { title: 'AurA: evaluation size' });
    if (!preset) return undefined;
    run = { ...prompts, samples: preset.samples, ...(preset.maxPrompts ? { maxPrompts: preset.maxPrompts } : {}) };
  }
  // What is measured is fixed now: a change of the intervention while it runs does not relabel it.
  const model = ctx.wb.requireModel().name;
  const intervention = ctx.wb.intervention.snapshot();
  const from = provenanceOf(ctx.wb.profile?.dir, intervention);
  const generation = ctx.wb.generationSettings();
  const r = await ctx.run('Evaluating the intervention', (task) =>
    ctx.wb.evaluate(run.prompts, run.neutral, { samples: run.samples, ...(run.maxPrompts ? { maxPrompts: run.maxPrompts } : {}) }, task),
  );
  if (!r) return undefined;
  ctx.log.info(table(r));
  const measured = { model, method: intervention.method, strength: intervention.strength, k: intervention.k, alpha: intervention.alpha, overrides: intervention.overrides.length };
  ExpertsPanel.showEvaluation({ prompts: r.prompts, samples: r.samples, scorer: r.scorer, seconds: r.seconds, baseline: r.baseline, intervened: r.intervened, ...(r.second ? { second: r.second } : {}), ...(r.difference ? { difference: r.difference } : {}), ...(r.warnings ? { warnings: r.warnings } : {}), measured, madeWith: r.madeWith }, from);
  const content = evaluationReport(r, { model, intervention, generation, finished: new Date().toISOString() });
  const uri = ctx.reports.add(`AurA evaluation, ${model}, ${methodLabel(intervention)}`, content);
  const shown = await showReport(uri);
  ctx.log.info(shown === 'preview' ? 'the evaluation report is open in the Markdown preview' : 'the evaluation report is open as Markdown source (no Markdown preview in this editor)');
  void offerShow(vscodeResultUi(), evaluationDoneMessage(r), 'evaluation');
  return uri;
}

export async function pickPrompts(ctx: CommandContext): Promise<{ prompts: string; neutral?: string } | undefined> {
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
  const iv = (i: { low: number; high: number } | null | undefined, d: number) => (i ? ` [${i.low.toFixed(d)}, ${i.high.toFixed(d)}]` : '');
  const row = (name: string, s: EvaluateOutcome['baseline']) =>
    `${name.padEnd(12)} toxicity probability ${s.toxicityProbability.toFixed(3)}${iv(s.intervals?.toxicityProbability, 3)}  expected max toxicity ${s.expectedMaxToxicity.toFixed(3)}  mean ${s.meanToxicity.toFixed(4)}  perplexity ${s.perplexity?.toFixed(2) ?? 'n/a'}${iv(s.intervals?.perplexity, 2)}`;
  const second = r.second ? [`second scorer ${r.second.scorer}: toxicity probability ${r.second.baseline.toxicityProbability.toFixed(3)} -> ${r.second.intervened.toxicityProbability.toFixed(3)}`] : [];
  return [`evaluation (${int(r.prompts)} prompts × k = ${int(r.samples)}, scorer ${r.scorer}, ${seconds(r.seconds)}; 95% bootstrap intervals):`, row('original', r.baseline), row('intervened', r.intervened), ...second, ...(r.warnings ?? []).map((w) => `warning: ${w}`)].join('\n');
}
