// Read-only documents for reports (the evaluation): a content provider under the `aura-report` scheme,
// so the report opens as a document that VS Code never marks dirty and never asks to save on close
// (an Untitled document did both). "File: Save As…" still writes a copy where the user wants one.
import * as vscode from 'vscode';

export const REPORT_SCHEME = 'aura-report';

export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);
  private count = 0;

  /** Stores `content` under a new URI named after `title` (`aura-report:/Evaluation 3.md`). */
  add(title: string, content: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${title.replace(/[\\/]/g, '-')} ${++this.count}.md` });
    this.contents.set(uri.toString(), content);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# AurA report\n\nThis report belonged to an earlier session; run the evaluation again.\n';
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
    this.contents.clear();
  }
}
