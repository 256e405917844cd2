// Long work in a progress notification with a Cancel button: the cancellation token becomes an
// AbortSignal for the engine, and errors become one clear message (user errors as they are,
// internal failures with a pointer to the log).
import * as vscode from 'vscode';
import { isUserError } from '../../engine/errors';
import { notificationText } from '../../shared/error-text';
import { isAbort } from '../preview-controller';
import type { Logger } from '../logger';
import type { Task } from '../workbench';

export type TaskRunner = <T>(title: string, work: (task: Task) => Promise<T>) => Promise<T | undefined>;

export function createTaskRunner(log: Logger): TaskRunner {
  return (title, work) =>
    Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `AurA: ${title}`, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        const sub = token.onCancellationRequested(() => controller.abort());
        let last = 0;
        try {
          return await work({
            signal: controller.signal,
            report: (p) => {
              // withProgress adds increments; convert the absolute done/total into one.
              const pct = p.total > 0 ? (100 * p.done) / p.total : 0;
              progress.report({ message: p.total > 1 ? `${p.stage} (${p.done}/${p.total})` : p.stage, increment: Math.max(0, pct - last) });
              last = Math.max(last, pct);
            },
          });
        } catch (e) {
          reportError(log, title, e);
          return undefined;
        } finally {
          sub.dispose();
        }
      }),
    );
}

export function reportError(log: Logger, what: string, e: unknown): void {
  if (isAbort(e)) {
    log.info(`${what}: cancelled`);
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  if (isUserError(e)) {
    log.warn(`${what}: ${message}`);
    // Reason first, path after (shortened; the log line above has it whole): see shared/error-text.
    void vscode.window.showErrorMessage(`AurA: ${notificationText(message)}`);
  } else {
    log.error(`${what}: ${message}`, e);
    void vscode.window.showErrorMessage(`AurA: ${what} failed: ${notificationText(message)} (details in the "AurA" output)`);
  }
}
