import * as vscode from 'vscode';
import { currentConfig } from '../host/vscode/config';
import { Commands } from '../shared/ids';
import { ensureModel } from './ensure-model';
import type { ConceptSource } from '../aura/datasets';
import type { CommandContext } from './context';
import { int } from '../shared/format';

interface SourcePick extends vscode.QuickPickItem {
  source(): Promise<ConceptSource | undefined>;
}

/** The argument that profiles the examples gathered in the editor without the picker. */
export const GATHERED_EXAMPLES = 'gathered-examples';

/**
 * From a dataset file, from the examples gathered in the editor, or (demo model) the demo data. A
 * dataset file's URI as the argument (`executeCommand('aura.profileConcept', uri)`, the integration
 * suite's way in), or GATHERED_EXAMPLES, skips the pickers.
 */
export async function profileConcept(ctx: CommandContext, from?: vscode.Uri | typeof GATHERED_EXAMPLES): Promise<void> {
  const model = await ensureModel(ctx);
  if (!model) return;
  let source: ConceptSource | undefined;
  if (from === GATHERED_EXAMPLES) source = await gatheredExamples(ctx);
  else if (from) source = datasetSource(from);
  else {
    const picks = sourcePicks(ctx);
    const pick = picks.length === 1 ? picks[0] : await vscode.window.showQuickPick(picks, { title: 'AurA: profile a concept', placeHolder: 'Where are the labelled examples?' });
    source = await pick?.source();
  }
  if (!source) return;
  const r = await ctx.run('Profiling the concept', (task) => ctx.wb.profileConcept(source, task));
  if (r) {
    ctx.session.profiled(source);
    const open = 'Open Experts Panel';
    const n = ctx.wb.experts?.auroc.filter((a) => a > 0.5).length ?? 0;
    void vscode.window.showInformationMessage(`AurA: ${int(n)} expert neurons found (${int(r.positives)} toxic, ${int(r.negatives)} non-toxic examples).`, open).then((p) => {
      if (p === open) ctx.openPanel();
    });
  }
}

function sourcePicks(ctx: CommandContext): SourcePick[] {
  const picks: SourcePick[] = [{ label: '$(file) Dataset file…', detail: 'JSONL (text, label), CSV with named columns (Jigsaw recognised), or TSV', source: pickDataset }];
  const c = ctx.wb.examples.counts();
  if (c.toxic + c.nonToxic > 0) {
    picks.push({
      label: '$(edit) Examples gathered in the editor',
      detail: `${int(c.toxic)} toxic, ${int(c.nonToxic)} non-toxic (add more with "Add Selection as … Example")`,
      source: () => gatheredExamples(ctx),
    });
  }
  picks.push({
    label: '$(server-process) On a Slurm cluster…',
    detail: 'Submit a job array from this machine (the login node under Remote-SSH), follow it, open the merged profile',
    source: async () => {
      await vscode.commands.executeCommand(Commands.profileOnCluster);
      return undefined;
    },
  });
  if (ctx.wb.model?.isDemo) {
    picks.unshift({ label: '$(beaker) Demo concept data', detail: 'The labelled sentences shipped with the demo model', source: async () => ({ kind: 'file', path: demoConcept(ctx) }) });
  }
  return picks;
}

async function gatheredExamples(ctx: CommandContext): Promise<ConceptSource | undefined> {
  if (ctx.wb.examples.ready) return ctx.wb.examples.source();
  void vscode.window.showWarningMessage('AurA: gather at least one toxic and one non-toxic example first.');
  return undefined;
}

function demoConcept(ctx: CommandContext): string {
  return vscode.Uri.joinPath(ctx.extensionUri, 'media', 'demo', 'concept.jsonl').fsPath;
}

async function pickDataset(): Promise<ConceptSource | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    openLabel: 'Profile',
    title: 'AurA: labelled examples (toxic and non-toxic)',
    filters: { 'Labelled text': ['jsonl', 'ndjson', 'csv', 'tsv'], 'All files': ['*'] },
  });
  const file = picked?.[0];
  return file ? datasetSource(file) : undefined;
}

function datasetSource(file: vscode.Uri): ConceptSource {
  const c = currentConfig().dataset;
  return {
    kind: 'file',
    path: file.fsPath,
    ...(c.textColumn ? { textColumn: c.textColumn, textKey: c.textColumn } : {}),
    ...(c.labelColumn ? { labelColumn: c.labelColumn, labelKey: c.labelColumn } : {}),
  };
}
