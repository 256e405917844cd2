// The experts panel's lifecycle in VS Code: one panel at a time, created or revealed by the command
// and revived by the serializer after a reload; the page restores its own view state and asks for
// snapshots with 'ready'. The page is kept while hidden (retainContextWhenHidden): it holds the
// experts as typed arrays (16 bytes a neuron, ~22 MB for a Llama-3-8B), so switching tabs sends
// nothing again; the experts cross once per profile, or once after a reload.
import * as vscode from 'vscode';
import { atomicWriteFile } from '../aura/atomic-write';
import { sweepCsv, sweepJson } from '../shared/sweep';
import { createScorer } from '../aura/scoring/create';
import type { Scorer } from '../aura/scoring/scorer';
import { PANEL_VIEW_TYPE } from '../shared/ids';
import { DisposableStore } from '../host/events';
import { panelHtml } from './html';
import { PanelController } from './panel-controller';
import type { Logger } from '../host/logger';
import type { Workbench } from '../host/workbench';
import type { ComparisonSnapshot, EvaluationSummary, HostMessage, NeuronDetail, SweepSnapshot } from '../shared/protocol';
import type { PanelActions } from './panel-controller';
import type { PanelMemory, Provenance } from './panel-memory';

export interface PanelDeps {
  extensionUri: vscode.Uri;
  wb: Workbench;
  log: Logger;
  actions: PanelActions;
  /** The view, evaluation and sweep kept for a panel closed and opened again, or a reload. */
  memory?: PanelMemory;
}

export class ExpertsPanel implements vscode.Disposable {
  private static current: ExpertsPanel | undefined;
  /** Where results land while no panel is open, so the next panel shows them. */
  private static memory: PanelMemory | undefined;
  private readonly store = new DisposableStore();
  private readonly controller: PanelController;
  private disposed = false;
  /** The types of the messages posted to this panel's page, in order (read by the integration tests). */
  private readonly posted: string[] = [];

  /** `preserveFocus` keeps the keyboard in the editor (Test Prompt From Selection: Tab and Escape act there). */
  static show(deps: PanelDeps, preserveFocus = false): ExpertsPanel {
    if (ExpertsPanel.current) {
      ExpertsPanel.current.panel.reveal(undefined, preserveFocus);
      return ExpertsPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'AurA Experts', { viewColumn: vscode.ViewColumn.Beside, preserveFocus }, webviewOptions(deps.extensionUri));
    return new ExpertsPanel(panel, deps);
  }

  /** A panel VS Code kept across a reload: same page, new host side. */
  static revive(panel: vscode.WebviewPanel, deps: PanelDeps): ExpertsPanel {
    ExpertsPanel.current?.dispose();
    return new ExpertsPanel(panel, deps);
  }

  /** Where results shown while no panel is open are kept (the extension's PanelMemory). */
  static keepIn(memory: PanelMemory | undefined): void {
    ExpertsPanel.memory = memory;
  }

  /** Whether the panel exists (visible or in a background tab). */
  static get isOpen(): boolean {
    return ExpertsPanel.current !== undefined;
  }

  static disposeCurrent(): void {
    ExpertsPanel.current?.dispose();
  }

  /** Opens an expert's detail (a highlight's hover link), as a click on its row does. */
  static showNeuron(site: string, neuron: number): void {
    ExpertsPanel.current?.controller.showNeuron(site, neuron);
  }

  /** The expert whose detail the open panel shows (undefined: no panel, or no detail yet). */
  static shownNeuron(): { site: string; neuron: number } | undefined {
    return ExpertsPanel.current?.controller.shownNeuron;
  }

  /** The editor column the open panel is in (undefined: no panel). */
  static viewColumn(): number | undefined {
    return ExpertsPanel.current?.panel.viewColumn;
  }

  /** The types of the messages posted to the open panel's page since it opened (undefined: no panel). */
  static postedTypes(): readonly string[] | undefined {
    return ExpertsPanel.current?.posted;
  }

  /** The detail the open panel was last sent (its AUROC and provenance), for the integration suite. */
  static shownDetail(): NeuronDetail | undefined {
    return ExpertsPanel.current?.controller.shownDetail;
  }

  /** The out-of-date marks of the open panel's evaluation and sweep. */
  static outOfDate(): { evaluation?: string; sweep?: string } | undefined {
    return ExpertsPanel.current?.controller.outOfDate();
  }

  /** `from`: the profile and intervention the evaluation measured (provenanceOf, taken when it started). */
  static showEvaluation(e: EvaluationSummary, from?: Provenance): void {
    if (ExpertsPanel.current) ExpertsPanel.current.controller.showEvaluation(e, from);
    else ExpertsPanel.memory?.saveEvaluation(e, from ?? { profile: null, intervention: null });
  }

  /** The "Compare concepts" card: the open profile (in `dirA`) against a second one, or why not. */
  static showComparison(dirA: string, c: ComparisonSnapshot | { refused: string; b: string }, dirB?: string): void {
    ExpertsPanel.current?.controller.showComparison(dirA, c, dirB);
  }

  /** The Pareto plot's points (for the integrator: call after a sweep, as showEvaluation is called). */
  static shownSweep(): SweepSnapshot | undefined {
    return ExpertsPanel.current?.controller.sweep;
  }

  static showSweep(s: SweepSnapshot, from?: Provenance): void {
    if (ExpertsPanel.current) ExpertsPanel.current.controller.showSweep(s, from);
    else ExpertsPanel.memory?.saveSweep(s, from ?? { profile: null, intervention: null });
  }

  /** The panel brought forward and the finished sweep's or evaluation's card scrolled into view. */
  static reveal(target: 'sweep' | 'evaluation'): void {
    const current = ExpertsPanel.current;
    if (!current) return;
    current.panel.reveal(undefined, false);
    current.controller.reveal(target);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    deps: PanelDeps,
  ) {
    ExpertsPanel.current = this;
    ExpertsPanel.memory = deps.memory;
    const icons = vscode.Uri.joinPath(deps.extensionUri, 'media', 'icons');
    panel.iconPath = { light: vscode.Uri.joinPath(icons, 'aura-light.svg'), dark: vscode.Uri.joinPath(icons, 'aura-dark.svg') };
    panel.webview.options = webviewOptions(deps.extensionUri);
    const dist = vscode.Uri.joinPath(deps.extensionUri, 'dist');
    panel.webview.html = panelHtml({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
    });
    const post = (m: HostMessage) => {
      if (this.posted.length < 1000) this.posted.push(m.type);
      void panel.webview.postMessage(m);
    };
    this.controller = this.store.add(new PanelController(deps.wb, post, deps.actions, deps.log, saveSweep, { scorer: evaluationScorer }, deps.memory));
    this.store.add(panel.webview.onDidReceiveMessage((m: unknown) => this.controller.receive(m)));
    this.store.add(panel.onDidDispose(() => this.dispose()));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ExpertsPanel.current === this) ExpertsPanel.current = undefined;
    this.store.dispose();
    this.panel.dispose();
  }
}

/** The evaluation's scorer (setting aura.evaluation.scorer), made once per setting value. */
let scorerCache: { spec: string; scorer: Promise<Scorer> } | undefined;
function evaluationScorer(): Promise<Scorer> {
  const spec = vscode.workspace.getConfiguration('aura').get<string>('evaluation.scorer') || 'lexicon';
  if (scorerCache?.spec !== spec) scorerCache = { spec, scorer: createScorer(spec) };
  return scorerCache.scorer;
}

/** The sweep's points as CSV or JSON where the user chooses; written whole or not at all. */
async function saveSweep(sweep: SweepSnapshot, format: 'csv' | 'json'): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = `aura-sweep.${format}`;
  const target = await vscode.window.showSaveDialog({
    title: 'Export the sweep points',
    filters: format === 'csv' ? { CSV: ['csv'] } : { JSON: ['json'] },
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
  });
  if (!target) return;
  await atomicWriteFile(target.fsPath, format === 'csv' ? sweepCsv(sweep) : sweepJson(sweep));
  void vscode.window.showInformationMessage(`AurA: ${sweep.points.length} sweep points written to ${target.fsPath}`);
}

/** Scripts on; the page may load only what dist/ holds (the bundle and its stylesheet). */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
  };
}

/** `onRevive` runs after a panel came back from a reload (the extension restores the last session). */
export function registerPanelSerializer(deps: PanelDeps, onRevive?: () => void): vscode.Disposable {
  ExpertsPanel.keepIn(deps.memory);
  return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    deserializeWebviewPanel: async (panel) => {
      ExpertsPanel.revive(panel, deps);
      onRevive?.();
    },
  });
}
