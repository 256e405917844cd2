// What the extension's activate returns to whoever calls it (any other extension can, through
// vscode.extensions.getExtension(...).exports). The test hooks can change the intervention and read
// what the editor shows, so they are handed out only when VS Code runs the extension for its tests.
import type { ExtensionMode } from 'vscode';
import type { HighlightsState } from './editor/activation-highlights';
import type { InlinePreviewState } from './editor/inline-preview';
import type { KeptEvaluation, KeptIntervention, KeptSweep } from './panel/panel-memory';
import type { InterventionSettings, InterventionSnapshot, NeuronDetail, PreviewSnapshot, SweepSnapshot } from './shared/protocol';
import type { ViewState } from './shared/view-state';

/**
 * Test hooks for the integration suite: what the editor and the panel show, and the one action the
 * suite cannot reach through a command (the panel's strength slider, which posts `setIntervention`).
 */
export interface AuraTestHooks {
  /** The inline preview as shown (continuations, label, rendered ghost text), or undefined. */
  inlinePreview(): InlinePreviewState | undefined;
  /** The highlights as shown (token ranges and levels, legend), or undefined. */
  highlights(): HighlightsState | undefined;
  /** The preview the panel shows (the last snapshot posted to it). */
  panelPreview(): PreviewSnapshot | undefined;
  /** Resolves with the next finished preview run (the panel's text after a rerun). */
  nextPreview(): Promise<PreviewSnapshot>;
  intervention(): InterventionSnapshot;
  /** What the panel's controls do: update the intervention and rerun the preview (debounced). */
  setIntervention(settings: Partial<InterventionSettings>): void;
  /** The last warning or error the extension logged (each error notification is logged first). */
  lastProblem(): string | undefined;
  /** The output channel's last 200 lines. */
  logLines(): string[];
  /** What the fit worker thread answered: intervention files it read and fitted. */
  fitWorker(): { imports: number };
  profile(): { positives: number; negatives: number } | undefined;
  /** The expert whose detail the open panel shows. */
  panelNeuron(): { site: string; neuron: number } | undefined;
  /** The panel's view (filter, sort, search, selection, prompt) as the page last handed it to the host, and how many it has handed over. */
  panelView(): { view: ViewState | undefined; saved: number };
  /** Changes the view the host keeps for the next new panel (the suite cannot type into the page). */
  keepPanelView(patch: Partial<ViewState>): void;
  /** The types of the messages posted to the open panel's page since it opened; undefined without a panel. */
  panelPosted(): readonly string[] | undefined;
  /** The editor column the open panel is in; undefined without a panel. */
  panelColumn(): number | undefined;
  /** Closes the panel as its tab's close button does (the panel is disposed; the page is gone). */
  closePanel(): void;
  /** The first `n` experts of the ranking (site and neuron), to select in the panel. */
  topExperts(n: number): { site: string; neuron: number }[];
  /** What the workspace state keeps for the panel: the last evaluation and sweep with their provenance, the intervention. */
  panelKept(): { evaluation: KeptEvaluation | undefined; sweep: KeptSweep | undefined; intervention: KeptIntervention | undefined };
  /** Resolves once the intervention kept from the last session is back (or there was none to put back). */
  interventionRestored(): Promise<void>;
  /** The detail the panel was last sent (AUROC, gain, the profile it was made from). */
  panelDetail(): NeuronDetail | undefined;
  /** The AUROC of a neuron in the open profile's ranking (the table's row). */
  expertAuroc(site: string, neuron: number): number | undefined;
  /** Row `row` of the open profile's ranking (0: the strongest expert). */
  expertAt(row: number): { site: string; neuron: number; auroc: number } | undefined;
  /** The out-of-date marks on the panel's evaluation card and sweep plot (absent: current, or none shown). */
  panelOutOfDate(): { evaluation?: string; sweep?: string } | undefined;
  /** The sweep the open panel shows, or undefined. */
  panelSweep(): SweepSnapshot | undefined;
  /** The examples gathered with "Add Selection as … Example" (label 1 = toxic), in the order added. */
  examples(): { text: string; label: 0 | 1 }[];
}

/** What activate returns: a view for the integration tests (test/integration), not a public API. */
export interface AuraApi {
  model(): { name: string; isDemo: boolean } | undefined;
  expertCount(): number | undefined;
  /** Only in ExtensionMode.Test. */
  testing?: AuraTestHooks;
}

/**
 * vscode.ExtensionMode.Test (Production = 1, Development = 2, Test = 3 in vscode.d.ts); a type-only
 * import keeps this file free of the vscode module, so unit tests can call extensionExports.
 */
const TEST_MODE: ExtensionMode.Test = 3;

/** The exports for a mode: the hooks are built (and exist) only in ExtensionMode.Test. */
export function extensionExports(mode: ExtensionMode, api: Omit<AuraApi, 'testing'>, hooks: () => AuraTestHooks): AuraApi {
  return mode === TEST_MODE ? { ...api, testing: hooks() } : { ...api };
}
