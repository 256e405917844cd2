// What every command may use: the workbench and the VS Code pieces built once at activation.
import type * as vscode from 'vscode';
import type { Logger } from '../host/logger';
import type { TaskRunner } from '../host/vscode/task-runner';
import type { Workbench } from '../host/workbench';
import type { ActivationHighlights } from '../editor/activation-highlights';
import type { InlinePreview } from '../editor/inline-preview';
import type { ReportDocuments } from '../editor/report-documents';
import type { SessionMemory } from './session';
import type { CheckpointMemory } from '../host/checkpoint-memory';

export interface CommandContext {
  wb: Workbench;
  log: Logger;
  run: TaskRunner;
  extensionUri: vscode.Uri;
  inline: InlinePreview;
  highlights: ActivationHighlights;
  /** Read-only report documents (the evaluation). */
  reports: ReportDocuments;
  /** The last model and profile, restored after a reload. */
  session: SessionMemory;
  /** The Hugging Face checkpoint folder last used per model fingerprint (adapter exports). */
  checkpoints: CheckpointMemory;
  /** Shows the experts panel; `preserveFocus` leaves the keyboard where it is. */
  openPanel(preserveFocus?: boolean, neuron?: { site: string; neuron: number }): void;
}
