// Reads an intervention file for a model: validated against its sites and fingerprint, scaled to a
// strength (default: the strength saved in the file).
import { effectiveGains, readInterventionFile, validateAgainstModel } from '../aura/intervention-file';
import type { Intervention, LanguageModel } from '../engine/model';

export async function loadInterventionFor(model: LanguageModel, file: string, strength?: number): Promise<Intervention> {
  const iv = await readInterventionFile(file);
  validateAgainstModel(iv, model.sites, model.fingerprint, file);
  const factors = effectiveGains(iv, strength);
  model.checkIntervention(factors, file);
  return factors;
}
