// Activation builds the services and registers everything once; each registration is owned by the
// extension context, which disposes it on deactivation. No work runs here: the model process starts
// on the first command that needs it.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { demoAssets } from './aura/demo-assets';
import { registerCommands } from './commands';
import { restoreSession } from './commands/restore-session';
import { SessionMemory } from './commands/session';
import { ActivationHighlights } from './editor/activation-highlights';
import { InlinePreview } from './editor/inline-preview';
import { ReportDocuments } from './editor/report-documents';
import { CheckpointMemory } from './host/checkpoint-memory';
import { watchLag } from './host/lag-monitor';
import { LagLog } from './host/lag-log';
import { createLogger } from './host/logger';
import { ProcessModelHost } from './host/model-host/process-host';
import { currentConfig } from './host/vscode/config';
import { createStatusBar } from './host/vscode/status-bar';
import { createTaskRunner } from './host/vscode/task-runner';
import { Workbench } from './host/workbench';
import { ExpertsPanel, registerPanelSerializer } from './panel/experts-panel';
import { keepIntervention } from './panel/keep-intervention';
import { PanelMemory } from './panel/panel-memory';
import { DEFAULT_VIEW } from './shared/view-state';
import { Commands } from './shared/ids';
import type { CommandContext } from './commands/context';
import type { PanelActions } from './panel/panel-controller';
import { extensionExports } from './extension-exports';
import type { AuraApi, AuraTestHooks } from './extension-exports';

export type { AuraApi, AuraTestHooks } from './extension-exports';

let workbench: Workbench | undefined;

export function activate(context: vscode.ExtensionContext): AuraApi {
  const channel = vscode.window.createOutputChannel('AurA');
  context.subscriptions.push(channel);
  // Warnings and errors are remembered for the test hooks (lastProblem) on their way to the channel.
  let lastProblem: string | undefined;
  const recent: string[] = [];
  const log = createLogger({
    appendLine: (line) => {
      if (/^\S+ \[(warn|error)\]/.test(line)) lastProblem = line;
      if (context.extensionMode === vscode.ExtensionMode.Test && recent.push(line) > 200) recent.shift();
      channel.appendLine(line);
    },
  });
  // A crash of the model process is reported, never fatal: the next job starts a new process.
  const host = new ProcessModelHost(undefined, (report) => {
    log.error(`${report.message}${report.stderr ? `\n${report.stderr}` : ''}`);
    // A job with a progress notification reports its own failure (with this reason); otherwise
    // (a preview, a neuron detail, an idle process) this is the only word the user gets.
    if (wb.progress.task) return;
    void vscode.window.showErrorMessage(`AurA: ${report.message}`, 'Show Log').then((choice) => {
      if (choice) channel.show(true);
    });
  });
  const wb = new Workbench({
    host,
    log,
    cacheRoot: join(context.globalStorageUri.fsPath, 'profiles'),
    config: currentConfig,
    demo: () => demoAssets(context.extensionPath),
  });
  workbench = wb;

  // Always on: a block of the extension host over 50 ms during one of our tasks is logged with the
  // task; the others (VS Code's, other extensions') are summarised once a minute at most.
  const lagLog = new LagLog((line) => log.warn(line));
  const lagWatch = watchLag((ms) => lagLog.block(ms, wb.progress.task));
  const lagSummary = setInterval(() => lagLog.flush(), 60_000);
  lagSummary.unref();
  context.subscriptions.push(lagWatch, { dispose: () => (clearInterval(lagSummary), lagLog.flush(true)) });

  // The panel's view, intervention, evaluation and sweep outlive the panel and the window (workspace state).
  const memory = new PanelMemory(context.workspaceState);
  const kept = keepIntervention(wb, memory, log);
  context.subscriptions.push(kept);
  const panelDeps = { extensionUri: context.extensionUri, wb, log, actions: panelActions(), memory };
  const inline = new InlinePreview();
  const highlights = new ActivationHighlights();
  const reports = new ReportDocuments();
  const ctx: CommandContext = {
    wb,
    log,
    run: createTaskRunner(log),
    extensionUri: context.extensionUri,
    inline,
    highlights,
    reports,
    session: new SessionMemory(context.workspaceState),
    checkpoints: new CheckpointMemory(context.globalState),
    openPanel: (preserveFocus, neuron) => {
      ExpertsPanel.show(panelDeps, preserveFocus);
      if (neuron) ExpertsPanel.showNeuron(neuron.site, neuron.neuron);
    },
  };
  context.subscriptions.push(
    inline,
    highlights,
    reports,
    createStatusBar(wb),
    // After Reload Window the panel comes back first; the model and profile it showed follow.
    registerPanelSerializer(panelDeps, () => void restoreSession(ctx)),
    ...registerCommands(ctx),
    { dispose: () => ExpertsPanel.disposeCurrent() },
  );
  log.info(`AurA Lens ${String(context.extension.packageJSON.version)} activated; workspace ${vscode.workspace.isTrusted ? 'trusted' : 'not trusted (restricted mode)'}`);
  const api = {
    model: () => (wb.model ? { name: wb.model.name, isDemo: wb.model.isDemo } : undefined),
    expertCount: () => wb.experts?.auroc.filter((a) => a > 0.5).length,
  };
  // The hooks can change the intervention and read what the editor shows: only VS Code's test runs get them.
  return extensionExports(context.extensionMode, api, (): AuraTestHooks => ({
    inlinePreview: () => inline.current,
    highlights: () => highlights.current,
    panelPreview: () => wb.preview.snapshot,
    nextPreview: () =>
      new Promise((resolve) => {
        const sub = wb.preview.onDidUpdate((p) => {
          if (p.done) {
            sub.dispose();
            resolve(p);
          }
        });
      }),
    intervention: () => wb.intervention.snapshot(),
    setIntervention: (settings) => {
      wb.intervention.update({ ...wb.intervention.current(), ...settings });
      wb.preview.scheduleRerun();
    },
    lastProblem: () => lastProblem,
    logLines: () => [...recent],
    fitWorker: () => ({ imports: wb.intervention.workerImports }),
    profile: () => (wb.profile ? { positives: wb.profile.positives, negatives: wb.profile.negatives } : undefined),
    panelNeuron: () => ExpertsPanel.shownNeuron(),
    panelView: () => ({ view: memory.view(), saved: memory.viewsSaved }),
    keepPanelView: (patch) => memory.saveView({ ...(memory.view() ?? DEFAULT_VIEW), ...patch }),
    panelPosted: () => ExpertsPanel.postedTypes(),
    panelColumn: () => ExpertsPanel.viewColumn(),
    closePanel: () => ExpertsPanel.disposeCurrent(),
    topExperts: (n) => {
      const e = wb.experts;
      return e ? Array.from({ length: Math.min(n, e.auroc.length) }, (_, i) => ({ site: e.sites[e.site[i]!]!.id, neuron: e.neuron[i]! })) : [];
    },
    panelKept: () => ({ evaluation: memory.evaluation(), sweep: memory.sweep(), intervention: memory.intervention() }),
    interventionRestored: () => kept.restored,
    panelDetail: () => ExpertsPanel.shownDetail(),
    expertAuroc: (site, neuron) => {
      const e = wb.experts;
      const s = e?.sites.findIndex((x) => x.id === site) ?? -1;
      for (let i = 0; e && i < e.auroc.length; i++) if (e.site[i] === s && e.neuron[i] === neuron) return e.auroc[i];
      return undefined;
    },
    expertAt: (row) => {
      const e = wb.experts;
      return e && row < e.auroc.length ? { site: e.sites[e.site[row]!]!.id, neuron: e.neuron[row]!, auroc: e.auroc[row]! } : undefined;
    },
    panelOutOfDate: () => ExpertsPanel.outOfDate(),
    panelSweep: () => ExpertsPanel.shownSweep(),
    examples: () => wb.examples.list().map((e) => ({ text: e.text, label: e.label })),
  }));
}

/** The panel's buttons run the same commands as the palette, with their dialogs and progress. */
function panelActions(): PanelActions {
  const run = (id: string, ...args: unknown[]) => void vscode.commands.executeCommand(id, ...args);
  return {
    useDemoModel: () => run(Commands.useDemoModel),
    openModelFolder: () => run(Commands.openModelFolder),
    profile: () => run(Commands.profileConcept),
    importIntervention: () => run(Commands.importIntervention),
    evaluate: () => run(Commands.evaluateIntervention),
    exportIntervention: (format) => run(Commands.exportIntervention, format),
    compareProfile: () => run(Commands.compareProfile),
    sweep: () => run(Commands.sweepStrengths),
  };
}

/** Stops the model process; VS Code waits for the returned promise. */
export async function deactivate(): Promise<void> {
  const wb = workbench;
  workbench = undefined;
  await wb?.dispose();
}
