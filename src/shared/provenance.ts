// The one rule for every derived view of the panel and the editor (issue 23, items 1-2): a derived
// result carries the identity of the profile and the intervention it was made from, and once either
// of the inputs it depends on changes it is either rebuilt (re-requested, rerun) or shown marked as
// out of date with a way to run it again. Host and page both decide with isCurrent/staleness below,
// so no view keeps its own notion of "stale".
import * as v from 'valibot';
import { METHOD_LABELS } from './method-labels';

/**
 * What a result was made from. `profile` names one profile as it landed (the experts snapshot's
 * key: a new one per profile, and per extension host session, so a result kept across a reload
 * never passes for current); `intervention` is the intervention's revision, which bumps on every
 * change (method, strength, top-k, alpha, an override, an import, a combination, a new profile).
 */
export const ProvenanceSchema = v.object({
  profile: v.pipe(v.string(), v.maxLength(200)),
  intervention: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** How the user knows them, for the out-of-date mark: "<profile source>" and "AurA 100%". */
  profileLabel: v.pipe(v.string(), v.maxLength(1000)),
  interventionLabel: v.pipe(v.string(), v.maxLength(300)),
});
export type Provenance = v.InferOutput<typeof ProvenanceSchema>;

/** What is current now: the open profile's key and the intervention's revision (absent: none yet). */
export interface Inputs {
  profile: string | undefined;
  intervention: number | undefined;
}

export type Input = 'profile' | 'intervention';

/**
 * Each derived view: what it depends on, and what happens when that changes. A rebuilt view is
 * recomputed by the host on its own (nothing stale is ever on screen for long); a marked view costs
 * minutes to recompute (an evaluation, a sweep), so it stays, labelled, with a rerun button.
 * The neuron detail depends on the profile only: its gains are recomputed on the page from the
 * current intervention. The sweep measures every method at its own strengths, not the panel's.
 */
export const DERIVED_VIEWS = {
  detail: { dependsOn: ['profile'], onStale: 'rebuild' },
  preview: { dependsOn: ['profile', 'intervention'], onStale: 'rebuild' },
  evaluation: { dependsOn: ['profile', 'intervention'], onStale: 'mark' },
  sweep: { dependsOn: ['profile'], onStale: 'mark' },
  /** The compare card: the open profile against a second folder, compared again with the new profile. */
  comparison: { dependsOn: ['profile'], onStale: 'rebuild' },
} as const satisfies Record<string, { dependsOn: readonly Input[]; onStale: 'rebuild' | 'mark' }>;
export type DerivedView = keyof typeof DERIVED_VIEWS;

/**
 * Which input the result is out of date with, or null while it is current. The host stamps every
 * result it makes; one without a stamp is a preview still waiting for its gains (it will read the
 * current ones) or a result from a host that did not stamp, and is taken as current.
 */
export function staleness(view: DerivedView, made: Provenance | undefined, now: Inputs): Input | null {
  if (!made) return null;
  for (const input of DERIVED_VIEWS[view].dependsOn) {
    const current = now[input];
    if (current !== undefined && made[input] !== current) return input;
  }
  return null;
}

export function isCurrent(view: DerivedView, made: Provenance | undefined, now: Inputs): boolean {
  return staleness(view, made, now) === null;
}

/** The mark on a stale result: what it was made with, and that it no longer describes the panel. */
export function staleMark(view: DerivedView, made: Provenance | undefined, now: Inputs): string | undefined {
  const why = staleness(view, made, now);
  if (!why || !made) return undefined;
  const changed = why === 'profile' ? 'the profile has changed since' : 'the intervention has changed since';
  const with_ = DERIVED_VIEWS[view].dependsOn.length > 1 ? `profile ${made.profileLabel} / intervention ${made.interventionLabel}` : `profile ${made.profileLabel}`;
  return `Made with ${with_}: out of date (${changed}).`;
}

/** "AurA 100%", "Damp 30% · 2 overridden", for the intervention half of a provenance. */
export function interventionLabel(i: { method: string; strength: number; overrides: readonly unknown[]; importedFrom?: string | undefined; combined?: string | undefined }): string {
  const name = METHOD_LABELS[i.method] ?? i.method;
  const extra = [i.overrides.length ? `${i.overrides.length} overridden` : '', i.importedFrom ? 'imported' : '', i.combined ?? ''].filter(Boolean);
  return [`${name} ${Math.round(i.strength * 100)}%`, ...extra].join(' · ');
}

/** The page's view of what is current: the experts' key and the intervention's revision. */
export function inputsOf(experts: { key?: string | undefined } | null | undefined, intervention: { revision?: number | undefined } | null | undefined): Inputs {
  return { profile: experts?.key, intervention: intervention?.revision };
}
