// Reads an intervention file for a model: validated against its sites, scaled to a strength.
import { UserError } from '../engine/errors';
import type { Intervention, LanguageModel } from '../engine/model';

export function loadInterventionFor(model: LanguageModel, file: string, strength?: number): Intervention {
  void model;
  void strength;
  throw new UserError(`${file}: intervention files are not supported yet`);
}
