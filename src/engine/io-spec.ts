// The input/output contract of a causal-LM graph: which inputs carry ids, mask, positions and the
// KV cache, and how each `present` output feeds the next step's `past` input (transformers.js maps
// them the same way in one function, getPastKeyValues).
import { UserError } from './errors';
import { valueInfoDims, valueInfoElemType } from './onnx/proto';
import type { GenaiConfig } from './model-folder';
import type { GraphProto } from './onnx/proto';

export interface PastSlot {
  input: string;
  output: string;
  layer: number;
  /** Declared dims: numbers fixed, strings symbolic. */
  dims: (number | string)[];
  elemType: number;
  /**
   * kv: an attention cache that grows along its sequence axis (the first step feeds it empty).
   * state: a fixed-size carried state (a hybrid model's conv or recurrent cache), zeros at the first step.
   */
  kind?: 'kv' | 'state';
}

export interface IoSpec {
  inputIds: string;
  attentionMask?: string;
  positionIds?: string;
  useCacheBranch?: string;
  logits: string;
  past: PastSlot[];
  pastLayout: 'per-layer' | 'stacked' | 'none';
  /** Element type per graph input (7 = int64, 6 = int32, 1 = float, 10 = float16, 9 = bool). */
  inputTypes: Map<string, number>;
}

export function readIoSpec(graph: GraphProto, file: string, genai?: GenaiConfig): IoSpec {
  const initNames = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((i) => !initNames.has(i.name));
  const names = new Set(inputs.map((i) => i.name));
  const outNames = graph.output.map((o) => o.name);
  const gi = genai?.model?.decoder?.inputs ?? {};
  const go = genai?.model?.decoder?.outputs ?? {};
  const inputIds = gi.input_ids ?? 'input_ids';
  const logits = go.logits ?? 'logits';
  if (!names.has(inputIds) || !outNames.includes(logits)) {
    throw new UserError(
      `${file}: not a causal language model graph (expected an "${inputIds}" input and a "${logits}" output; found inputs ${[...names].slice(0, 6).join(', ')} and outputs ${outNames.slice(0, 4).join(', ')})`,
    );
  }
  const pick = (n: string | undefined) => (n && names.has(n) ? n : undefined);
  const past = pastSlots(inputs, outNames, gi, go, file);
  const spec: IoSpec = {
    inputIds,
    logits,
    past,
    pastLayout: kvLayout(past),
    inputTypes: new Map(inputs.map((i) => [i.name, valueInfoElemType(i) ?? 1])),
  };
  const mask = pick(gi.attention_mask ?? 'attention_mask');
  const pos = pick(gi.position_ids ?? 'position_ids');
  const branch = pick('use_cache_branch');
  if (mask) spec.attentionMask = mask;
  if (pos) spec.positionIds = pos;
  if (branch) spec.useCacheBranch = branch;
  // An input nothing here feeds (a static cache's write_indices, recurrent state) would fail every run
  // with onnxruntime's "missing in feeds"; name them all at once, up front.
  const fed = new Set([inputIds, mask, pos, branch, ...past.map((p) => p.input)]);
  const unknown = [...names].filter((n) => !fed.has(n));
  if (unknown.length > 0) {
    throw new UserError(`${file}: the graph has inputs aura-lens does not know how to feed: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', …' : ''} (supported: input ids, attention mask, position ids, use_cache_branch, the past key/value cache and past_conv/past_recurrent/past_ssm states)`);
  }
  return spec;
}

/** past_conv.3, past_recurrent.3, past_ssm.3, past_conv.3.key: a carried state, not the key/value cache. */
const STATE_INPUT = /^past_(?!key_values\.)([a-z]+)\.(\d+)(\.[a-z]+)?$/;

function kvLayout(past: PastSlot[]): IoSpec['pastLayout'] {
  const kv = past.find((p) => p.kind !== 'state');
  if (!kv) return past.length === 0 ? 'none' : 'per-layer';
  return /^past_\d+$/.test(kv.input) ? 'stacked' : 'per-layer';
}

function pastSlots(
  inputs: GraphProto['input'],
  outputs: string[],
  gi: Record<string, string>,
  go: Record<string, string>,
  file: string,
): PastSlot[] {
  const slots: PastSlot[] = [];
  const outSet = new Set(outputs);
  const template = (t: string | undefined, i: number) => (t ? t.replace('%d', String(i)) : undefined);
  for (const inp of inputs) {
    let m = /^past_key_values\.(\d+)\.(key|value)$/.exec(inp.name);
    let output: string | undefined;
    let layer = -1;
    if (m) {
      layer = Number(m[1]);
      output = `present.${m[1]}.${m[2]}`;
      const t = m[2] === 'key' ? go.present_key_names : go.present_value_names;
      if (t) output = template(t, layer);
    } else if ((m = /^past_(\d+)$/.exec(inp.name))) {
      layer = Number(m[1]);
      output = `present_${m[1]}`;
    } else {
      for (const [kind, key] of [['key', 'past_key_names'], ['value', 'past_value_names']] as const) {
        const t = gi[key];
        if (!t) continue;
        const re = new RegExp('^' + t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('%d', '(\\d+)') + '$');
        const mm = re.exec(inp.name);
        if (mm) {
          layer = Number(mm[1]);
          output = template(kind === 'key' ? go.present_key_names : go.present_value_names, layer);
        }
      }
    }
    if (layer < 0 && (m = STATE_INPUT.exec(inp.name))) {
      // Hybrid decoders (LFM2, Qwen3-Next, Granite/Falcon-H1 as transformers.js names them): past_conv.{i},
      // past_recurrent.{i}, past_ssm.{i}, carried to the next step from present_conv.{i} and so on.
      layer = Number(m[2]);
      output = `present_${inp.name.slice('past_'.length)}`;
      if (!outSet.has(output)) continue;
      const dims = valueInfoDims(inp) ?? [];
      // Only the batch axis may be symbolic: the zeros of the first step take every other size from here.
      if (dims.length === 0 || dims.slice(1).some((d) => typeof d !== 'number')) {
        throw new UserError(`${file}: state input '${inp.name}' needs fixed sizes after the batch axis to start from zeros (declared [${dims.join(', ')}])`);
      }
      slots.push({ input: inp.name, output, layer, dims, elemType: valueInfoElemType(inp) ?? 1, kind: 'state' });
      continue;
    }
    if (layer < 0 || !output) continue;
    if (!outSet.has(output)) continue;
    slots.push({ input: inp.name, output, layer, dims: valueInfoDims(inp) ?? [], elemType: valueInfoElemType(inp) ?? 1, kind: 'kv' });
  }
  return slots;
}
