import { exportFoldedOnnx } from '../aura/export/onnx-export';
import { exportPeftIa3 } from '../aura/export/peft-ia3';
import { provenanceOfFile, readEvaluation } from '../aura/export/provenance';
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { readInterventionFile, validateAgainstModel, writeInterventionFile, effectiveGains } from '../aura/intervention-file';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { command, number, oneOf, parseCommand, positionals, required, requiredOneOf, rule, text } from './flag-schema';
import { exportHfFormat } from './export-hf';
import { HF_DTYPES } from '../aura/export/hf/index';
import { makeOutput } from './output';
import { guardOutputFile } from '../aura/output-guard';

const FORMATS = ['json', 'safetensors', 'onnx', 'hf', 'peft-ia3'] as const;
/** Flags only the exports that start from a base checkpoint (hf, peft-ia3) read. */
const CHECKPOINT_FLAGS = ['checkpoint', 'evaluation', 'base-model', 'dtype'] as const;
const fromCheckpoint = (format: string) => format === 'hf' || format === 'peft-ia3';

const EXPORT = v.pipe(
  command({
    _: positionals(['FILE, an intervention file (usage: aura-lens export FILE --model MODEL_DIR --format json|safetensors|onnx|hf|peft-ia3 --out PATH)']),
    format: requiredOneOf('format', FORMATS),
    out: required('out'),
    model: required('model'),
    strength: number('strength', { min: 0, max: 1 }),
    checkpoint: text('checkpoint'),
    evaluation: text('evaluation'),
    'base-model': text('base-model'),
    dtype: oneOf('dtype', HF_DTYPES),
  }),
  rule((o) => !fromCheckpoint(o.format) || !!o.checkpoint, (o) => `--checkpoint is required by --format ${o.format} (the Hugging Face checkpoint folder ${o.format === 'hf' ? 'to fold the intervention into' : 'the adapter applies to'})`),
  rule(
    (o) => fromCheckpoint(o.format) || CHECKPOINT_FLAGS.every((f) => o[f] === undefined),
    (o) => `--${CHECKPOINT_FLAGS.find((f) => o[f] !== undefined)}: only --format hf and peft-ia3 use it (the ${o.format} export has no base checkpoint or model card)`,
  ),
  rule((o) => o.dtype === undefined || o.format === 'hf', '--dtype: only --format hf converts the checkpoint\'s dtype'),
  v.transform((o) => ({ file: o._[0]!, format: o.format, out: o.out, modelDir: o.model, strength: o.strength, checkpoint: o.checkpoint, evaluation: o.evaluation, baseModel: o['base-model'], dtype: o.dtype, json: o.json })),
);

export type ExportOptions = v.InferOutput<typeof EXPORT>;

/** Every flag of `export`, checked before the intervention or the model are read. */
export function exportOptions(argv: string[]): ExportOptions {
  return parseCommand('export', argv, EXPORT);
}

export async function exportCommand(argv: string[]): Promise<void> {
  const { file, format, out, modelDir, strength, checkpoint, baseModel, dtype, json, ...o } = exportOptions(argv);
  const evaluation = o.evaluation === undefined ? undefined : readEvaluation(o.evaluation);
  // A file export never replaces the intervention it reads, a file of the model folder or another kind of file;
  // the folders (hf, peft-ia3) are checked by their writers.
  if (format !== 'peft-ia3' && format !== 'hf') {
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
    if (format === 'hf') return await exportHfFormat({ checkpoint: checkpoint!, out, dtype: dtype ?? 'keep', json, provenance, ...(baseModel ? { baseModel } : {}), ...(evaluation ? { evaluation } : {}) }, iv, file, model, strength);
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
