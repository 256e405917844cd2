import { exportFoldedOnnx } from '../aura/export/onnx-export';
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { readInterventionFile, validateAgainstModel, writeInterventionFile, effectiveGains } from '../aura/intervention-file';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { command, number, parseCommand, positionals, required, requiredOneOf } from './flag-schema';
import { makeOutput } from './output';

const FORMATS = ['json', 'safetensors', 'onnx'] as const;

const EXPORT = v.pipe(
  command({
    _: positionals(['FILE, an intervention file (usage: aura-lens export FILE --model MODEL_DIR --format json|safetensors|onnx --out PATH)']),
    format: requiredOneOf('format', FORMATS),
    out: required('out'),
    model: required('model'),
    strength: number('strength', { min: 0, max: 1 }),
  }),
  v.transform((o) => ({ file: o._[0]!, format: o.format, out: o.out, modelDir: o.model, strength: o.strength, json: o.json })),
);

export type ExportOptions = v.InferOutput<typeof EXPORT>;

/** Every flag of `export`, checked before the intervention or the model are read. */
export function exportOptions(argv: string[]): ExportOptions {
  return parseCommand('export', argv, EXPORT);
}

export async function exportCommand(argv: string[]): Promise<void> {
  const { file, format, out, modelDir, strength, json } = exportOptions(argv);
  const iv = await readInterventionFile(file);
  const model = await LanguageModel.open(modelDir, {});
  try {
    validateAgainstModel(iv, model.sites, model.fingerprint, file);
    let bytes: number;
    let extra: Record<string, unknown> = {};
    if (format === 'json') {
      bytes = await writeInterventionFile(out, strength === undefined ? iv : { ...iv, params: { ...iv.params, strength } });
    } else if (format === 'safetensors') {
      bytes = await writeGainsSafetensors(out, iv, strength);
    } else {
      const r = await exportFoldedOnnx(model, effectiveGains(iv, strength), out);
      bytes = r.bytes;
      extra = { foldedIntoWeights: r.intoWeights.length, constantNodes: r.asNodes.length };
    }
    makeOutput(json).result({ out, format, bytes, ...extra }, `wrote ${out} (${format}, ${bytes} bytes)`);
  } finally {
    await model.dispose();
  }
}
