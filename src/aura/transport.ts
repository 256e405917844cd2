/**
 * Transport interventions beside AurA (issue 9, item 3), as apple/ml-act fits them: on mean-pooled
 * responses of the unintervened model, source = toxic, target = non-toxic, each neuron on its own.
 * - linear-act: sort both samples (1-D optimal transport pairs the i-th smallest with the i-th
 *   smallest), then the least-squares affine map y = gain*x + bias over the pairs.
 * - mean-act: gain 1, bias = mean(target) - mean(source) (ml-act's OnlyMeanHook); neurons whose
 *   standard deviation is at most 1e-4 in either class are left alone, as ml-act's std_eps mask does.
 * Both apply only strictly inside the source sample's [min, max] (lo, hi) and leave x outside.
 * ml-act needs equally many samples of each class; with unequal counts the larger sorted sample is
 * read at the quantiles of the smaller, (i + 0.5) * m / n, which is its 1-D transport to n points.
 */
import { AuraUserError } from './errors';
import { applyStrength, checkStrength } from './gains';
import { readLabels } from './profile/score';
import { requireResponses } from './profile/sketch-refusal';
import { readSplitMatrix, requireManifest, responsesPath } from './profile/store';
import { heldOutSplit, selectRows } from './stats/split';
import type { FitResult, SiteGains } from './methods';

export const TRANSPORT_METHODS = ['linear-act', 'mean-act'] as const;
export type TransportMethod = (typeof TRANSPORT_METHODS)[number];

export function isTransportMethod(m: string): m is TransportMethod {
  return (TRANSPORT_METHODS as readonly string[]).includes(m);
}

export interface TransportSite {
  gain: Float32Array;
  bias: Float32Array;
  lo: Float32Array;
  hi: Float32Array;
  /** 1 where the map changes something (not the identity, and a non-empty range). */
  changed: Uint8Array;
}

const STD_EPS = 1e-4;

/** Fits one site from [P, n] toxic and [Q, n] non-toxic mean-pooled responses. */
export function fitTransportSite(method: TransportMethod, pos: Float32Array, neg: Float32Array, n: number): TransportSite {
  const P = pos.length / n;
  const Q = neg.length / n;
  if (P < 2 || Q < 2) throw new AuraUserError(`${method} needs at least 2 examples per class, got ${P} toxic and ${Q} non-toxic`);
  const out: TransportSite = { gain: new Float32Array(n), bias: new Float32Array(n), lo: new Float32Array(n), hi: new Float32Array(n), changed: new Uint8Array(n) };
  const src = new Float64Array(P);
  const dst = new Float64Array(Q);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < P; i++) src[i] = pos[i * n + k]!;
    for (let j = 0; j < Q; j++) dst[j] = neg[j * n + k]!;
    src.sort();
    dst.sort();
    if (Number.isNaN(src[P - 1]) || Number.isNaN(dst[Q - 1])) throw new AuraUserError(`responses of neuron ${k} are NaN; the model produced NaN`);
    const [g, b] = method === 'linear-act' ? linearMap(src, dst) : meanShift(src, dst);
    out.gain[k] = g;
    out.bias[k] = b;
    out.lo[k] = src[0]!;
    out.hi[k] = src[P - 1]!;
    out.changed[k] = (out.gain[k] !== 1 || out.bias[k] !== 0) && out.lo[k]! < out.hi[k]! ? 1 : 0;
  }
  return out;
}

/** The sorted pairs (x_i, y_i), i < min(P, Q), reading the longer sample at the shorter one's quantiles. */
function pairs(src: Float64Array, dst: Float64Array): { x: Float64Array; y: Float64Array } {
  const n = Math.min(src.length, dst.length);
  const pick = (a: Float64Array) => (a.length === n ? a : Float64Array.from({ length: n }, (_, i) => a[Math.floor(((i + 0.5) * a.length) / n)]!));
  return { x: pick(src), y: pick(dst) };
}

/** Least squares y ≈ g*x + b: g = cov(x, y) / var(x), b = mean(y) - g*mean(x); identity when x is constant. */
function linearMap(src: Float64Array, dst: Float64Array): [number, number] {
  const { x, y } = pairs(src, dst);
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) * (x[i]! - mx);
  }
  if (!(sxx > 0)) return [1, 0];
  const g = sxy / sxx;
  return [g, my - g * mx];
}

function meanShift(src: Float64Array, dst: Float64Array): [number, number] {
  const m = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const sd = (a: Float64Array, mu: number) => Math.sqrt(a.reduce((s, v) => s + (v - mu) * (v - mu), 0) / (a.length - 1));
  const ms = m(src);
  const md = m(dst);
  if (!(sd(src, ms) > STD_EPS && sd(dst, md) > STD_EPS)) return [1, 0];
  return [1, md - ms];
}

/**
 * A transport fit over sites as the FitResult `fit` and the panel use. `keep`, when given, limits the
 * map to the neurons it marks (the --max-q / --min-auroc selection); the others stay the identity.
 */
export function transportFit(
  method: TransportMethod,
  sites: readonly { siteId: string; fit: TransportSite }[],
  strength = 1,
  keep?: ReadonlyMap<string, Uint8Array>,
): FitResult {
  checkStrength(strength);
  let experts = 0;
  let neurons = 0;
  const out: SiteGains[] = sites.map(({ siteId, fit }) => {
    const mask = keep?.get(siteId);
    const gain = fit.gain.slice();
    const bias = fit.bias.slice();
    for (let i = 0; i < gain.length; i++) {
      if ((mask && !mask[i]) || !fit.changed[i]) {
        gain[i] = 1;
        bias[i] = 0;
      } else experts++;
    }
    neurons += gain.length;
    return { siteId, gain, applied: applyStrength(gain, strength), bias, lo: fit.lo, hi: fit.hi };
  });
  return { method, sites: out, experts, neurons, strength, k: null, alpha: null };
}

/** Mean-pooled responses per site (the ranking part with --held-out), fitted as ml-act does. */
export function transportSitesFromProfile(dir: string, method: TransportMethod, heldOut?: number, seed = 0) {
  const m = requireManifest(dir);
  requireResponses(dir, m, `the transport method ${method} (a map fitted to the responses)`);
  const labels = readLabels(dir);
  const P = labels.reduce((a, l) => a + l, 0);
  const split = heldOut !== undefined ? heldOutSplit(P, labels.length - P, heldOut, seed) : undefined;
  return m.sites.map((s) => {
    // Split by label while reading, by chunks: one copy of the site's matrix, not the file's and the split's.
    if (labels.length !== m.examples) throw new AuraUserError(`${dir}: order.json has ${labels.length} labels, the manifest ${m.examples} examples`);
    const all = readSplitMatrix(responsesPath(dir, s.id, 'mean'), labels, s.neurons);
    const pos = split ? selectRows(all.pos, s.neurons, split.pos.rank) : all.pos;
    const neg = split ? selectRows(all.neg, s.neurons, split.neg.rank) : all.neg;
    return { siteId: s.id, fit: fitTransportSite(method, pos, neg, s.neurons) };
  });
}
