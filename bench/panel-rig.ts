// The panel's own path for the latency benchmarks: a Workbench over a real model process (the demo
// assets, the given settings, `cacheRoot` for its caches) and a PanelController whose buttons do
// nothing, stamping each message it posts to the page with the extension host's clock.
import { demoAssets } from '../src/aura/demo-assets';
import { objectSource, readConfig } from '../src/host/config';
import { memoryLogger } from '../src/host/logger';
import { ProcessModelHost } from '../src/host/model-host/process-host';
import { Workbench } from '../src/host/workbench';
import { PanelController } from '../src/panel/panel-controller';
import type { HostMessage } from '../src/shared/protocol';
import { ROOT } from './common';

export function timedPanel(settings: Record<string, unknown>, cacheRoot: string) {
  const config = readConfig(objectSource(settings), true);
  const log = memoryLogger();
  const demo = demoAssets(ROOT);
  const wb = new Workbench({ host: new ProcessModelHost(), log, cacheRoot, config: () => config, demo: () => demo });
  const posted: { at: number; m: HostMessage }[] = [];
  const noop = () => undefined;
  const panel = new PanelController(wb, (m) => posted.push({ at: performance.now(), m }), { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop }, log);
  return { wb, panel, posted, demo };
}
