import * as vscode from 'vscode';
import { notificationText } from '../shared/error-text';
import { ensureProfile, selectedText } from './ensure-model';
import { methodLabel } from './evaluation-report';
import type { PreviewSnapshot } from '../shared/protocol';
import type { CommandContext } from './context';

/**
 * Runs the selection as a prompt: intervened then original continuations (same seed) stream to the
 * panel, and the intervened one appears inline after the selection. Resolves with the run's last
 * snapshot (what the panel shows), for callers of executeCommand.
 */
export async function testSelection(ctx: CommandContext): Promise<PreviewSnapshot | undefined> {
  const sel = selectedText();
  if (!sel || !(await ensureProfile(ctx))) return undefined;
  const { editor, text, selection } = sel;
  ctx.openPanel(true);
  ctx.inline.dismiss();
  const position = selection.end;
  const version = editor.document.version;
  // The label is fixed when the run starts: a slider move starts another run (which does not update here).
  const label = methodLabel(ctx.wb.intervention.snapshot());
  const run = ctx.wb.preview.run(text);
  const sub = ctx.wb.preview.onDidUpdate((p) => {
    if (p.runId === run.runId && p.intervened) ctx.inline.show(editor, position, { intervened: p.intervened, original: p.original, label, done: p.done }, version);
  });
  try {
    const last = await run.done;
    // A failed run was logged by the preview controller; the user hears of it here, once.
    if (last.error && last.error !== 'cancelled') void vscode.window.showErrorMessage(`AurA: the preview failed: ${notificationText(last.error)}`);
    else if (last.runId === run.runId && !last.error) ctx.inline.show(editor, position, { intervened: last.intervened, original: last.original, label, done: true }, version);
    return last;
  } finally {
    sub.dispose();
  }
}
