import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { ensureProfile } from './ensure-model';
import type { ExportFormat } from '../host/workbench';
import type { CommandContext } from './context';

const FORMATS: { format: ExportFormat; label: string; detail: string; ext: string }[] = [
  { format: 'json', label: 'Intervention file (JSON)', detail: 'Versioned, keyed by site id: gains, AUROCs and parameters; loads back into AurA Lens and the CLI', ext: 'json' },
  { format: 'safetensors', label: 'Gain tensors (safetensors)', detail: 'One vector per module path for PyTorch forward hooks, at the current strength', ext: 'safetensors' },
  { format: 'onnx', label: 'ONNX model with the intervention folded in', detail: 'Loads anywhere ONNX Runtime runs, no extra inputs', ext: 'onnx' },
];

/** `out` (a file URI) skips the save dialog: the integration suite's way in, like the format argument the panel passes. */
export async function exportIntervention(ctx: CommandContext, format?: ExportFormat, target?: vscode.Uri): Promise<void> {
  if (!(await ensureProfile(ctx))) return;
  const choice = format ? FORMATS.find((f) => f.format === format) : await vscode.window.showQuickPick(FORMATS, { title: 'AurA: export the intervention as' });
  if (!choice) return;
  const model = ctx.wb.requireModel();
  const iv = ctx.wb.intervention.snapshot();
  const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  const name = `${model.name}.${iv.method}-${Math.round(iv.strength * 100)}.${choice.ext === 'onnx' ? 'onnx' : choice.ext === 'json' ? 'intervention.json' : 'gains.safetensors'}`;
  const out = target ?? await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(base, name), filters: { [choice.label]: [choice.ext] }, title: `AurA: export as ${choice.label}` });
  if (!out) return;
  const bytes = await ctx.run(`Exporting ${choice.label}`, (task) => ctx.wb.exportIntervention(choice.format, out.fsPath, task));
  if (bytes === undefined) return;
  ctx.log.info(`exported ${choice.format} to ${out.fsPath} (${bytes} bytes)`);
  const reveal = 'Reveal';
  if (target) {
    void vscode.window.showInformationMessage(`AurA: wrote ${vscode.workspace.asRelativePath(out)} (${formatBytes(bytes)}).`);
    return;
  }
  const pick = await vscode.window.showInformationMessage(`AurA: wrote ${vscode.workspace.asRelativePath(out)} (${formatBytes(bytes)}).`, reveal);
  if (pick === reveal) await vscode.commands.executeCommand('revealFileInOS', out);
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}
