import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { ensureProfile } from './ensure-model';
import { isCheckpointFormat } from '../host/intervention-export';
import type { ExportFormat } from '../host/workbench';
import type { CommandContext } from './context';

interface FormatChoice {
  format: ExportFormat;
  label: string;
  detail: string;
  /** The file name's ending; a folder export has none. */
  ext?: string;
}

// The two checkpoint formats take the same checkpoint question (remembered per model) and an output folder.
const FORMATS: FormatChoice[] = [
  { format: 'json', label: 'Intervention file (JSON)', detail: 'Versioned, keyed by site id: gains, AUROCs and parameters; loads back into AurA Lens and the CLI', ext: 'json' },
  { format: 'safetensors', label: 'Gain tensors (safetensors)', detail: 'One vector per module path for PyTorch forward hooks, at the current strength', ext: 'safetensors' },
  { format: 'onnx', label: 'ONNX model with the intervention folded in', detail: 'Loads anywhere ONNX Runtime runs, no extra inputs', ext: 'onnx' },
  { format: 'hf', label: 'Hugging Face checkpoint (folded)', detail: 'Your checkpoint with the intervention folded into its weights, for transformers, vLLM and llama.cpp (convert_hf_to_gguf); no hooks needed' },
  { format: 'peft-ia3', label: 'PEFT IA3 adapter', detail: "A folder for peft.PeftModel.from_pretrained on the model's Hugging Face checkpoint, which stays unchanged (gains only)" },
];

/**
 * `out` (a file or folder URI) skips the save dialog and `checkpoint` the folder question: the integration
 * suite's way in, like the format argument the panel passes.
 */
export async function exportIntervention(ctx: CommandContext, format?: ExportFormat, target?: vscode.Uri, checkpointArg?: vscode.Uri): Promise<void> {
  if (!(await ensureProfile(ctx))) return;
  const choice = format ? FORMATS.find((f) => f.format === format) : await vscode.window.showQuickPick(FORMATS, { title: 'AurA: export the intervention as' });
  if (!choice) return;
  const model = ctx.wb.requireModel();
  const iv = ctx.wb.intervention.snapshot();
  const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir());
  let checkpoint: vscode.Uri | undefined;
  if (isCheckpointFormat(choice.format)) {
    checkpoint = checkpointArg ?? await askCheckpoint(ctx, model.fingerprint);
    if (!checkpoint) return;
  }
  // Before the save dialog: a folded model at strength 0 is the original, copied (GBs for a real model).
  const unchanged = choice.format === 'onnx' ? ctx.wb.unchangedOnnxExport() : undefined;
  if (unchanged) {
    void vscode.window.showWarningMessage(`AurA: ${unchanged}.`);
    return;
  }
  const stem = `${model.name}.${iv.method}-${Math.round(iv.strength * 100)}`;
  const name = choice.ext === undefined ? `${stem}.${choice.format}` : `${stem}.${choice.ext === 'onnx' ? 'onnx' : choice.ext === 'json' ? 'intervention.json' : 'gains.safetensors'}`;
  const out = target ?? await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(base, name),
    ...(choice.ext ? { filters: { [choice.label]: [choice.ext] } } : {}),
    title: choice.ext ? `AurA: export as ${choice.label}` : `AurA: the folder to write the ${choice.label} in (a new name, or an earlier adapter to replace)`,
  });
  if (!out) return;
  const bytes = await ctx.run(`Exporting ${choice.label}`, (task) => ctx.wb.exportIntervention(choice.format, out.fsPath, task, checkpoint?.fsPath));
  if (bytes === undefined) return;
  if (checkpoint) await ctx.checkpoints.remember(model.fingerprint, checkpoint.fsPath);
  ctx.log.info(`exported ${choice.format} to ${out.fsPath} (${bytes} bytes)${checkpoint ? ` against ${checkpoint.fsPath}` : ''}`);
  const reveal = 'Reveal';
  if (target) {
    void vscode.window.showInformationMessage(`AurA: wrote ${vscode.workspace.asRelativePath(out)} (${formatBytes(bytes)}).`);
    return;
  }
  const pick = await vscode.window.showInformationMessage(`AurA: wrote ${vscode.workspace.asRelativePath(out)} (${formatBytes(bytes)}).`, reveal);
  if (pick === reveal) await vscode.commands.executeCommand('revealFileInOS', out);
}

/** The model's Hugging Face checkpoint folder: the one used last for this model is offered first. */
async function askCheckpoint(ctx: CommandContext, fingerprint: string): Promise<vscode.Uri | undefined> {
  const last = ctx.checkpoints.recall(fingerprint);
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    ...(last ? { defaultUri: vscode.Uri.file(last) } : {}),
    openLabel: 'Use this checkpoint',
    title: "AurA: the model's Hugging Face checkpoint folder (config.json and model.safetensors)",
  });
  return picked?.[0];
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 ** 2).toFixed(1)} MB`;
}
