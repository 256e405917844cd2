/**
 * The checkpoint must be the ONNX model's own: otherwise the gains, fitted to the ONNX model's neurons,
 * would land on another model's. Its config is compared field by field with what the ONNX model says
 * about itself, and one projection's weights with the ONNX initializer when the caller can read it.
 */
import { AuraUserError } from '../../errors';
import { decodeFloats, isFloatDtype } from './dtype';
import { readTensorBytes } from './checkpoint';
import type { Checkpoint } from './checkpoint';
import type { SiteTensors } from './families';

export interface OnnxModelFacts {
  /** config.json's model_type of the ONNX model's folder (the family decides the tensor names). */
  modelType?: string;
  architecture?: string;
  layers: number;
  hidden?: number;
  /** MLP width; taken from the sites when not given. */
  intermediate?: number;
  vocabSize: number;
  sites: readonly { id: string; neurons: number }[];
  fingerprint?: string;
  /** One site's weight as the ONNX model holds it, [out, in] row-major, to compare with the checkpoint's. */
  referenceWeight?: () => Promise<{ site: string; values: Float32Array; dtype: 'F32' | 'F16' } | undefined>;
  /** The first site computed by a quantized linear (integer weights read through scales), if any. */
  quantized?: { site: string; node: string; opType: string };
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export interface CheckpointFacts {
  modelType?: string;
  layers?: number;
  hidden?: number;
  intermediate?: number;
  vocabSize?: number;
}

export function checkpointFacts(config: Record<string, unknown>): CheckpointFacts {
  const hidden = num(config.hidden_size) ?? num(config.n_embd) ?? num(config.d_model);
  // GPT-2 writes n_inner: null for the default 4 * n_embd.
  const inner = num(config.intermediate_size) ?? num(config.n_inner) ?? num(config.ffn_dim) ?? (config.model_type === 'gpt2' && hidden ? 4 * hidden : undefined);
  const out: CheckpointFacts = {};
  if (typeof config.model_type === 'string') out.modelType = config.model_type;
  const layers = num(config.num_hidden_layers) ?? num(config.n_layer);
  if (layers !== undefined) out.layers = layers;
  if (hidden !== undefined) out.hidden = hidden;
  if (inner !== undefined) out.intermediate = inner;
  const vocab = num(config.vocab_size);
  if (vocab !== undefined) out.vocabSize = vocab;
  return out;
}

/** MLP width seen from the sites: an up/in projection's neurons (half of a fused gate_up's). */
export function intermediateOf(sites: readonly { id: string; neurons: number }[]): number | undefined {
  const s = sites.find((x) => /\.(c_fc|dense_h_to_4h|fc1|fc_in|up_proj|gate_proj|gate_up_proj)$/.test(x.id));
  if (!s) return undefined;
  return s.id.endsWith('gate_up_proj') ? s.neurons / 2 : s.neurons;
}

export function checkSameModel(ckpt: Checkpoint, onnx: OnnxModelFacts): void {
  const c = checkpointFacts(ckpt.config);
  const where = `${ckpt.dir}/config.json`;
  if (!c.modelType) throw new AuraUserError(`${where}: model_type is missing; expected the Hugging Face config of the model`);
  const fields: [string, unknown, unknown][] = [
    ['model_type', c.modelType, onnx.modelType],
    ['layers (num_hidden_layers / n_layer)', c.layers, onnx.layers],
    ['hidden size (hidden_size / n_embd)', c.hidden, onnx.hidden],
    ['MLP size (intermediate_size / n_inner / ffn_dim)', c.intermediate, onnx.intermediate ?? intermediateOf(onnx.sites)],
    ['vocabulary (vocab_size)', c.vocabSize, onnx.vocabSize],
  ];
  for (const [field, mine, theirs] of fields) {
    if (mine === undefined || theirs === undefined) continue;
    if (mine !== theirs) throw new AuraUserError(`${where}: ${field} is ${JSON.stringify(mine)} but the ONNX model's is ${JSON.stringify(theirs)}; the checkpoint is not the ONNX model's`);
  }
}

/** Tolerance of a stored weight against the float32 ONNX one: the dtype's rounding, relative. */
const REL_TOL: Record<string, number> = { F32: 1e-6, F16: 2 ** -10, BF16: 2 ** -7 };

/** `referenceDtype`: how the ONNX model stores it (an fp16 export of an fp32 checkpoint is the same model). */
export async function checkSameWeights(st: SiteTensors, reference: Float32Array, referenceDtype: 'F32' | 'F16' = 'F32'): Promise<void> {
  if (!isFloatDtype(st.weight.dtype)) return;
  const v = decodeFloats(await readTensorBytes(st.weight), st.weight.dtype);
  const cdim = st.weight.shape[1]!;
  const ins = st.weight.shape[1 - st.outAxis]!;
  const rows = reference.length / ins;
  if (!Number.isInteger(rows) || rows !== st.neurons) return;
  const tol = Math.max(REL_TOL[st.weight.dtype]!, REL_TOL[referenceDtype]!);
  let scale = 0;
  for (const x of reference) scale = Math.max(scale, Math.abs(x));
  let worst = 0;
  for (let o = 0; o < st.neurons; o++) {
    for (let i = 0; i < ins; i++) {
      const at = st.outAxis === 0 ? (st.offset + o) * cdim + i : i * cdim + st.offset + o;
      worst = Math.max(worst, Math.abs(v[at]! - reference[o * ins + i]!));
    }
  }
  if (worst > tol * scale + 1e-30) {
    throw new AuraUserError(`--checkpoint: ${st.weight.name} differs from the ONNX model's weight for site ${st.site} (max |difference| ${worst.toExponential(2)}); the checkpoint is not the ONNX model's`);
  }
}
