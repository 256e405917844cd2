/**
 * The fold itself. For a site y = x·W + b with gain g and shift c, g*y + c = x·(W*g) + (b*g + c): the
 * weight's outputs that make the site are scaled (rows of nn.Linear [out, in], columns of Conv1D
 * [in, out]) and its bias becomes b*g + c. Values are computed in float32 as PyTorch would
 * (`W.float() * g`, then `b * g + c`, each rounded to float32) and then rounded to the written dtype.
 */
import { AuraUserError } from '../../errors';
import { TORCH_NAME, decodeFloats, encodeFloats } from './dtype';
import type { FloatDtype } from './dtype';
import type { SiteTensors } from './families';

/** What happens to one weight tensor: per output neuron, its gain and which site and neuron that is. */
export interface WeightFold {
  outAxis: 0 | 1;
  gain: Float32Array;
  /** For messages: the site and the neuron within it of each output, or undefined where no site is. */
  owner: ({ site: string; neuron: number } | undefined)[];
}

export interface BiasFold {
  gain: Float32Array;
  shift: Float32Array;
  owner: ({ site: string; neuron: number } | undefined)[];
}

export interface SiteFactors {
  gain: Float32Array;
  bias?: Float32Array;
}

export function addSiteToFolds(
  st: SiteTensors,
  f: SiteFactors,
  weights: Map<string, WeightFold>,
  biases: Map<string, BiasFold>,
): void {
  const width = st.weight.shape[st.outAxis]!;
  let wf = weights.get(st.weight.name);
  if (!wf) {
    wf = { outAxis: st.outAxis, gain: new Float32Array(width).fill(1), owner: new Array(width).fill(undefined) };
    weights.set(st.weight.name, wf);
  }
  let bf = biases.get(st.biasName);
  if (!bf) {
    bf = { gain: new Float32Array(width).fill(1), shift: new Float32Array(width), owner: new Array(width).fill(undefined) };
    biases.set(st.biasName, bf);
  }
  for (let j = 0; j < st.neurons; j++) {
    const at = st.offset + j;
    if (wf.owner[at]) throw new AuraUserError(`sites ${wf.owner[at]!.site} and ${st.site} both cover output ${at} of ${st.weight.name}`);
    wf.gain[at] = f.gain[j]!;
    wf.owner[at] = { site: st.site, neuron: j };
    bf.gain[at] = f.gain[j]!;
    bf.shift[at] = f.bias?.[j] ?? 0;
    bf.owner[at] = { site: st.site, neuron: j };
  }
}

export function foldWeight(name: string, raw: Uint8Array, from: FloatDtype, shape: number[], fold: WeightFold, to: FloatDtype): Uint8Array {
  const v = decodeFloats(raw, from);
  const cols = shape[1]!;
  for (let i = 0; i < v.length; i++) {
    const out = fold.outAxis === 0 ? Math.floor(i / cols) : i % cols;
    v[i] = Math.fround(v[i]! * fold.gain[out]!);
  }
  return encodeOrRefuse(name, v, to, (i) => fold.owner[fold.outAxis === 0 ? Math.floor(i / cols) : i % cols], 'weight');
}

/** b*g + c; `raw` undefined for a bias created for the fold (zeros). */
export function foldBias(name: string, raw: Uint8Array | undefined, from: FloatDtype, fold: BiasFold, to: FloatDtype): Uint8Array {
  const b = raw ? decodeFloats(raw, from) : new Float32Array(fold.gain.length);
  for (let i = 0; i < b.length; i++) b[i] = Math.fround(Math.fround(b[i]! * fold.gain[i]!) + fold.shift[i]!);
  return encodeOrRefuse(name, b, to, (i) => fold.owner[i], 'bias');
}

function encodeOrRefuse(
  name: string,
  v: Float32Array,
  to: FloatDtype,
  ownerOf: (i: number) => { site: string; neuron: number } | undefined,
  what: string,
): Uint8Array {
  // Float32 overflow shows as Infinity before encoding; narrower dtypes report theirs while encoding.
  let bad = v.findIndex((x) => !Number.isFinite(x));
  let bytes: Uint8Array | undefined;
  if (bad < 0) {
    const r = encodeFloats(v, to);
    bytes = r.bytes;
    bad = r.overflow ?? -1;
  }
  if (bad >= 0) {
    const o = ownerOf(bad);
    const where = o ? `site ${o.site} neuron ${o.neuron}` : `tensor ${name}`;
    throw new AuraUserError(`export --format hf: ${where}: the folded ${what} (${name}, element ${bad}) overflows ${TORCH_NAME[to]}; lower the gain or the strength, or pass --dtype float32`);
  }
  return bytes!;
}
