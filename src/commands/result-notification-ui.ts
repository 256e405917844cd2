// The result notification's VS Code side: an information message, the panel command, the panel's reveal.
import * as vscode from 'vscode';
import { ExpertsPanel } from '../panel/experts-panel';
import { Commands } from '../shared/ids';
import type { ResultUi } from './result-notification';

export function vscodeResultUi(): ResultUi {
  return {
    notify: (message, ...actions) => vscode.window.showInformationMessage(message, ...actions),
    openPanel: () => vscode.commands.executeCommand(Commands.openExpertsPanel),
    reveal: (target) => ExpertsPanel.reveal(target),
  };
}
