import { exportFoldedOnnx } from '../aura/export/onnx-export';
import { exportPeftIa3 } from '../aura/export/peft-ia3';
import { provenanceOfFile, readEvaluation } from '../aura/export/provenance';
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { readInterventionFile, validateAgainstModel, writeInterventionFile, effectiveGains } from '../aura/intervention-file';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { command, number, parseCommand, positionals, required, requiredOneOf, rule, text } from './flag-schema';
import { makeOutput } from './output';
import { guardOutputFile } from '../aura/output-guard';

const FORMATS = ['json', 'safetensors', 'onnx', 'peft-ia3'] as const;
/** Flags only the exports that start from a base checkpoint read. */
const CHECKPOINT_FLAGS = ['checkpoint', 'evaluation', 'base-model'] as const;

const EXPORT = v.pipe(
  command({
    _: positionals(['FILE, an intervention file (usage: aura-lens export FILE --model MODEL_DIR --format json|safetensors|onnx|peft-ia3 --out PATH)']),
    format: requiredOneOf('format', FORMATS),
    out: required('out'),
    model: required('model'),
    strength: number('strength', { min: 0, max: 1 }),
    checkpoint: text('checkpoint'),
    evaluation: text('evaluation'),
    'base-model': text('base-model'),
  }),
  rule((o) => o.format !== 'peft-ia3' || !!o.checkpoint, '--checkpoint is required by --format peft-ia3 (the Hugging Face checkpoint folder the adapter applies to)'),
  rule(
    (o) => o.format === 'peft-ia3' || CHECKPOINT_FLAGS.every((f) => o[f] === undefined),
    (o) => `--${CHECKPOINT_FLAGS.find((f) => o[f] !== undefined)}: only --format peft-ia3 uses it (the ${o.format} export has no base checkpoint or model card)`,
  ),
  v.transform((o) => ({ file: o._[0]!, format: o.format, out: o.out, modelDir: o.model, strength: o.strength, checkpoint: o.checkpoint, evaluation: o.evaluation, baseModel: o['base-model'], json: o.json })),
);

export type ExportOptions = v.InferOutput<typeof EXPORT>;

/** Every flag of `export`, checked before the intervention or the model are read. */
export function exportOptions(argv: string[]): ExportOptions {
  return parseCommand('export', argv, EXPORT);
}

export async function exportCommand(argv: string[]): Promise<void> {
  const { file, format, out, modelDir, strength, checkpoint, baseModel, json, ...o } = exportOptions(argv);
  const evaluation = o.evaluation === undefined ? undefined : readEvaluation(o.evaluation);
  // A file export never replaces the intervention it reads, a file of the model folder or another kind of file;
  // the adapter folder (peft-ia3) is checked by its writer.
  if (format !== 'peft-ia3') {
    guardOutputFile('--out', out, format === 'json' ? 'intervention' : format === 'safetensors' ? 'gains-safetensors' : 'onnx-export', {
      inputs: [{ path: file, what: 'the intervention file it reads' }, ...(checkpoint ? [{ path: checkpoint, what: 'the checkpoint it reads' }] : [])],
      modelDirs: [modelDir],
    });
  }
  const iv = await readInterventionFile(file);
  const model = await LanguageModel.open(modelDir, {});
  try {
    validateAgainstModel(iv, model.sites, model.fingerprint, file);
    // Every format: factors the model's site types cannot hold (1e6 in float16) are refused before writing.
    model.checkIntervention(effectiveGains(iv, strength), file);
    const provenance = provenanceOfFile(file, iv, { ...(strength === undefined ? {} : { strength }), fingerprint: model.fingerprint });
    let bytes: number;
    let extra: Record<string, unknown> = {};
    if (format === 'json') {
      bytes = await writeInterventionFile(out, { ...(strength === undefined ? iv : { ...iv, params: { ...iv.params, strength } }), provenance });
    } else if (format === 'safetensors') {
      bytes = await writeGainsSafetensors(out, iv, strength, provenance);
    } else if (format === 'onnx') {
      const r = await exportFoldedOnnx(model, effectiveGains(iv, strength), out, provenance);
      bytes = r.bytes;
      extra = { foldedIntoWeights: r.intoWeights.length, constantNodes: r.asNodes.length };
    } else {
      const r = await exportPeftIa3(model, iv, { checkpoint: checkpoint!, out, ...(strength === undefined ? {} : { strength }), provenance, ...(baseModel ? { baseModel } : {}), ...(evaluation ? { evaluation } : {}) });
      bytes = r.bytes;
      extra = { targetModules: r.targetModules.length, fanInFanOut: r.fanInFanOut };
    }
    makeOutput(json).result({ out, format, bytes, ...extra }, `wrote ${out} (${format}, ${bytes} bytes)`);
  } finally {
    await model.dispose();
  }
}
