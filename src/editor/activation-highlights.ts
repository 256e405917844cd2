// Highlight Expert Activations: each token of a selection coloured by how strongly the experts fire,
// with a hover naming the experts behind it. Highlights clear on edit, on Escape, or on a new run.
import * as vscode from 'vscode';
import { DisposableStore } from '../host/events';
import { HEAT_LEVELS, heatColor, heatLevel, hoverMarkdown } from './heat';
import type { TokenScore } from '../host/token-scores';

export const HIGHLIGHTS_CONTEXT_KEY = 'aura.highlightsVisible';

export class ActivationHighlights implements vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly levels: vscode.TextEditorDecorationType[] = [];
  private editor: vscode.TextEditor | undefined;

  constructor() {
    for (let l = 1; l <= HEAT_LEVELS; l++) {
      this.levels.push(this.store.add(vscode.window.createTextEditorDecorationType({ backgroundColor: heatColor(l), borderRadius: '2px' })));
    }
    this.store.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.editor && e.document === this.editor.document && e.contentChanges.length > 0) this.clear();
      }),
    );
  }

  /** `offset` is where the scored text starts in the document. */
  show(editor: vscode.TextEditor, offset: number, scores: TokenScore[]): void {
    this.clear();
    const doc = editor.document;
    const byLevel: vscode.DecorationOptions[][] = this.levels.map(() => []);
    for (const s of scores) {
      const level = heatLevel(s.score);
      if (level === 0 || s.end <= s.start) continue;
      const range = new vscode.Range(doc.positionAt(offset + s.start), doc.positionAt(offset + s.end));
      byLevel[level - 1]!.push({ range, hoverMessage: new vscode.MarkdownString(hoverMarkdown(s.text, s.score, s.top)) });
    }
    this.levels.forEach((type, i) => editor.setDecorations(type, byLevel[i]!));
    this.editor = editor;
    void vscode.commands.executeCommand('setContext', HIGHLIGHTS_CONTEXT_KEY, true);
  }

  get visible(): boolean {
    return this.editor !== undefined;
  }

  clear(): void {
    if (!this.editor) return;
    for (const type of this.levels) this.editor.setDecorations(type, []);
    this.editor = undefined;
    void vscode.commands.executeCommand('setContext', HIGHLIGHTS_CONTEXT_KEY, false);
  }

  dispose(): void {
    this.clear();
    this.store.dispose();
  }
}
