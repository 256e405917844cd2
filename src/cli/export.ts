import { exportFoldedOnnx } from '../aura/export/onnx-export';
import { writeGainsSafetensors } from '../aura/gains-safetensors';
import { readInterventionFile, validateAgainstModel, writeInterventionFile, effectiveGains } from '../aura/intervention-file';
import { LanguageModel } from '../engine/model';
import { UserError } from '../engine/errors';
import { num, parse, positional, requireStr } from './args';
import { makeOutput } from './output';
import { guardOutputFile } from '../aura/output-guard';

export async function exportCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { model: 'string', format: 'string', out: 'string', strength: 'string' });
  const file = positional(p, 0, 'FILE, an intervention file (usage: aura-lens export FILE --model MODEL_DIR --format json|safetensors|onnx --out PATH)');
  const format = requireStr(p.flags, 'format');
  if (!['json', 'safetensors', 'onnx'].includes(format)) throw new UserError(`--format: expected json, safetensors or onnx, got "${format}"`);
  const out = requireStr(p.flags, 'out');
  const modelDir = requireStr(p.flags, 'model');
  guardOutputFile('--out', out, format === 'json' ? 'intervention' : format === 'safetensors' ? 'gains-safetensors' : 'onnx-export', {
    inputs: [{ path: file, what: 'the intervention file it reads' }],
    modelDirs: [modelDir],
  });
  const strength = num(p.flags, 'strength', { min: 0, max: 1 });
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
    makeOutput(!!p.flags.json).result({ out, format, bytes, ...extra }, `wrote ${out} (${format}, ${bytes} bytes)`);
  } finally {
    await model.dispose();
  }
}
