import { exportFoldedOnnx } from '../aura/export/onnx-export';
import { exportPeftIa3 } from '../aura/export/peft-ia3';
import { provenanceOfFile, readEvaluation } from '../aura/export/provenance';
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { readInterventionFile, validateAgainstModel, writeInterventionFile, effectiveGains } from '../aura/intervention-file';
import { LanguageModel } from '../engine/model';
import { UserError } from '../engine/errors';
import { num, parse, positional, requireStr, str } from './args';
import { makeOutput } from './output';

const FORMATS = ['json', 'safetensors', 'onnx', 'peft-ia3'];

export async function exportCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { model: 'string', format: 'string', out: 'string', strength: 'string', checkpoint: 'string', evaluation: 'string', 'base-model': 'string' });
  const file = positional(p, 0, 'FILE, an intervention file (usage: aura-lens export FILE --model MODEL_DIR --format json|safetensors|onnx|peft-ia3 --out PATH)');
  const format = requireStr(p.flags, 'format');
  if (!FORMATS.includes(format)) throw new UserError(`--format: expected json, safetensors, onnx or peft-ia3, got "${format}"`);
  const out = requireStr(p.flags, 'out');
  const modelDir = requireStr(p.flags, 'model');
  const strength = num(p.flags, 'strength', { min: 0, max: 1 });
  const checkpoint = format === 'peft-ia3' ? requireStr(p.flags, 'checkpoint') : undefined;
  for (const flag of ['checkpoint', 'evaluation', 'base-model']) {
    if (format !== 'peft-ia3' && str(p.flags, flag) !== undefined) throw new UserError(`--${flag}: only --format peft-ia3 uses it (the ${format} export has no base checkpoint or model card)`);
  }
  const evaluationPath = str(p.flags, 'evaluation');
  const evaluation = evaluationPath === undefined ? undefined : readEvaluation(evaluationPath);
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
      const baseModel = str(p.flags, 'base-model');
      const r = await exportPeftIa3(model, iv, { checkpoint: checkpoint!, out, ...(strength === undefined ? {} : { strength }), provenance, ...(baseModel ? { baseModel } : {}), ...(evaluation ? { evaluation } : {}) });
      bytes = r.bytes;
      extra = { targetModules: r.targetModules.length, fanInFanOut: r.fanInFanOut };
    }
    makeOutput(!!p.flags.json).result({ out, format, bytes, ...extra }, `wrote ${out} (${format}, ${bytes} bytes)`);
  } finally {
    await model.dispose();
  }
}
