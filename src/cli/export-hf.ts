// `export --format hf`: the CLI side of exportHfCheckpoint (flags in, one result line out).
import { HF_DTYPES, exportHfCheckpoint } from '../aura/export/hf/index';
import { onnxModelFacts } from '../aura/export/hf/onnx-facts';
import { UserError } from '../engine/errors';
import { requireStr, str } from './args';
import { makeOutput } from './output';
import type { Flags } from './args';
import type { HfDtype } from '../aura/export/hf/index';
import type { InterventionFile } from '../aura/intervention-file';
import type { LanguageModel } from '../engine/model';

export async function exportHfFormat(flags: Flags, iv: InterventionFile, file: string, model: LanguageModel, strength: number | undefined): Promise<void> {
  const checkpoint = requireStr(flags, 'checkpoint');
  const out = requireStr(flags, 'out');
  const dtype = str(flags, 'dtype') ?? 'keep';
  if (!HF_DTYPES.includes(dtype as HfDtype)) throw new UserError(`--dtype: expected keep, float32, float16 or bfloat16, got "${dtype}"`);
  const r = await exportHfCheckpoint({
    intervention: iv,
    interventionPath: file,
    ...(strength === undefined ? {} : { strength }),
    model: onnxModelFacts(model),
    modelDir: model.files.dir,
    checkpoint,
    out,
    dtype: dtype as HfDtype,
  });
  makeOutput(!!flags.json).result(
    { out, format: 'hf', bytes: r.bytes, files: r.files, folded: r.folded.length, createdBiases: r.created.length, dtype: r.dtype, configChanges: r.configChanges },
    `wrote ${out} (hf checkpoint, ${r.bytes} bytes of tensors, ${r.folded.length} tensors folded${r.created.length ? `, ${r.created.length} zero biases added` : ''})`,
  );
}
