// The intervention as the files other tools load: the versioned JSON (full-strength gains, with the
// strength as a parameter) and per-module gain tensors for PyTorch. The folded ONNX model needs the
// model itself and is made in the model worker.
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { interventionFromFit, writeInterventionFile } from '../aura/intervention-file';
import { AuraUserError } from '../aura/errors';
import type { InterventionFile } from '../aura/intervention-file';
import type { InterventionState } from './intervention-state';
import type { ModelInfo, ProfileOutcome } from './model-host/api';

export type ExportFormat = 'json' | 'safetensors' | 'onnx';

export function currentInterventionFile(model: ModelInfo, state: InterventionState, profile: ProfileOutcome | undefined, pooling: 'max' | 'mean'): InterventionFile {
  const fit = state.result();
  if (!fit) throw new AuraUserError('there is no intervention yet: profile a concept or import an intervention first');
  return interventionFromFit(fit, {
    model: { name: model.name, fingerprint: model.fingerprint },
    pooling: profile?.pooling ?? pooling,
    data: { positives: profile?.positives ?? 0, negatives: profile?.negatives ?? 0, source: profile?.source ?? state.snapshot().importedFrom ?? 'unknown' },
    aurocs: new Map(state.aurocSites().map((s) => [s.siteId, s.auroc])),
  });
}

/** Writes the file atomically; returns its size in bytes. */
export function writeInterventionAs(format: Exclude<ExportFormat, 'onnx'>, file: InterventionFile, out: string): Promise<number> {
  return format === 'json' ? writeInterventionFile(out, file) : writeGainsSafetensors(out, file);
}
