// A Markdown report (the evaluation) opens rendered, in VS Code's Markdown preview: the user reads
// the tables, not their pipes. Without the built-in Markdown extension (disabled, or a stripped-down
// editor) the source opens instead, so the report is never lost.
import * as vscode from 'vscode';

export const MARKDOWN_PREVIEW = 'markdown.showPreview';

export async function showReport(uri: vscode.Uri): Promise<'preview' | 'source'> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
  // Executed rather than looked up: getCommands lists only the commands of extensions already
  // activated, and the Markdown extension activates on this very command.
  try {
    await vscode.commands.executeCommand(MARKDOWN_PREVIEW, uri);
    return 'preview';
  } catch {
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Active });
    return 'source';
  }
}
