// The settings as VS Code holds them, through the typed reader in ../config.ts.
import * as vscode from 'vscode';
import { readConfig } from '../config';
import type { AuraConfig } from '../config';

export const CONFIG_SECTION = 'aura';

export function currentConfig(): AuraConfig {
  return readConfig(vscode.workspace.getConfiguration(CONFIG_SECTION), vscode.workspace.isTrusted);
}
