// The intervention as the files other tools load: the versioned JSON (full-strength gains, with the
// strength as a parameter), per-module gain tensors for PyTorch and a PEFT IA3 adapter for the model's
// Hugging Face checkpoint. The folded ONNX model needs the model itself and is made in the model worker.
import { exportHfCheckpoint } from '../aura/export/hf/index';
import { writeHfExtras } from '../aura/export/hf/model-card';
import { exportPeftIa3 } from '../aura/export/peft-ia3';
import { buildProvenance } from '../aura/export/provenance';
import type { SourceModel } from '../aura/export/peft-ia3';
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { interventionFromFit, writeInterventionFile } from '../aura/intervention-file';
import { AuraUserError } from '../aura/errors';
import { configFacts } from '../engine/arch';
import { resolveModelFolder } from '../engine/model-folder';
import type { InterventionFile } from '../aura/intervention-file';
import type { InterventionState } from './intervention-state';
import type { ModelInfo, ProfileOutcome, WorkProgress } from './model-host/api';

/** Formats written next to a Hugging Face checkpoint: a folder, made from the checkpoint the user picks. */
export type CheckpointFormat = 'hf' | 'peft-ia3';
export type ExportFormat = 'json' | 'safetensors' | 'onnx' | CheckpointFormat;

export function isCheckpointFormat(f: ExportFormat): f is CheckpointFormat {
  return f === 'hf' || f === 'peft-ia3';
}

export function currentInterventionFile(model: ModelInfo, state: InterventionState, profile: ProfileOutcome | undefined, pooling: 'max' | 'mean'): InterventionFile {
  const fit = state.result();
  if (!fit) throw new AuraUserError('there is no intervention yet: profile a concept or import an intervention first');
  const file = interventionFromFit(fit, {
    model: { name: model.name, fingerprint: model.fingerprint },
    pooling: profile?.pooling ?? pooling,
    data: { positives: profile?.positives ?? 0, negatives: profile?.negatives ?? 0, source: profile?.source ?? state.snapshot().importedFrom ?? 'unknown' },
    aurocs: new Map(state.aurocSites().map((s) => [s.siteId, s.auroc])),
  });
  // Two concepts combined in the panel: the file says by which rule, and from which profiles.
  const combined = state.combinedFrom();
  return combined ? { ...file, combined } : file;
}

/** Writes the file atomically, with its provenance record; returns its size in bytes. */
export function writeInterventionAs(format: 'json' | 'safetensors', file: InterventionFile, out: string, fingerprint?: string): Promise<number> {
  const provenance = buildProvenance(file, fingerprint === undefined ? {} : { fingerprint });
  return format === 'json' ? writeInterventionFile(out, { ...file, provenance }) : writeGainsSafetensors(out, file, undefined, provenance);
}

/**
 * The open model as the adapter exporter needs it: its sites and sizes from the model process, the
 * model_type and hidden size from the model folder's config.json (read here; no weights are loaded).
 */
export function sourceModelOf(model: ModelInfo): SourceModel {
  const files = resolveModelFolder(model.path);
  const facts = configFacts(files);
  return {
    facts: { layers: model.layers, vocabSize: model.vocabSize, ...(facts.modelType ? { modelType: facts.modelType } : {}), ...(facts.hidden ? { hidden: facts.hidden } : {}) },
    sites: model.sites,
    files: { dir: files.dir },
  };
}

export interface CheckpointExportTask {
  signal?: AbortSignal;
  report?(p: WorkProgress): void;
}

/**
 * Writes the intervention as a folder made against the user's Hugging Face checkpoint: the checkpoint
 * with the intervention folded in (`hf`), or a PEFT IA3 adapter for it. Returns the bytes written.
 */
export async function writeCheckpointExport(format: CheckpointFormat, model: ModelInfo, file: InterventionFile, checkpoint: string, out: string, task: CheckpointExportTask = {}): Promise<number> {
  task.report?.({ stage: 'Checking the checkpoint against the model', done: 0, total: 2 });
  const provenance = buildProvenance(file, { fingerprint: model.fingerprint });
  switch (format) {
    case 'hf': {
      // Streamed tensor by tensor from the checkpoint: the folder's size, never the checkpoint, in memory.
      const source = sourceModelOf(model);
      const r = await exportHfCheckpoint({
        intervention: file,
        model: {
          architecture: model.architecture,
          layers: model.layers,
          vocabSize: model.vocabSize,
          sites: model.sites.filter((s) => s.kind !== 'custom').map((s) => ({ id: s.id, neurons: s.neurons })),
          fingerprint: model.fingerprint,
          ...(source.facts.modelType ? { modelType: source.facts.modelType } : {}),
          ...(source.facts.hidden ? { hidden: source.facts.hidden } : {}),
        },
        modelDir: source.files.dir,
        checkpoint,
        out,
        extraFiles: async (dir) => writeHfExtras(dir, { provenance, checkpoint }),
        onProgress: (done, total) => task.report?.({ stage: 'Folding the checkpoint', done, total }),
        ...(task.signal ? { signal: task.signal } : {}),
      });
      return r.bytes;
    }
    case 'peft-ia3': {
      const r = await exportPeftIa3(sourceModelOf(model), file, { checkpoint, out, provenance, ...(task.signal ? { signal: task.signal } : {}) });
      task.report?.({ stage: 'Adapter written', done: 2, total: 2 });
      return r.bytes;
    }
  }
}
