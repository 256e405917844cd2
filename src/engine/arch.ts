// Architecture facts from config.json or genai_config.json when present, else from the graph.
import type { ModelFiles } from './model-folder';
import type { IoSpec } from './io-spec';
import type { ModelProto } from './onnx/proto';
import type { Site } from './sites/catalogue';
import { GraphIndex } from './onnx/graph-index';
import { UserError } from './errors';

export interface ArchFacts {
  modelType?: string;
  architecture: string;
  layers: number;
  hidden?: number;
  vocabSize: number;
  kvHeads?: number;
  headDim?: number;
  eosTokenIds: number[];
  bosTokenId?: number;
  padTokenId?: number;
  maxPositions?: number;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function configFacts(files: ModelFiles): Partial<ArchFacts> {
  const c = files.config ?? {};
  const gm = files.genaiConfig?.model;
  const d = gm?.decoder;
  const gen = files.generationConfig ?? {};
  const modelType = (typeof c.model_type === 'string' ? c.model_type : undefined) ?? gm?.type;
  const heads = num(c.num_attention_heads) ?? num(c.n_head) ?? d?.num_attention_heads;
  const hidden = num(c.hidden_size) ?? num(c.n_embd) ?? num(c.d_model) ?? d?.hidden_size;
  const kvHeads = num(c.num_key_value_heads) ?? d?.num_key_value_heads ?? heads;
  const headDim = num(c.head_dim) ?? d?.head_size ?? (hidden && heads ? hidden / heads : undefined);
  const eos = gen.eos_token_id ?? c.eos_token_id ?? gm?.eos_token_id;
  const arch = Array.isArray(c.architectures) && typeof c.architectures[0] === 'string' ? c.architectures[0] : undefined;
  const facts: Partial<ArchFacts> = {
    eosTokenIds: (Array.isArray(eos) ? eos : [eos]).filter((x): x is number => typeof x === 'number'),
  };
  const set = <K extends keyof ArchFacts>(k: K, v: ArchFacts[K] | undefined) => {
    if (v !== undefined) facts[k] = v;
  };
  set('modelType', modelType);
  set('architecture', arch ?? modelType);
  set('layers', num(c.num_hidden_layers) ?? num(c.n_layer) ?? d?.num_hidden_layers);
  set('hidden', hidden);
  set('vocabSize', num(c.vocab_size) ?? gm?.vocab_size);
  set('kvHeads', kvHeads);
  set('headDim', headDim);
  set('bosTokenId', num(gen.bos_token_id) ?? num(c.bos_token_id) ?? gm?.bos_token_id);
  set('padTokenId', num(gen.pad_token_id) ?? num(c.pad_token_id) ?? gm?.pad_token_id);
  set('maxPositions', num(c.n_positions) ?? num(c.max_position_embeddings) ?? gm?.context_length);
  return facts;
}

/** Fills what the configs did not say from the graph: vocabulary from the logits, layers from the past. */
export function completeFacts(partial: Partial<ArchFacts>, model: ModelProto, io: IoSpec, sites: Site[]): ArchFacts {
  const layersFromPast = io.past.length ? Math.max(...io.past.map((p) => p.layer)) + 1 : undefined;
  const layersFromSites = sites.length ? Math.max(...sites.map((s) => s.layer)) + 1 : 0;
  return {
    ...partial,
    architecture: partial.architecture ?? (sites.some((s) => s.kind === 'mlp.gate') ? 'gated-mlp decoder' : 'decoder'),
    layers: partial.layers ?? layersFromPast ?? layersFromSites,
    // The graph's vocabulary first (config-graph.ts refuses a config that contradicts it).
    vocabSize: vocabFromGraph(model, io) ?? partial.vocabSize ?? 0,
    eosTokenIds: partial.eosTokenIds ?? [],
    ...(partial.maxPositions === undefined ? positionsFromGraph(model, io) : {}),
  };
}

/**
 * Without a config, the context length is the number of rows of the table that position ids index
 * (GPT-2's wpe, a rotary cos/sin cache): past it the Gather reads out of bounds.
 */
function positionsFromGraph(model: ModelProto, io: IoSpec): { maxPositions?: number } {
  if (!io.positionIds) return {};
  const g = new GraphIndex(model.graph!);
  const seen = new Set<string>();
  let frontier = [io.positionIds];
  // Position ids may pass through a Cast, Reshape or Unsqueeze before the lookup.
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const t of frontier) {
      for (const n of g.consumersOf(t)) {
        if (n.opType === 'Gather' && n.input[1] === t) {
          const table = g.constantDims(n.input[0] ?? '');
          if (table?.dims[0]) return { maxPositions: table.dims[0] };
        }
        if (['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten'].includes(n.opType) && n.output[0] && !seen.has(n.output[0])) {
          seen.add(n.output[0]);
          next.push(n.output[0]);
        }
      }
    }
    frontier = next;
  }
  return {};
}

export function vocabFromGraph(model: ModelProto, io: IoSpec): number | undefined {
  const out = model.graph!.output.find((o) => o.name === io.logits);
  const t = out?.type?.value;
  const dims = t?.case === 'tensorType' ? t.value.shape?.dim : undefined;
  const last = dims?.[dims.length - 1]?.value;
  if (last?.case === 'dimValue') return Number(last.value);
  // Else the embedding table feeding the first Gather on input_ids.
  const g = new GraphIndex(model.graph!);
  const gather = g.consumersOf(io.inputIds).find((n) => n.opType === 'Gather');
  const table = gather ? g.constantDims(gather.input[0] ?? '') : undefined;
  return table?.dims[0];
}

/** Mixture-of-experts MLPs (several expert MLPs per layer) have no single module per layer to name. */
const MIXTURE_OF_EXPERTS = new Set(['mixtral', 'qwen2_moe', 'qwen3_moe', 'phimoe', 'dbrx', 'deepseek_v2', 'deepseek_v3', 'olmoe', 'granitemoe', 'jamba']);

/**
 * Site ids are MLP positions counted in the graph; a missed or extra MLP would shift every later id
 * and send exported gains to the wrong PyTorch module. So the MLP layers found must be the config's
 * layer count wherever the config gives one.
 */
export function checkLayerCount(files: ModelFiles, partial: Partial<ArchFacts>, sites: Site[]): void {
  const source = files.config ? `${files.dir}/config.json` : `${files.dir}/genai_config.json`;
  if (partial.modelType && MIXTURE_OF_EXPERTS.has(partial.modelType)) {
    throw new UserError(`${source}: model_type "${partial.modelType}" is a mixture-of-experts model; its expert MLPs (e.g. block_sparse_moe.experts.N.w1) are not supported as sites`);
  }
  const expected = partial.layers;
  const layers = new Set(sites.filter((s) => s.kind !== 'custom').map((s) => s.layer));
  if (expected === undefined || layers.size === 0) return;
  if (layers.size !== expected) {
    throw new UserError(`${files.main}: found MLP blocks in ${layers.size} layers but ${source} says the model has ${expected} layers; site ids would not match the model's modules`);
  }
}
