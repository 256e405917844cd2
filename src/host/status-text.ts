// What the status bar item says, from the workbench's state (kept apart from the item for tests).
import type { Workbench } from './workbench';
import { int, pct } from '../shared/format';

import { methodDisplayName } from '../shared/method-labels';

export function statusText(wb: Workbench): { text: string; tooltip: string } {
  const m = wb.model;
  if (wb.progress.task) return { text: '$(sync~spin) AurA: working…', tooltip: wb.progress.task };
  if (!m) return { text: '$(pulse) AurA: no model', tooltip: 'AurA: open a model or use the demo model' };
  const name = m.isDemo ? 'demo' : m.name;
  const iv = wb.intervention.snapshot();
  if (!wb.intervention.hasAurocs) return { text: `$(pulse) AurA: ${name} · not profiled`, tooltip: `${m.path}\nProfile a concept to find its experts` };
  const state = `${methodDisplayName(iv.method)} ${pct(iv.strength)}`;
  return { text: `$(pulse) AurA: ${name} · ${state}`, tooltip: `${m.path}\n${int(iv.affected)} neurons affected\nClick to open the experts panel` };
}

