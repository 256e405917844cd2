// Commands that need a model: the open one, else the `aura.modelPath` setting (which an untrusted
// workspace cannot set), else the user's choice between the demo and a folder.
import * as vscode from 'vscode';
import { Commands } from '../shared/ids';
import { currentConfig } from '../host/vscode/config';
import type { LoadedModel } from '../host/workbench';
import type { CommandContext } from './context';

export async function ensureModel(ctx: CommandContext): Promise<LoadedModel | undefined> {
  if (ctx.wb.model) return ctx.wb.model;
  const path = currentConfig().modelPath;
  if (path) return ctx.run('Loading the model', (task) => ctx.wb.openModel(path, false, task));
  const demo = 'Use Demo Model';
  const folder = 'Open Model Folder…';
  const pick = await vscode.window.showInformationMessage('AurA: no model is open.', demo, folder);
  if (pick === demo) await vscode.commands.executeCommand(Commands.useDemoModel);
  if (pick === folder) await vscode.commands.executeCommand(Commands.openModelFolder);
  return ctx.wb.model;
}

/** A model with a profile: on the demo model the profile is made on the spot. */
export async function ensureProfile(ctx: CommandContext): Promise<boolean> {
  const model = await ensureModel(ctx);
  if (!model) return false;
  if (ctx.wb.intervention.hasAurocs) return true;
  if (model.isDemo) {
    await ctx.run('Profiling the demo concept', (task) => ctx.wb.useDemo(task));
    return ctx.wb.intervention.hasAurocs;
  }
  const profile = 'Profile Concept…';
  const pick = await vscode.window.showWarningMessage('AurA: profile a concept first, to find the experts to intervene on.', profile);
  if (pick === profile) await vscode.commands.executeCommand(Commands.profileConcept);
  return ctx.wb.intervention.hasAurocs;
}

export function selectedText(): { editor: vscode.TextEditor; text: string; selection: vscode.Selection } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showWarningMessage('AurA: open a text editor and select some text first.');
    return undefined;
  }
  const selection = editor.selection;
  // With nothing selected, the current line is what the user means.
  const range = selection.isEmpty ? editor.document.lineAt(selection.active.line).range : selection;
  const text = editor.document.getText(range);
  if (text.trim() === '') {
    void vscode.window.showWarningMessage('AurA: select some text first.');
    return undefined;
  }
  return { editor, text, selection: selection.isEmpty ? new vscode.Selection(range.start, range.end) : selection };
}
