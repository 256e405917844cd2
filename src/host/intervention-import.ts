// An intervention file as the panel's state takes it: read, checked against the model, and turned
// into a method, settings, AUROCs, transport maps, a bias and the overrides that make the method's
// fit reproduce the file's gains exactly. Pure but for the read, so it runs in the fit worker
// (fit-worker.ts): at 1.4M neurons reading, parsing and planning took ~0.6 s of the extension host's
// event loop (issue 23 item 10). intervention-state.ts applies a plan; it does no parsing itself.
import { AuraUserError } from '../aura/errors';
import { readInterventionFile, validateAgainstModel } from '../aura/intervention-file';
import { fitIntervention, getMethod, methodNames } from '../aura/methods';
import { TRANSPORT_METHODS, isTransportMethod } from '../aura/transport';
import { FLT_MAX, params } from './intervention-fit';
import type { SiteAuroc } from '../aura/experts';
import type { InterventionFile, ModelSite } from '../aura/intervention-file';
import type { TransportMethod, TransportSite } from '../aura/transport';
import type { InterventionSettings, NeuronOverride } from '../shared/protocol';
import type { FitInputs, ImportedBias, TransportFits } from './intervention-fit';

/** What the state becomes on an import; `inputs` is what the fit starts from. */
export interface ImportPlan {
  path: string;
  method: string;
  settings: InterventionSettings;
  overrides: NeuronOverride[];
  inputs: { aurocs: SiteAuroc[]; transport?: TransportFits | undefined; imported?: ImportedBias | undefined };
}

/** The model an import is checked against. */
export interface ImportTarget {
  sites: readonly ModelSite[];
  fingerprint?: string | undefined;
}

/** Reads `path`, checks it against the model and plans it over the current inputs. */
export async function readImportPlan(path: string, target: ImportTarget, current: FitInputs): Promise<ImportPlan> {
  const file = await readInterventionFile(path);
  validateAgainstModel(file, target.sites, target.fingerprint, path);
  return planImport(file, path, current);
}

/**
 * The file's method and parameters, the AUROCs it carries (or the current profile's, or none), and
 * overrides wherever its gains differ from what the method gives. Throws before anything is planned
 * for a method the panel does not know (never AurA by default).
 */
export function planImport(file: InterventionFile, path: string, current: FitInputs): ImportPlan {
  const method = knownMethod(file.method, `${path}: method`);
  const known = new Map(current.aurocs.map((s) => [s.siteId, s.auroc]));
  const aurocs: SiteAuroc[] = Object.entries(file.sites).map(([siteId, site]) => ({
    siteId,
    auroc: site.auroc ?? known.get(siteId) ?? new Float64Array(site.neurons).fill(0.5),
  }));
  const total = aurocs.reduce((n, s) => n + s.auroc.length, 0);
  const settings = normalize({ method, strength: file.params.strength, k: file.params.k, alpha: file.params.alpha }, total);
  if (isTransportMethod(method)) {
    // The file's maps as they are (gain, bias, range): the transport fit then gives back its numbers.
    const fits = Object.entries(file.sites).map(([siteId, site]) => ({ siteId, fit: transportSiteOf(site) }));
    const transport: TransportFits = new Map<TransportMethod, readonly (typeof fits)[number][]>([...(current.transport ?? []), [method, fits]]);
    return { path, method, settings, overrides: [], inputs: { aurocs, transport } };
  }
  const overrides: NeuronOverride[] = [];
  const fitted = fitIntervention(method, aurocs, params(settings));
  for (const s of fitted.sites) {
    const wanted = file.sites[s.siteId]!.gain;
    for (let j = 0; j < wanted.length; j++) if (wanted[j] !== s.gain[j]) overrides.push({ site: s.siteId, neuron: j, gain: wanted[j]! });
  }
  // The file's bias is applied as it is, scaled by the strength like the gains (issue 10, item 6).
  const extras = Object.entries(file.sites).filter(([, site]) => site.bias);
  const imported: ImportedBias | undefined = extras.length ? new Map(extras.map(([id, site]) => [id, { bias: site.bias! }])) : undefined;
  return { path, method, settings, overrides, inputs: { aurocs, transport: current.transport, imported } };
}

/** A registered gain method or a transport map, else an error naming them all. */
export function knownMethod(method: string, where: string): string {
  const names = [...methodNames(), ...TRANSPORT_METHODS];
  if (names.includes(method)) return method;
  throw new AuraUserError(`${where} ${JSON.stringify(method).slice(0, 60)} is unknown; expected ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`);
}

/** An imported file's site as a transport map: no range (a version 1 file) is the whole line. */
function transportSiteOf(site: InterventionFile['sites'][string]): TransportSite {
  const n = site.gain.length;
  const bias = site.bias ?? new Float32Array(n);
  const lo = site.lo ?? new Float32Array(n).fill(-FLT_MAX);
  const hi = site.hi ?? new Float32Array(n).fill(FLT_MAX);
  const changed = Uint8Array.from(site.gain, (g, i) => ((g !== 1 || bias[i] !== 0) && lo[i]! < hi[i]! ? 1 : 0));
  return { gain: site.gain, bias, lo, hi, changed };
}

/** Keeps only the fields a method uses, with k within the neurons there are. */
export function normalize(s: InterventionSettings, total: number): InterventionSettings {
  const strength = Math.min(1, Math.max(0, s.strength));
  if (isTransportMethod(s.method)) return { method: s.method, strength, k: null, alpha: null };
  const m = getMethod(s.method);
  const k = !m.takesK || s.k === null ? null : total > 0 ? Math.min(Math.max(1, Math.round(s.k)), total) : Math.max(1, Math.round(s.k));
  return { method: s.method, strength, k, alpha: m.takesAlpha ? (s.alpha ?? m.defaultAlpha ?? null) : null };
}
