// The last model and profile of this workspace, remembered in the workspace state so that a Reload
// Window does not lose them: when VS Code revives the experts panel after a reload (its serializer),
// the model is opened again and the profile re-made from the same data, which the profile cache turns
// into a read of the cached result. Examples gathered in the editor live in memory only and are not
// restored (the model still is).
import * as v from 'valibot';
import type * as vscode from 'vscode';
import type { ConceptSource } from '../aura/datasets';

const KEY = 'aura.lastSession';

const SourceSchema = v.union([
  v.looseObject({ kind: v.picklist(['file', 'jsonl', 'csv']), path: v.pipe(v.string(), v.minLength(1)) }),
  v.object({ kind: v.literal('text'), positives: v.string(), negatives: v.string() }),
]);

const SessionSchema = v.object({
  /** The model folder; absent for the demo model. */
  model: v.optional(v.pipe(v.string(), v.minLength(1))),
  isDemo: v.boolean(),
  source: v.optional(SourceSchema),
  /** A profile folder opened with Open Profile Folder (instead of a source to profile again). */
  profileDir: v.optional(v.pipe(v.string(), v.minLength(1))),
});

export type LastSession = v.InferOutput<typeof SessionSchema>;

export class SessionMemory {
  constructor(private readonly state: Pick<vscode.Memento, 'get' | 'update'>) {}

  /** The stored session, or undefined when there is none or it does not parse (an older layout). */
  recall(): LastSession | undefined {
    const r = v.safeParse(SessionSchema, this.state.get(KEY));
    return r.success ? r.output : undefined;
  }

  modelOpened(model: { path: string } | { demo: true }): void {
    void this.state.update(KEY, 'demo' in model ? { isDemo: true } : { isDemo: false, model: model.path });
  }

  profiled(source: ConceptSource): void {
    const last = this.recall();
    if (!last) return;
    const r = v.safeParse(SourceSchema, source);
    // A profile from memory cannot be restored: keep the model only.
    const { source: _old, profileDir: _dir, ...rest } = last;
    void this.state.update(KEY, r.success ? { ...rest, source: r.output } : rest);
  }

  profileOpened(dir: string): void {
    const last = this.recall();
    if (!last) return;
    const { source: _old, profileDir: _dir, ...rest } = last;
    void this.state.update(KEY, { ...rest, profileDir: dir });
  }
}
