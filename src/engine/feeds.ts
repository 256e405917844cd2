// Building a forward pass's feeds (ids, mask, positions, KV cache, intervention inputs) and reading its
// results back, for graphs described by an IoSpec. No session state lives here.
import { UserError } from './errors';
import { BIAS_INPUT, GAIN_INPUT, HI_INPUT, LO_INPUT, interventionLayout, maxOutput, meanOutput } from './io-names';
import { ort } from './ort-session';
import { formInputs } from './intervention-form';
import type { InterventionForm } from './intervention-form';
import { emptyTensor, intTensor, toFloat32 } from './tensors';
import type { ArchFacts } from './arch';
import type { IoSpec } from './io-spec';
import type { Site } from './sites/catalogue';

/**
 * Per-site gain (and optional bias, and lo/hi: the range a transport map holds in), each of the site's
 * width. Sites not listed are untouched.
 */
export type Intervention = Map<string, { gain: Float32Array; bias?: Float32Array; lo?: Float32Array; hi?: Float32Array }>;

export interface Pooled {
  /** [batch, neurons] row-major. */
  max: Float32Array;
  mean: Float32Array;
}

export interface FeedArgs {
  ids: number[][];
  mask: number[][];
  past?: Record<string, ort.Tensor>;
}

/** The graph's own inputs for one step: ids, mask, positions, cache branch and past. */
export function stepFeeds(
  io: IoSpec,
  args: FeedArgs,
  emptyPast: (batch: number) => Record<string, ort.Tensor>,
  sizes: { model: number; tokenizer: number },
): Record<string, ort.Tensor> {
  const batch = args.ids.length;
  const seq = args.ids[0]?.length ?? 0;
  const total = args.mask[0]?.length ?? 0;
  if (batch === 0 || seq === 0) throw new Error('forward: empty batch');
  if (args.ids.some((r) => r.length !== seq) || args.mask.some((r) => r.length !== total) || args.mask.length !== batch) {
    throw new Error('forward: ids and mask rows must be rectangular and of one batch');
  }
  const flat = args.ids.flat();
  checkIds(flat, sizes);
  const feeds: Record<string, ort.Tensor> = {
    [io.inputIds]: intTensor(io.inputTypes.get(io.inputIds), flat, [batch, seq]),
  };
  if (io.attentionMask) feeds[io.attentionMask] = intTensor(io.inputTypes.get(io.attentionMask), args.mask.flat(), [batch, total]);
  if (io.positionIds) feeds[io.positionIds] = intTensor(io.inputTypes.get(io.positionIds), positionIds(args.mask, seq).flat(), [batch, seq]);
  if (io.useCacheBranch) feeds[io.useCacheBranch] = new ort.Tensor('bool', new Uint8Array([args.past ? 1 : 0]), [1]);
  if (io.past.length > 0) Object.assign(feeds, args.past ?? emptyPast(batch));
  return feeds;
}

/**
 * Token ids the embedding cannot look up crash onnxruntime's Gather with an opaque message; a
 * tokenizer larger than the model, or a bad id, is the user's model folder at fault.
 */
function checkIds(ids: number[], sizes: { model: number; tokenizer: number }): void {
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || (sizes.model > 0 && id >= sizes.model)) {
      throw new UserError(`token id ${id} is outside the model's vocabulary of ${sizes.model} tokens (the tokenizer has ${sizes.tokenizer}; the tokenizer and the model do not match)`);
    }
  }
}

/**
 * The inputs a graph of `form` has: every site's gains (and biases, and ranges) end to end, in site
 * order; neutral where `iv` sets nothing. `iv` must need no larger form than `form` (see interventionForm).
 */
export function factorFeeds(sites: Site[], iv: Intervention, form: InterventionForm): Record<string, ort.Tensor> {
  if (form === 'none') return {};
  const { slices, total } = interventionLayout(sites);
  const gain = new Float32Array(total).fill(1);
  const bias = new Float32Array(total);
  const lo = new Float32Array(total).fill(-Infinity);
  const hi = new Float32Array(total).fill(Infinity);
  for (const { id, offset } of slices) {
    const f = iv.get(id);
    if (!f) continue;
    gain.set(f.gain, offset);
    if (f.bias) bias.set(f.bias, offset);
    if (f.lo) lo.set(f.lo, offset);
    if (f.hi) hi.set(f.hi, offset);
  }
  const all: Record<string, Float32Array> = { [GAIN_INPUT]: gain, [BIAS_INPUT]: bias, [LO_INPUT]: lo, [HI_INPUT]: hi };
  return Object.fromEntries(formInputs(form).map((name) => [name, new ort.Tensor('float32', all[name]!, [total])]));
}

/** The zero-length cache of the first step, shaped as the graph declares it. */
export function emptyPastFor(io: IoSpec, facts: ArchFacts, batch: number): Record<string, ort.Tensor> {
  const past: Record<string, ort.Tensor> = {};
  for (const slot of io.past) {
    const type = slot.elemType === 10 ? 'float16' : 'float32';
    if (slot.kind === 'state') {
      // A conv/recurrent state starts at zero (what HF's cache classes and transformers.js feed first);
      // readIoSpec checked that every axis after the batch has a fixed size.
      past[slot.input] = emptyTensor(type, slot.dims.map((d, i) => (i === 0 ? batch : (d as number))));
      continue;
    }
    const stacked = io.pastLayout === 'stacked';
    const off = stacked ? 1 : 0;
    const dims = slot.dims.length === (stacked ? 5 : 4) ? [...slot.dims] : stacked ? [2, 'b', 'h', 'p', 'd'] : ['b', 'h', 'p', 'd'];
    const shape = dims.map((d, i) => {
      if (i === off) return batch;
      if (i === off + 2) return 0;
      if (typeof d === 'number') return d;
      if (stacked && i === 0) return 2;
      if (i === off + 1) return facts.kvHeads ?? 1;
      return facts.headDim ?? 1;
    });
    past[slot.input] = emptyTensor(type, shape);
  }
  return past;
}

/** Logits of every position, or of the last one per row. */
export function readLogits(t: ort.Tensor, which: 'all' | 'last'): Float32Array {
  const all = toFloat32(t);
  const [b, s, v] = t.dims as [number, number, number];
  if (which === 'all' || s <= 1) return all;
  const last = new Float32Array(b * v);
  for (let i = 0; i < b; i++) last.set(all.subarray((i * s + s - 1) * v, (i * s + s) * v), i * v);
  return last;
}

export function readPooled(out: ort.InferenceSession.OnnxValueMapType, ids: string[]): Map<string, Pooled> {
  const pooled = new Map<string, Pooled>();
  for (const id of ids) pooled.set(id, { max: toFloat32(out[maxOutput(id)]!), mean: toFloat32(out[meanOutput(id)]!) });
  return pooled;
}

/** cumsum(mask) - 1 with padded positions set to 1 (the HF / transformers.js convention), last `seq`. */
export function positionIds(mask: number[][], seq: number): number[][] {
  return mask.map((row) => {
    let c = 0;
    const pos = row.map((m) => {
      c += m;
      return m ? c - 1 : 1;
    });
    return pos.slice(pos.length - seq);
  });
}
