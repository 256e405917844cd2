// "AurA: Sweep Strengths…" (issue 9, item 4): every method the panel offers, with its random and
// lowest-AUROC controls, evaluated at several strengths in the model process (progress, cancel),
// then drawn in the panel as toxicity against perplexity; the panel exports the points (CSV, JSON).
import * as vscode from 'vscode';
import { sweepSnapshotFrom } from '../host/panel-feeds';
import { ExpertsPanel } from '../panel/experts-panel';
import { provenanceOf } from '../panel/panel-memory';
import { ensureProfile } from './ensure-model';
import { evaluateArgs, pickPrompts } from './evaluate-intervention';
import type { EvaluateArgs } from './evaluate-intervention';
import type { SweepOutcome } from '../host/model-host/api';
import type { CommandContext } from './context';
import { int, seconds } from '../shared/format';
import { Commands } from '../shared/ids';
import { offerShow, sweepDoneMessage } from './result-notification';
import { vscodeResultUi } from './result-notification-ui';

export interface SweepArgs extends EvaluateArgs {
  strengths: number[];
}

const DEFAULT_STRENGTHS = [0, 0.5, 1];
export const SWEEP_PROMPTS = 100;
export const SWEEP_SAMPLES = 10;

/** What a caller may pass instead of the pickers: the evaluation's arguments plus strengths in [0, 1]. */
export function sweepArgs(v: unknown): SweepArgs | undefined {
  const e = evaluateArgs(v);
  const s = (v as { strengths?: unknown } | null)?.strengths;
  if (!e || !Array.isArray(s) || s.length === 0 || !s.every((x) => typeof x === 'number' && x >= 0 && x <= 1)) return undefined;
  return { ...e, strengths: s as number[] };
}

/** "0, 0.5, 1" → [0, 0.5, 1]; undefined (with the reason) when a value is not a strength in [0, 1]. */
export function parseStrengths(text: string): number[] | string {
  const parts = text.split(',').map((p) => p.trim());
  const out = parts.map(Number);
  const bad = parts.findIndex((p, i) => p === '' || !(out[i]! >= 0 && out[i]! <= 1));
  return bad >= 0 ? `"${parts[bad]}" is not a strength in [0, 1]; expected numbers separated by commas, e.g. 0, 0.5, 1` : out;
}

export async function sweepStrengths(ctx: CommandContext, args?: SweepArgs): Promise<SweepOutcome | undefined> {
  if (!(await ensureProfile(ctx))) return undefined;
  let run: SweepArgs;
  if (args) run = args;
  else {
    const prompts = await pickPrompts(ctx);
    if (!prompts) return undefined;
    const text = await vscode.window.showInputBox({
      title: 'AurA: strengths to sweep',
      value: DEFAULT_STRENGTHS.join(', '),
      prompt: 'Each method and both controls are evaluated at every strength (0 is the model itself, measured once)',
      validateInput: (t) => {
        const r = parseStrengths(t);
        return typeof r === 'string' ? r : undefined;
      },
    });
    if (text === undefined) return undefined;
    const strengths = parseStrengths(text);
    if (typeof strengths === 'string') return undefined;
    // Large enough to resolve what the plot compares: 20 prompts x 2 samples could not tell a 0.05
    // difference from noise (a random control once "beat" AurA). At 100 prompts x 10 samples the 95%
    // interval of a toxicity probability near 0.3 is about +-0.09; overlapping intervals are flagged.
    run = { ...prompts, samples: SWEEP_SAMPLES, maxPrompts: SWEEP_PROMPTS, strengths };
  }
  const from = provenanceOf(ctx.wb.profile?.dir, ctx.wb.intervention.snapshot());
  const r = await ctx.run('Sweeping strengths', (task) =>
    ctx.wb.sweep(run.prompts, run.neutral, { samples: run.samples, strengths: run.strengths, ...(run.maxPrompts ? { maxPrompts: run.maxPrompts } : {}) }, task),
  );
  if (!r) return undefined;
  ctx.log.info(`sweep: ${int(r.points.length)} points (${int(r.arms.length)} arms × ${int(run.strengths.length)} strengths, ${int(r.prompts)} prompts × ${int(r.samples)}, scorer ${r.scorer}) in ${seconds(r.seconds)}`);
  await vscode.commands.executeCommand(Commands.openExpertsPanel);
  ExpertsPanel.showSweep({ ...sweepSnapshotFrom(r.points, r.scorer, r.secondScorer, { prompts: r.prompts, ...(r.warnings ? { warnings: r.warnings } : {}) }), madeWith: r.madeWith }, from);
  for (const w of r.warnings ?? []) ctx.log.warn(`sweep: ${w}`);
  // Not awaited: the command's result does not wait for the user to answer the notification.
  void offerShow(vscodeResultUi(), sweepDoneMessage(r, run.strengths.length), 'sweep');
  return r;
}
