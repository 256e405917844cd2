// One status bar item: the model and the intervention at a glance ("AurA: demo · AurA 100%"), and
// a click away from the experts panel.
import * as vscode from 'vscode';
import { Commands } from '../../shared/ids';
import { DisposableStore } from '../events';
import { statusText } from '../status-text';
import type { Workbench } from '../workbench';

export function createStatusBar(wb: Workbench): vscode.Disposable {
  const store = new DisposableStore();
  const item = vscode.window.createStatusBarItem('aura.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'AurA';
  item.command = Commands.openExpertsPanel;
  const update = () => {
    const s = statusText(wb);
    item.text = s.text;
    item.tooltip = s.tooltip;
  };
  update();
  item.show();
  store.add(wb.onDidChangeModel(update));
  store.add(wb.onDidChangeProgress(update));
  store.add(wb.intervention.onDidChange(update));
  store.add(item);
  return store;
}
