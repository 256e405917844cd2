// Highlight Expert Activations: each token of a selection coloured by how strongly the experts fire
// (relative to the strongest token, see heat.ts), a legend after the selection, and a hover that
// defines the percentage and links each listed expert to its detail in the panel. Highlights clear on
// edit, on Escape, or on a new run.
import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import { DisposableStore } from '../host/events';
import { HEAT_LEVELS, heatColor, heatLevels, hoverMarkdown, legendText } from './heat';
import type { TokenScore } from '../host/token-scores';

export const HIGHLIGHTS_CONTEXT_KEY = 'aura.highlightsVisible';

/** What is shown, for the integration suite (AuraApi.testing). */
export interface HighlightsState {
  uri: string;
  max: number;
  /** `hover`: the markdown of a coloured token's hover (the suite follows its link into the panel). */
  tokens: { start: number; end: number; level: number; score: number; hover?: string; trustedCommands?: readonly string[] }[];
  legend: string;
  /** Document offset of the legend: the end of the selection's last line. */
  legendAt: number;
}

export class ActivationHighlights implements vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly levels: vscode.TextEditorDecorationType[] = [];
  /** The legend: one piece of text (heat.ts says why not several). */
  private readonly legend: vscode.TextEditorDecorationType;
  private editor: vscode.TextEditor | undefined;
  private state: HighlightsState | undefined;

  constructor() {
    for (let l = 1; l <= HEAT_LEVELS; l++) {
      this.levels.push(this.store.add(vscode.window.createTextEditorDecorationType({ backgroundColor: heatColor(l), borderRadius: '2px' })));
    }
    this.legend = this.store.add(vscode.window.createTextEditorDecorationType({ after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), fontStyle: 'italic' } }));
    this.store.add(
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.editor && e.document === this.editor.document && e.contentChanges.length > 0) this.clear();
      }),
    );
  }

  /** `offset` is where the scored text starts in the document; `experts` is how many experts were scored. */
  show(editor: vscode.TextEditor, offset: number, scores: TokenScore[], experts: number): void {
    this.clear();
    const doc = editor.document;
    const byLevel: vscode.DecorationOptions[][] = this.levels.map(() => []);
    const levels = heatLevels(scores.map((s) => s.score));
    const max = scores.reduce((m, s) => Math.max(m, s.score), 0);
    const tokens: HighlightsState['tokens'] = [];
    let coloured = 0;
    let end = offset;
    scores.forEach((s, i) => {
      end = Math.max(end, offset + s.end);
      const level = levels[i]!;
      const token: HighlightsState['tokens'][number] = { start: offset + s.start, end: offset + s.end, level, score: s.score };
      tokens.push(token);
      if (level === 0 || s.end <= s.start) return;
      coloured++;
      const range = new vscode.Range(doc.positionAt(offset + s.start), doc.positionAt(offset + s.end));
      const hover = new vscode.MarkdownString(hoverMarkdown(s.text, s.score, max, experts, s.top));
      hover.isTrusted = { enabledCommands: [Commands.openExpertsPanel] };
      token.hover = hover.value;
      token.trustedCommands = hover.isTrusted.enabledCommands;
      byLevel[level - 1]!.push({ range, hoverMessage: hover });
    });
    this.levels.forEach((type, i) => editor.setDecorations(type, byLevel[i]!));
    // The legend at the end of the selection's last line, where it does not move the text it explains.
    const line = doc.positionAt(end).line;
    const at = doc.lineAt(line).range.end;
    const legend = legendText(max, coloured, scores.length);
    editor.setDecorations(this.legend, [{ range: new vscode.Range(at, at), renderOptions: { after: { contentText: legend } } }]);
    this.editor = editor;
    this.state = { uri: doc.uri.toString(), max, tokens, legend, legendAt: doc.offsetAt(at) };
    void vscode.commands.executeCommand('setContext', HIGHLIGHTS_CONTEXT_KEY, true);
  }

  get visible(): boolean {
    return this.editor !== undefined;
  }

  get current(): HighlightsState | undefined {
    return this.state;
  }

  clear(): void {
    if (!this.editor) return;
    for (const type of [...this.levels, this.legend]) this.editor.setDecorations(type, []);
    this.editor = undefined;
    this.state = undefined;
    void vscode.commands.executeCommand('setContext', HIGHLIGHTS_CONTEXT_KEY, false);
  }

  dispose(): void {
    this.clear();
    this.store.dispose();
  }
}
