// Reads an intervention file for a model: read before the model opens (a bad file costs no load),
// validated against its sites and fingerprint once it has, scaled to a strength (default: the file's).
import { effectiveGains, readInterventionFile, validateAgainstModel } from '../aura/intervention-file';
import type { InterventionFile } from '../aura/intervention-file';
import type { Intervention, LanguageModel } from '../engine/model';

export async function readInterventionArg(file: string | undefined): Promise<{ file: string; iv: InterventionFile } | undefined> {
  return file === undefined ? undefined : { file, iv: await readInterventionFile(file) };
}

export function interventionFor(model: LanguageModel, read: { file: string; iv: InterventionFile }, strength?: number): Intervention {
  validateAgainstModel(read.iv, model.sites, model.fingerprint, read.file);
  const factors = effectiveGains(read.iv, strength);
  // Factors the model's site types cannot hold (1e6 in float16) are refused before any work.
  model.checkIntervention(factors, read.file);
  return factors;
}

/** Both steps at once, for callers that have the model open already. */
export async function loadInterventionFor(model: LanguageModel, file: string, strength?: number): Promise<Intervention> {
  return interventionFor(model, { file, iv: await readInterventionFile(file) }, strength);
}
