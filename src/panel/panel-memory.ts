// What the experts panel keeps in the workspace state (ExtensionContext.workspaceState), so that a
// Reload Window, or a panel closed and opened again, finds it: the page's view (filter, sort, search,
// selected neuron, typed prompt), the intervention and the profile it was set on, and the last
// evaluation and sweep, each with the profile and intervention it was made from (a result shown after
// a reload must say what it measured). Each entry has its own key and schema: one that does not parse
// (written by an older version, or damaged) is ignored on its own, never the others with it.
import * as v from 'valibot';
import type * as vscode from 'vscode';
import { EvaluationSummarySchema, MethodNameSchema, NeuronOverrideSchema, SweepSnapshotSchema } from '../shared/protocol';
import { ViewStateSchema } from '../shared/view-state';
import type { EvaluationSummary, InterventionSnapshot, SweepSnapshot } from '../shared/protocol';
import type { ViewState } from '../shared/view-state';

const KEYS = { view: 'aura.panel.view', intervention: 'aura.panel.intervention', evaluation: 'aura.panel.evaluation', sweep: 'aura.panel.sweep' } as const;

/**
 * Hand-set gains beyond this many are not kept (a combination of two concepts can set one per neuron:
 * too much for the workspace state); the method and its settings still are.
 */
export const MAX_KEPT_OVERRIDES = 10_000;

const text = v.pipe(v.string(), v.maxLength(100_000));
const settingsEntries = {
  method: MethodNameSchema,
  strength: v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1)),
  k: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1))),
  alpha: v.nullable(v.pipe(v.number(), v.finite())),
};

/** The intervention as the panel had it: settings, hand-set gains, and the file it was imported from. */
const KeptInterventionSchema = v.object({
  /** The profile folder its AUROCs came from: it is put back only on that profile. */
  profile: text,
  ...settingsEntries,
  overrides: v.array(NeuronOverrideSchema),
  /** How many hand-set gains there were when more than MAX_KEPT_OVERRIDES (then `overrides` is empty). */
  droppedOverrides: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  importedFrom: v.optional(text),
  combined: v.optional(text),
});
export type KeptIntervention = v.InferOutput<typeof KeptInterventionSchema>;

/** Which profile and intervention a result was made from (the stale rule compares these with the current ones). */
const ProvenanceSchema = v.object({
  profile: v.nullable(text),
  intervention: v.nullable(v.object({ ...settingsEntries, overrides: v.pipe(v.number(), v.integer(), v.minValue(0)), importedFrom: v.optional(text), combined: v.optional(text) })),
});
export type Provenance = v.InferOutput<typeof ProvenanceSchema>;

const KeptEvaluationSchema = v.object({ from: ProvenanceSchema, evaluation: EvaluationSummarySchema });
const KeptSweepSchema = v.object({ from: ProvenanceSchema, sweep: SweepSnapshotSchema });
export type KeptEvaluation = v.InferOutput<typeof KeptEvaluationSchema>;
export type KeptSweep = v.InferOutput<typeof KeptSweepSchema>;

/** The provenance of a result made now: the open profile's folder and the intervention's settings. */
export function provenanceOf(profileDir: string | undefined, iv: InterventionSnapshot | undefined): Provenance {
  return {
    profile: profileDir ?? null,
    intervention: iv
      ? {
          method: iv.method,
          strength: iv.strength,
          k: iv.k,
          alpha: iv.alpha,
          overrides: iv.overrides.length,
          ...(iv.importedFrom ? { importedFrom: iv.importedFrom } : {}),
          ...(iv.combined ? { combined: iv.combined } : {}),
        }
      : null,
  };
}

export class PanelMemory {
  /** How many views the page has handed over since activation (the test hooks wait on it). */
  viewsSaved = 0;

  constructor(private readonly state: Pick<vscode.Memento, 'get' | 'update'>) {}

  view(): ViewState | undefined {
    return this.read(KEYS.view, ViewStateSchema);
  }

  saveView(view: ViewState): void {
    this.viewsSaved++;
    this.write(KEYS.view, view);
  }

  intervention(): KeptIntervention | undefined {
    return this.read(KEYS.intervention, KeptInterventionSchema);
  }

  saveIntervention(profile: string, iv: InterventionSnapshot): void {
    const many = iv.overrides.length > MAX_KEPT_OVERRIDES;
    const kept: KeptIntervention = {
      profile,
      method: iv.method,
      strength: iv.strength,
      k: iv.k,
      alpha: iv.alpha,
      // An imported file's gains come back from the file itself, not from a copy here.
      overrides: many || iv.importedFrom ? [] : iv.overrides.map((o) => ({ site: o.site, neuron: o.neuron, gain: o.gain })),
      ...(many && !iv.importedFrom ? { droppedOverrides: iv.overrides.length } : {}),
      ...(iv.importedFrom ? { importedFrom: iv.importedFrom } : {}),
      ...(iv.combined ? { combined: iv.combined } : {}),
    };
    this.write(KEYS.intervention, kept);
  }

  evaluation(): KeptEvaluation | undefined {
    return this.read(KEYS.evaluation, KeptEvaluationSchema);
  }

  saveEvaluation(evaluation: EvaluationSummary, from: Provenance): void {
    this.write(KEYS.evaluation, { from, evaluation });
  }

  sweep(): KeptSweep | undefined {
    return this.read(KEYS.sweep, KeptSweepSchema);
  }

  saveSweep(sweep: SweepSnapshot, from: Provenance): void {
    this.write(KEYS.sweep, { from, sweep });
  }

  private read<S extends v.GenericSchema>(key: string, schema: S): v.InferOutput<S> | undefined {
    const r = v.safeParse(schema, this.state.get(key));
    return r.success ? r.output : undefined;
  }

  private write(key: string, value: unknown): void {
    // The workspace state is written in the background; a failure there must not break the panel.
    void Promise.resolve(this.state.update(key, value)).catch(() => undefined);
  }
}
