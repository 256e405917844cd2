// Keeps the panel's intervention in the workspace state and puts it back after a Reload Window: every
// change is recorded with the profile it was set on; when that profile is open again (the session
// restore re-opens it, or the user does), the kept method, strength, top-k, alpha and hand-set gains
// come back, so "Damp 30%" stays "Damp 30%". Until the first profile after activation lands nothing is
// recorded: the default intervention a fresh profile starts with must not overwrite the kept one.
import { DisposableStore } from '../host/events';
import type { Disposable, Event } from '../host/events';
import type { InterventionState } from '../host/intervention-state';
import type { Logger } from '../host/logger';
import type { ExpertsSnapshot } from '../shared/protocol';
import type { KeptIntervention, PanelMemory } from './panel-memory';

/** The slice of the Workbench this needs (a test gives a small one). */
export interface InterventionOwner {
  readonly profile: { dir: string } | undefined;
  readonly onDidChangeExperts: Event<ExpertsSnapshot | undefined>;
  readonly intervention: Pick<InterventionState, 'onDidChange' | 'restore' | 'update' | 'current' | 'snapshot'>;
  readonly preview: { scheduleRerun(): void };
  importIntervention(path: string): Promise<void>;
}

export function keepIntervention(wb: InterventionOwner, memory: PanelMemory, log: Logger): Disposable & { readonly restored: Promise<void> } {
  const store = new DisposableStore();
  let pending: KeptIntervention | undefined = memory.intervention();
  let settle: () => void = () => undefined;
  const restored = new Promise<void>((resolve) => (settle = resolve));
  if (!pending) settle();
  store.add(
    wb.onDidChangeExperts(() => {
      const kept = pending;
      const dir = wb.profile?.dir;
      if (!kept || dir === undefined) return;
      pending = undefined;
      if (kept.profile !== dir) return settle();
      void putBack(wb, kept, log).finally(() => {
        memory.saveIntervention(dir, wb.intervention.snapshot());
        settle();
      });
    }),
  );
  store.add(
    wb.intervention.onDidChange((iv) => {
      const dir = wb.profile?.dir;
      if (pending || dir === undefined) return;
      memory.saveIntervention(dir, iv);
    }),
  );
  return { restored, dispose: () => store.dispose() };
}

async function putBack(wb: InterventionOwner, kept: KeptIntervention, log: Logger): Promise<void> {
  const settings = { method: kept.method, strength: kept.strength, k: kept.k, alpha: kept.alpha };
  const label = `${kept.method} at ${Math.round(kept.strength * 100)}%`;
  try {
    if (kept.importedFrom) {
      // The file carries the gains; the kept settings carry what the user changed after importing (the strength).
      await wb.importIntervention(kept.importedFrom);
      wb.intervention.update({ ...wb.intervention.current(), strength: kept.strength });
    } else {
      const skipped = wb.intervention.restore(settings, kept.overrides);
      if (skipped) log.warn(`restored the intervention (${label}) without ${skipped} hand-set gains that name no neuron of this profile`);
    }
    if (kept.droppedOverrides) log.warn(`restored the intervention (${label}) without its ${kept.droppedOverrides} hand-set gains (too many to keep in the workspace state)`);
    log.info(`restored the intervention of the last session: ${label}${kept.importedFrom ? ` imported from ${kept.importedFrom}` : ''}`);
    wb.preview.scheduleRerun();
  } catch (e) {
    log.warn(`could not restore the intervention of the last session (${label}): ${e instanceof Error ? e.message : String(e)}`);
  }
}
