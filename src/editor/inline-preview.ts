// The intervened continuation of a selection, shown inline right after it as ghost text. Accept
// (Tab, the CodeLens or the hover link) inserts it; Escape or Dismiss removes it; editing the
// document or leaving the editor dismisses it too, since its position would no longer mean anything.
// The CodeLens says what the text is (the method and strength that produced it); the hover shows it
// whole beside the original continuation (same seed, no intervention). The ghost text starts right
// after the selection and wraps at the editor's wrap column or first ruler (80 columns otherwise) onto
// the lines below, as a block starting in the selection's end column (ghost-text.ts, layoutContinuation):
// an extension cannot insert virtual lines, so each row is an `after` decoration of a document line.
import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import { DisposableStore } from '../host/events';
import { edgeColumn, layoutContinuation, MAX_ROWS } from './ghost-text';
import type { GhostRow } from './ghost-text';
import { hoverMarkdown, type PreviewContent } from './inline-preview-text';

export type { PreviewContent } from './inline-preview-text';

export const PREVIEW_CONTEXT_KEY = 'aura.previewVisible';

/** While a continuation streams, the ghost text and its hover are redrawn at most this often. */
export const STREAM_DRAW_MS = 80;

interface Shown extends PreviewContent {
  editor: vscode.TextEditor;
  position: vscode.Position;
  /** The ghost text's first row, as rendered. */
  rendered: string;
  /** Every row of the ghost text, the first included. */
  rows: GhostRow[];
}

/** What is shown, for the integration suite (AuraApi.testing). */
export interface InlinePreviewState extends PreviewContent {
  uri: string;
  line: number;
  character: number;
  rendered: string;
  rows: GhostRow[];
}

export class InlinePreview implements vscode.Disposable, vscode.CodeLensProvider {
  private readonly store = new DisposableStore();
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorGhostText.foreground'), fontStyle: 'italic', margin: '0 0 0 0.1em' },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private shown: Shown | undefined;
  private drawnAt = -Infinity;
  private drawTimer: NodeJS.Timeout | undefined;
  private contextSet = false;
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
  show(editor: vscode.TextEditor, position: vscode.Position, content: PreviewContent, version: number): void {
    if (editor.document.version !== version || editor.document.isClosed) return;
    const kept = this.shown?.editor === editor ? this.shown : undefined;
    this.shown = { ...content, editor, position, rendered: kept?.rendered ?? '', rows: kept?.rows ?? [] };
    // While it streams, a token arrives every few milliseconds; each decoration and hover handed to
    // VS Code is serialised and its Markdown lexed on the extension host's thread, so updates are
    // drawn at most every STREAM_DRAW_MS (the latest one wins) and the finished text at once.
    const wait = STREAM_DRAW_MS - (performance.now() - this.drawnAt);
    if (content.done || wait <= 0) return this.draw();
    this.drawTimer ??= setTimeout(() => this.draw(), wait);
  }

  private draw(): void {
    clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
    const s = this.shown;
    if (!s || s.editor.document.isClosed) return;
    this.drawnAt = performance.now();
    const o = vscode.workspace.getConfiguration('editor', s.editor.document);
    const edge = edgeColumn({ wordWrap: o.get<string>('wordWrap'), wordWrapColumn: o.get<number>('wordWrapColumn'), rulers: o.get<(number | { column: number })[]>('rulers') });
    const doc = s.editor.document;
    const last = Math.min(doc.lineCount - 1, s.position.line + MAX_ROWS);
    const lineLengths = Array.from({ length: last - s.position.line + 1 }, (_, i) => doc.lineAt(s.position.line + i).text.length);
    s.rows = layoutContinuation(s.intervened, { line: s.position.line, column: s.position.character, lineLengths, edge });
    // Nothing generated yet: a mark where the text will come. (A first row left empty by a line break
    // the model wrote first stays empty.)
    if (!s.rows.some((r) => r.text)) s.rows = [{ line: s.position.line, text: ' …', indent: 0 }];
    s.rendered = s.rows[0]!.text;
    const hover = new vscode.MarkdownString(hoverMarkdown(s));
    hover.isTrusted = { enabledCommands: [Commands.acceptPreview, Commands.dismissPreview] };
    const decorations = s.rows
      .filter((r) => r.text.length > 0)
      .map((r): vscode.DecorationOptions => {
        // The first row sits at the selection's end; the others after their line's text, pushed to the selection's column.
        const first = r.line === s.position.line;
        const at = first ? s.position : doc.lineAt(r.line).range.end;
        const after = first ? { contentText: r.text } : { contentText: r.text, margin: `0 0 0 ${r.indent}ch` };
        return { range: new vscode.Range(at, at), hoverMessage: hover, renderOptions: { after } };
      });
    s.editor.setDecorations(this.decoration, decorations);
    if (!this.contextSet) void vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT_KEY, true);
    this.contextSet = true;
    this.lensesChanged.fire();
  }

  get current(): InlinePreviewState | undefined {
    const s = this.shown;
    if (!s) return undefined;
    return { intervened: s.intervened, original: s.original, label: s.label, done: s.done, rendered: s.rendered, rows: s.rows, uri: s.editor.document.uri.toString(), line: s.position.line, character: s.position.character };
  }

  get visible(): boolean {
    return this.shown !== undefined;
  }

  async accept(): Promise<boolean> {
    const s = this.shown;
    if (!s || !s.intervened) return false;
    this.clear();
    // A workspace edit, not TextEditor.edit: the editor object may have been replaced (the panel opened
    // beside it, the tab was re-shown) while the document and the position still hold.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(s.editor.document.uri, s.position, s.intervened);
    return vscode.workspace.applyEdit(edit);
  }

  dismiss(): void {
    this.clear();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const s = this.shown;
    if (!s || s.editor.document !== document) return [];
    const range = new vscode.Range(s.position.line, 0, s.position.line, 0);
    return [
      new vscode.CodeLens(range, {
        title: s.done ? `$(check) Accept the ${s.label} continuation (Tab)` : `$(sync~spin) ${s.label}: generating…`,
        tooltip: `The continuation with the intervention (${s.label}); hover the ghost text to compare it with the original`,
        command: Commands.acceptPreview,
      }),
      new vscode.CodeLens(range, { title: '$(close) Dismiss (Esc)', command: Commands.dismissPreview }),
    ];
  }

  dispose(): void {
    this.clear();
    this.store.dispose();
  }

  private clear(): void {
    clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
    this.drawnAt = -Infinity;
    if (!this.shown) return;
    this.shown.editor.setDecorations(this.decoration, []);
    this.shown = undefined;
    this.contextSet = false;
    void vscode.commands.executeCommand('setContext', PREVIEW_CONTEXT_KEY, false);
    this.lensesChanged.fire();
  }
}

