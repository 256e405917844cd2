import { exportFoldedOnnx } from '../aura/export/onnx-export';
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { readInterventionFile, validateAgainstModel, writeInterventionFile, effectiveGains } from '../aura/intervention-file';
import { LanguageModel } from '../engine/model';
import { UserError } from '../engine/errors';
import { num, parse, positional, requireStr, str } from './args';
import { exportHfFormat } from './export-hf';
import { makeOutput } from './output';

export async function exportCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { model: 'string', format: 'string', out: 'string', strength: 'string', checkpoint: 'string', dtype: 'string' });
  const file = positional(p, 0, 'FILE, an intervention file (usage: aura-lens export FILE --model MODEL_DIR --format json|safetensors|onnx|hf --out PATH)');
  const format = requireStr(p.flags, 'format');
  if (!['json', 'safetensors', 'onnx', 'hf'].includes(format)) throw new UserError(`--format: expected json, safetensors, onnx or hf, got "${format}"`);
  if (format !== 'hf' && (str(p.flags, 'checkpoint') !== undefined || str(p.flags, 'dtype') !== undefined)) throw new UserError('--checkpoint and --dtype go with --format hf');
  const out = requireStr(p.flags, 'out');
  const modelDir = requireStr(p.flags, 'model');
  const strength = num(p.flags, 'strength', { min: 0, max: 1 });
  const iv = await readInterventionFile(file);
  const model = await LanguageModel.open(modelDir, {});
  try {
    validateAgainstModel(iv, model.sites, model.fingerprint, file);
    if (format === 'hf') return await exportHfFormat(p.flags, iv, file, model, strength);
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
    makeOutput(!!p.flags.json).result({ out, format, bytes, ...extra }, `wrote ${out} (${format}, ${bytes} bytes)`);
  } finally {
    await model.dispose();
  }
}
