// Site ids are Hugging Face module paths (`transformer.h.0.mlp.c_fc`), so users and PyTorch code
// recognise them (apple/ml-aura hooks modules by these names). The architecture decides the path.
import type { MlpRole } from './mlp-structure';

export type SiteKind = 'mlp.in' | 'mlp.gate' | 'mlp.up' | 'mlp.out' | 'custom';

interface Family {
  prefix: (layer: number) => string;
  names: Partial<Record<MlpRole, string>>;
}

const GPT2: Family = { prefix: (i) => `transformer.h.${i}.mlp.`, names: { in: 'c_fc', out: 'c_proj' } };
const NEOX: Family = { prefix: (i) => `gpt_neox.layers.${i}.mlp.`, names: { in: 'dense_h_to_4h', out: 'dense_4h_to_h' } };
const FALCON: Family = { prefix: (i) => `transformer.h.${i}.mlp.`, names: { in: 'dense_h_to_4h', out: 'dense_4h_to_h' } };
const GPTJ: Family = { prefix: (i) => `transformer.h.${i}.mlp.`, names: { in: 'fc_in', out: 'fc_out' } };
const OPT: Family = { prefix: (i) => `model.decoder.layers.${i}.`, names: { in: 'fc1', out: 'fc2' } };
const LLAMA: Family = {
  prefix: (i) => `model.layers.${i}.mlp.`,
  names: { gate: 'gate_proj', up: 'up_proj', gate_up: 'gate_up_proj', out: 'down_proj', in: 'up_proj' },
};

const FAMILIES: Record<string, Family> = {
  gpt2: GPT2,
  gpt_bigcode: GPT2,
  gpt_neox: NEOX,
  falcon: FALCON,
  gptj: GPTJ,
  opt: OPT,
  llama: LLAMA,
  mistral: LLAMA,
  qwen2: LLAMA,
  qwen3: LLAMA,
  gemma: LLAMA,
  gemma2: LLAMA,
  gemma3_text: LLAMA,
  phi3: LLAMA,
  phi: { prefix: (i) => `model.layers.${i}.mlp.`, names: { in: 'fc1', out: 'fc2' } },
  granite: LLAMA,
  olmo: LLAMA,
  smollm3: LLAMA,
};

export const KIND_OF_ROLE: Record<MlpRole, SiteKind> = {
  in: 'mlp.in',
  gate_up: 'mlp.in',
  gate: 'mlp.gate',
  up: 'mlp.up',
  out: 'mlp.out',
};

export function isKnownArchitecture(modelType: string): boolean {
  return modelType in FAMILIES;
}

/**
 * The module path for an MLP linear. Unknown architectures fall back to what the exporter left:
 * the weight's initializer name (`...mlp.c_fc.weight`) or the node's scope (`/a/h.3/mlp/c_fc/Gemm`),
 * and finally a generic `layers.N.mlp.<role>` that still says which layer and role it is.
 */
export function siteId(modelType: string | undefined, layer: number, role: MlpRole, hints: { weightName: string; nodeName: string }): string {
  const fam = modelType ? FAMILIES[modelType] : undefined;
  const name = fam?.names[role];
  if (fam && name) return fam.prefix(layer) + name;
  return fromWeightName(hints.weightName, layer) ?? fromScope(hints.nodeName, layer) ?? `layers.${layer}.mlp.${role}`;
}

function fromWeightName(w: string, layer: number): string | undefined {
  const m = /^(.*\.\d+\..*?)\.(?:weight|MatMul\.weight)(?:_Q\d|_quantized)?$/.exec(w);
  return m && m[1]!.includes(`.${layer}.`) ? m[1] : undefined;
}

function fromScope(nodeName: string, layer: number): string | undefined {
  const parts = nodeName.split('/').filter(Boolean);
  if (parts.length < 3) return undefined;
  const path = parts.slice(0, -1).join('.');
  return path.includes(`.${layer}.`) ? path : undefined;
}
