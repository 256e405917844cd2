// `export --format hf`: the CLI side of exportHfCheckpoint (options in, one result line out). The folder
// gets a model card (README.md) and the export's provenance (aura-lens-export.json) beside the weights.
import { exportHfCheckpoint } from '../aura/export/hf/index';
import { onnxModelFacts } from '../aura/export/hf/onnx-facts';
import { writeHfExtras } from '../aura/export/hf/model-card';
import { makeOutput } from './output';
import type { HfDtype } from '../aura/export/hf/index';
import type { Evaluation, Provenance } from '../aura/export/provenance';
import type { InterventionFile } from '../aura/intervention-file';
import type { LanguageModel } from '../engine/model';

export interface HfFormatOptions {
  checkpoint: string;
  out: string;
  dtype: HfDtype;
  json: boolean;
  provenance: Provenance;
  /** What the model card calls the base model (a hub id); default: the checkpoint folder. */
  baseModel?: string;
  evaluation?: Evaluation;
}

export async function exportHfFormat(o: HfFormatOptions, iv: InterventionFile, file: string, model: LanguageModel, strength: number | undefined): Promise<void> {
  const r = await exportHfCheckpoint({
    intervention: iv,
    interventionPath: file,
    ...(strength === undefined ? {} : { strength }),
    model: onnxModelFacts(model),
    modelDir: model.files.dir,
    checkpoint: o.checkpoint,
    out: o.out,
    dtype: o.dtype,
    extraFiles: async (dir) => writeHfExtras(dir, o),
  });
  makeOutput(o.json).result(
    { out: o.out, format: 'hf', bytes: r.bytes, files: r.files, folded: r.folded.length, createdBiases: r.created.length, dtype: r.dtype, configChanges: r.configChanges },
    `wrote ${o.out} (hf checkpoint, ${r.bytes} bytes of tensors, ${r.folded.length} tensors folded${r.created.length ? `, ${r.created.length} zero biases added` : ''})`,
  );
}

