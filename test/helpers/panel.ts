// The panel's host side for tests: a real Workbench with default settings over the given model host,
// and a PanelController whose user actions do nothing, recording every message it posts to the page.
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { Workbench } from '../../src/host/workbench';
import { PanelController, type PanelActions } from '../../src/panel/panel-controller';
import type { ModelHost } from '../../src/host/model-host/api';
import type { PanelMemory } from '../../src/panel/panel-memory';
import type { HostMessage } from '../../src/shared/protocol';

/** The buttons that start VS Code commands (pick a folder, profile...): nothing in these tests. */
export const NO_ACTIONS: PanelActions = {
  useDemoModel: () => undefined,
  openModelFolder: () => undefined,
  profile: () => undefined,
  importIntervention: () => undefined,
  evaluate: () => undefined,
  exportIntervention: () => undefined,
};

/** A model host for tests that never reach a model: the workbench only disposes it. */
export const NO_MODEL_HOST = { dispose: async () => undefined } as unknown as ModelHost;

export function panelOverWorkbench(host: ModelHost = NO_MODEL_HOST, opts: { memory?: PanelMemory } = {}) {
  const log = memoryLogger();
  const config = readConfig(objectSource({}), true);
  const wb = new Workbench({ host, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const posted: HostMessage[] = [];
  const panel = new PanelController(wb, (m) => posted.push(m), NO_ACTIONS, log, undefined, undefined, opts.memory);
  return { wb, log, posted, panel };
}
