// The intervened continuation of a selection, shown inline right after it as ghost text. Accept
// (Tab, the CodeLens or the hover link) inserts it; Escape or Dismiss removes it; editing the
// document or leaving the editor dismisses it too, since its position would no longer mean anything.
import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import { DisposableStore } from '../host/events';
import { ghostText } from './ghost-text';

export const PREVIEW_CONTEXT_KEY = 'aura.previewVisible';

interface Shown {
  editor: vscode.TextEditor;
  position: vscode.Position;
  text: string;
  done: boolean;
}

export class InlinePreview implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly store = new DisposableStore();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorGhostText.foreground'), fontStyle: 'italic', margin: '0 0 0 0.1em' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private shown: Shown | undefined;
  private readonly lensesChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensesChanged.event;

  constructor() {
    this.store.add(this.decoration);
    this.store.add(this.lensesChanged);
    this.store.add(vscode.languages.registerCodeLensProvider({ scheme: '*' }, this));
    this.store.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.shown && e.document === this.shown.editor.document && e.contentChanges.length > 0) this.dismiss();
      }),
    );
    this.store.add(
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (this.shown && e !== this.shown.editor) this.dismiss();
      }),
    );
  }

  /**
   * Shows (or updates, while it streams) the continuation after `position`. `version` is the
   * document's version when the run started: once the user has edited, late updates are dropped.
   */
  show(editor: vscode.TextEditor, position: vscode.Position, text: string, done: boolean, version: number): void {
    if (editor.document.version !== version || editor.document.isClosed) return;
    this.shown = { editor, position, text, done };
    const hover = new vscode.MarkdownString(
      `**AurA** intervened continuation${done ? '' : ' (generating…)'}\n\n[Accept](command:${Commands.acceptPreview}) · [Dismiss](command:${Commands.dismissPreview})`,
    );
    hover.isTrusted = { enabledCommands: [Commands.acceptPreview, Commands.dismissPreview] };
    const range = new vscode.Range(position, position);
    editor.setDecorations(this.decoration, [{ range, hoverMessage: hover, renderOptions: { after: { contentText: ghostText(text) || ' …' } } }]);
    void vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT_KEY, true);
    this.lensesChanged.fire();
  }

  get visible(): boolean {
    return this.shown !== undefined;
  }

  async accept(): Promise<boolean> {
    const s = this.shown;
    if (!s || !s.text) return false;
    this.clear();
    return s.editor.edit((b) => b.insert(s.position, s.text));
  }

  dismiss(): void {
    this.clear();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const s = this.shown;
    if (!s || s.editor.document !== document) return [];
    const range = new vscode.Range(s.position.line, 0, s.position.line, 0);
    return [
      new vscode.CodeLens(range, { title: s.done ? '$(check) Accept AurA continuation (Tab)' : '$(sync~spin) AurA: generating…', command: Commands.acceptPreview }),
      new vscode.CodeLens(range, { title: '$(close) Dismiss (Esc)', command: Commands.dismissPreview }),
    ];
  }

  dispose(): void {
    this.clear();
    this.store.dispose();
  }

  private clear(): void {
    if (!this.shown) return;
    this.shown.editor.setDecorations(this.decoration, []);
    this.shown = undefined;
    void vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT_KEY, false);
    this.lensesChanged.fire();
  }
}
