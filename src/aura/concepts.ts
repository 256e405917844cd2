/**
 * Several concepts on one model (issue 20, item 9): how much two profiles' expert sets overlap, and
 * one intervention built from two (or more) interventions' gains.
 */
import { AuraUserError } from './errors';
import { topKIndices } from './experts';
import { readAurocs } from './profile/score';
import type { InterventionFile, InterventionSite } from './intervention-file';
import type { ProfileManifest } from './profile/store';

export interface SetOverlap {
  /** Neurons in A's set, in B's, in both, and |A ∩ B| / |A ∪ B| (null when both are empty). */
  a: number;
  b: number;
  both: number;
  jaccard: number | null;
}

export interface ProfileComparison {
  neurons: number;
  /** AurA's experts: AUROC > 0.5 in each profile. */
  experts: SetOverlap;
  /** The k best neurons of each profile (k capped at the neuron count). */
  topK: { k: number } & SetOverlap;
}

export function overlap(inA: Uint8Array, inB: Uint8Array): SetOverlap {
  let a = 0;
  let b = 0;
  let both = 0;
  for (let i = 0; i < inA.length; i++) {
    a += inA[i]!;
    b += inB[i]!;
    both += inA[i]! & inB[i]!;
  }
  const union = a + b - both;
  return { a, b, both, jaccard: union > 0 ? both / union : null };
}

/** Overlaps of two profiles' AUROCs over the same neurons (all sites concatenated in model order). */
export function compareAurocs(a: Float64Array, b: Float64Array, k: number): ProfileComparison {
  if (a.length !== b.length) throw new RangeError(`AUROC arrays of ${a.length} and ${b.length} neurons`);
  const kk = Math.min(k, a.length);
  const mask = (x: Float64Array) => {
    const m = new Uint8Array(x.length);
    for (const i of topKIndices(x, kk)) m[i] = 1;
    return m;
  };
  return {
    neurons: a.length,
    experts: overlap(aboveHalf(a), aboveHalf(b)),
    topK: { k: kk, ...overlap(mask(a), mask(b)) },
  };
}

/** 1 where AUROC > 0.5. A plain loop: Uint8Array.from with a callback takes ~0.6 s for a million neurons. */
function aboveHalf(x: Float64Array): Uint8Array {
  const m = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) m[i] = x[i]! > 0.5 ? 1 : 0;
  return m;
}

/** Two profiles of the same model and sites: their AUROCs side by side, or a one-line refusal. */
export function readProfilePair(dirA: string, dirB: string): { sites: { id: string; a: Float64Array; b: Float64Array }[]; manifests: [ProfileManifest, ProfileManifest] } {
  const A = readAurocs(dirA);
  const B = readAurocs(dirB);
  const fa = A.manifest.model.fingerprint;
  const fb = B.manifest.model.fingerprint;
  if (fa && fb && fa !== fb) throw new AuraUserError(`${dirB}: profiles a different model (fingerprint ${fb}) than ${dirA} (${fa}); compare profiles of one model`);
  const sa = A.sites.map((s) => `${s.siteId}:${s.auroc.length}`).join(',');
  const sb = B.sites.map((s) => `${s.siteId}:${s.auroc.length}`).join(',');
  if (sa !== sb) throw new AuraUserError(`${dirB}: profiles other sites than ${dirA} (${B.sites.length} vs ${A.sites.length} sites, or other ids or sizes); profile both with the same --sites`);
  return { sites: A.sites.map((s, i) => ({ id: s.siteId, a: s.auroc, b: B.sites[i]!.auroc })), manifests: [A.manifest, B.manifest] };
}

/** The scatter's data: site,neuron,auroc_a,auroc_b, one row per neuron. */
export function comparisonCsv(sites: { id: string; a: Float64Array; b: Float64Array }[]): string {
  const lines = ['site,neuron,auroc_a,auroc_b'];
  for (const s of sites) for (let i = 0; i < s.a.length; i++) lines.push(`${s.id},${i},${s.a[i]},${s.b[i]}`);
  return `${lines.join('\n')}\n`;
}

export type CombineRule = 'product' | 'min';

/**
 * One intervention from several: per neuron, the product or the minimum of the inputs' gains at the
 * strength each was saved with (1 - s(1 - g)), so the result at strength 1 applies every input as it
 * was fitted. Only gain-only files (AurA, Damp, Det0) combine: a transport map's bias and range do not
 * compose neuron by neuron. Refuses files of different models or sites, naming the file.
 */
export function combineInterventions(files: { path: string; file: InterventionFile }[], rule: CombineRule): InterventionFile {
  if (files.length < 2) throw new AuraUserError(`--combine: expected at least two intervention files, got ${files.length}`);
  const first = files[0]!;
  const shape = (f: InterventionFile) => Object.entries(f.sites).map(([id, s]) => `${id}:${s.neurons}`).join(',');
  for (const { path, file } of files) {
    const affine = Object.entries(file.sites).find(([, s]) => s.bias || s.lo);
    if (affine) throw new AuraUserError(`${path}: method ${file.method} has a bias or a range at ${affine[0]}; only gain-only interventions (aura, damp, det0) can be combined`);
    if (path === first.path) continue;
    const fa = first.file.model.fingerprint;
    const fb = file.model.fingerprint;
    if ((fa && fb && fa !== fb) || (!(fa && fb) && file.model.name !== first.file.model.name)) {
      throw new AuraUserError(`${path}: is for model ${fb ?? file.model.name}, ${first.path} for ${fa ?? first.file.model.name}; combine files of one model`);
    }
    if (shape(file) !== shape(first.file)) throw new AuraUserError(`${path}: has other sites than ${first.path} (ids or neuron counts differ); combine files fitted on the same sites`);
  }
  const sites: Record<string, InterventionSite> = {};
  for (const [id, site] of Object.entries(first.file.sites)) {
    const gain = new Float32Array(site.neurons);
    for (let i = 0; i < site.neurons; i++) {
      let g = rule === 'product' ? 1 : Infinity;
      for (const { file } of files) {
        const s = file.params.strength;
        const e = 1 - s * (1 - file.sites[id]!.gain[i]!);
        g = rule === 'product' ? g * e : Math.min(g, e);
      }
      gain[i] = g;
    }
    sites[id] = { neurons: site.neurons, gain };
  }
  const positives = files.reduce((a, f) => a + f.file.data.positives, 0);
  const negatives = files.reduce((a, f) => a + f.file.data.negatives, 0);
  return {
    format: first.file.format,
    version: 1,
    model: first.file.model,
    method: `combined-${rule}`,
    params: { strength: 1, pooling: first.file.params.pooling, k: null, alpha: null },
    data: { positives, negatives, source: files.map((f) => `${f.path} (${f.file.method} at strength ${f.file.params.strength}, ${f.file.data.source})`).join(' ; ') },
    sites,
    combined: { rule, inputs: files.map((f) => ({ path: f.path, method: f.file.method, strength: f.file.params.strength })) },
  };
}
