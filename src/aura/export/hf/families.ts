/**
 * Where each site lives in a Hugging Face checkpoint. Site ids are module paths, so a site's weight is
 * `<id>.weight` (the hub's GPT-2 and OPT files drop the leading `transformer.` / `model.`); the
 * orientation depends on the module: GPT-2's Conv1D stores [in, out], nn.Linear stores [out, in]. A
 * site's output neurons are therefore the weight's columns (Conv1D) or rows (Linear), and the bias's
 * entries either way. Phi-3 fuses gate and up into one `gate_up_proj` whose first half of rows is the
 * gate: an ONNX model that exports them apart names `gate_proj` / `up_proj` sites, which map to a half.
 */
import { AuraUserError } from '../../errors';
import type { Checkpoint, TensorEntry } from './checkpoint';

/** Model types whose MLP modules are GPT-2's Conv1D ([in, out]); every other family uses nn.Linear. */
const CONV1D = new Set(['gpt2']);

/**
 * Families whose MLP can be given biases by a config switch (transformers' LlamaMLP: `mlp_bias`),
 * which then adds them to every gate/up/down projection of every layer.
 */
const BIAS_SWITCH: Record<string, { key: string; modules: (layer: number) => string[] }> = {
  llama: { key: 'mlp_bias', modules: (i) => ['gate_proj', 'up_proj', 'down_proj'].map((m) => `model.layers.${i}.mlp.${m}`) },
};

export interface SiteTensors {
  site: string;
  neurons: number;
  weight: TensorEntry;
  bias?: TensorEntry;
  /** The module path a bias would be created at when the checkpoint has none. */
  biasName: string;
  /** Weight axis that holds the site's neurons: 0 for nn.Linear [out, in], 1 for Conv1D [in, out]. */
  outAxis: 0 | 1;
  /** First output neuron of the site within the weight (a half of a fused gate_up_proj). */
  offset: number;
}

export function isConv1dFamily(modelType: string): boolean {
  return CONV1D.has(modelType);
}

export function biasSwitch(modelType: string): (typeof BIAS_SWITCH)[string] | undefined {
  return BIAS_SWITCH[modelType];
}

/** The checkpoint's name for a module path, trying the path as is and without its top-level prefix. */
export function resolveModule(ckpt: Checkpoint, module: string): string | undefined {
  const candidates = [module, module.replace(/^(transformer|model|gpt_neox)\./, '')];
  return candidates.find((c) => ckpt.tensors.has(`${c}.weight`));
}

export function siteTensors(ckpt: Checkpoint, modelType: string, site: string, neurons: number): SiteTensors {
  const outAxis: 0 | 1 = isConv1dFamily(modelType) ? 1 : 0;
  let module = resolveModule(ckpt, site);
  let offset = 0;
  let width = neurons;
  if (!module) {
    // gate_proj / up_proj sites of a checkpoint that stores them fused (Phi-3).
    const m = /^(.*\.mlp)\.(gate_proj|up_proj)$/.exec(site);
    const fused = m ? resolveModule(ckpt, `${m[1]}.gate_up_proj`) : undefined;
    if (!fused || !m) {
      throw new AuraUserError(`--checkpoint ${ckpt.dir}: no tensor ${site}.weight for site ${site} (nor without its top-level prefix); is this the checkpoint of the same ${modelType} model?`);
    }
    module = fused;
    width = 2 * neurons;
    offset = m[2] === 'gate_proj' ? 0 : neurons;
  }
  const weight = ckpt.tensors.get(`${module}.weight`)!;
  if (weight.shape.length !== 2 || weight.shape[outAxis] !== width) {
    const layout = outAxis === 0 ? '[out, in] (nn.Linear)' : '[in, out] (Conv1D)';
    throw new AuraUserError(`--checkpoint: ${weight.name} has shape [${weight.shape}], expected ${width} outputs on the ${outAxis === 0 ? 'first' : 'second'} axis of ${layout} for site ${site} (${neurons} neurons)`);
  }
  const bias = ckpt.tensors.get(`${module}.bias`);
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== width)) throw new AuraUserError(`--checkpoint: ${bias.name} has shape [${bias.shape}], expected [${width}]`);
  return { site, neurons, weight, ...(bias ? { bias } : {}), biasName: `${module}.bias`, outAxis, offset };
}
