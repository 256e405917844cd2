/**
 * The intervention file, version 1 (shared/docs/contracts.md): the stable hand-off between `fit`,
 * `export`, `generate --intervention` and other tools. Reads validate every field and fail with one
 * line naming the file and the field; writes are atomic.
 */
import { readFile } from 'node:fs/promises';
import { atomicWriteStream } from './atomic-write';
import * as v from 'valibot';
import { AuraUserError } from './errors';
import { describeBinary, interventionJsonFromSafetensors, isBinary, looksLikeSafetensors } from './intervention-binary';
import { applyStrength, checkStrength, scaleBias } from './gains';
import type { FitResult } from './methods';
import type { Provenance } from './export/provenance';

import { INTERVENTION_FORMAT, finiteF32, interventionSchema, issueMessage } from './intervention-schema';

export { INTERVENTION_FORMAT, INTERVENTION_VERSION } from './intervention-schema';
/** 1: gains (and biases); 2: adds per-site lo/hi, the range a transport map applies in. */
export type InterventionVersion = 1 | 2;

export type Pooling = 'max' | 'mean';

export interface InterventionSite {
  neurons: number;
  /** Optional: kept so the panel can show what the gains came from. */
  auroc?: Float64Array;
  /** Per-neuron factor at full strength. */
  gain: Float32Array;
  /** Optional, added after the gain, scaled by the strength likewise. */
  bias?: Float32Array;
  /** Version 2: the map applies only where lo < x < hi (the source sample's range); x elsewhere. */
  lo?: Float32Array;
  hi?: Float32Array;
}

export interface InterventionFile {
  format: typeof INTERVENTION_FORMAT;
  version: InterventionVersion;
  model: { name: string; fingerprint?: string };
  method: string;
  params: { strength: number; pooling: Pooling; k: number | null; alpha: number | null };
  data: { positives: number; negatives: number; source: string };
  /** Where this file came from, when an export wrote it (optional: files without it read as before). */
  provenance?: Provenance;
  /** Keyed by site id (the Hugging Face module path), in model order. */
  sites: Record<string, InterventionSite>;
  /** Set by `fit --combine`: the rule (gain = product or min of the inputs' gains) and the inputs. */
  combined?: CombinedFrom;
}

export interface CombinedFrom {
  rule: 'product' | 'min';
  inputs: { path: string; method: string; strength: number }[];
}

export interface InterventionMeta {
  model: { name: string; fingerprint?: string };
  pooling: Pooling;
  data: { positives: number; negatives: number; source: string };
  /** AUROC per site, stored alongside the gains when given. */
  aurocs?: ReadonlyMap<string, Float64Array>;
}

/** The file `fit` writes for a fitted method; version 2 when any site has a range (lo/hi). */
export function interventionFromFit(fit: FitResult, meta: InterventionMeta): InterventionFile {
  const sites: Record<string, InterventionSite> = {};
  let ranged = false;
  for (const s of fit.sites) {
    const auroc = meta.aurocs?.get(s.siteId);
    const site: InterventionSite = { neurons: s.gain.length, ...(auroc ? { auroc } : {}), gain: s.gain };
    if (s.bias) site.bias = s.bias;
    if (s.lo && s.hi) {
      site.lo = s.lo;
      site.hi = s.hi;
      ranged = true;
    }
    sites[s.siteId] = site;
  }
  return {
    format: INTERVENTION_FORMAT,
    version: ranged ? 2 : 1,
    model: meta.model,
    method: fit.method,
    params: { strength: fit.strength, pooling: meta.pooling, k: fit.k, alpha: fit.alpha },
    data: meta.data,
    sites,
  };
}

/**
 * Every gain, bias, lo and hi finite in float32, or a user error naming the site and index: checked
 * before any export, so no file with Inf or NaN is ever written (issue 10, item 4).
 */
export function checkInterventionFinite(file: InterventionFile, path = 'intervention'): void {
  for (const [id, site] of Object.entries(file.sites)) {
    for (const name of ['gain', 'bias', 'lo', 'hi'] as const) {
      const a = site[name];
      if (!a) continue;
      for (let i = 0; i < a.length; i++) {
        if (!finiteF32(a[i]!)) throw new AuraUserError(`${path}: sites[${JSON.stringify(id)}].${name}[${i}] is ${a[i]}; expected a number finite in float32`);
      }
    }
  }
}

// ---------------------------------------------------------------- reading

export async function readInterventionFile(path: string): Promise<InterventionFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuraUserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`);
  }
  if (looksLikeSafetensors(bytes)) return parseIntervention(interventionJsonFromSafetensors(bytes, path), path);
  if (isBinary(bytes)) throw new AuraUserError(`${path}: ${describeBinary(bytes)}, not an intervention; expected the JSON file aura-lens fit writes`);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    // The parser quotes the text it choked on: keep it printable.
    const why = ((e as Error).message.split('\n')[0] ?? '').slice(0, 120).replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    throw new AuraUserError(`${path}: not valid JSON (${why})`);
  }
  return parseIntervention(value, path);
}

/** Validates a parsed intervention file against the schema; `path` names it in errors. */
export function parseIntervention(value: unknown, path = 'intervention file'): InterventionFile {
  // valibot drops these keys from records silently; a site must never vanish without a word.
  const sites = (value as { sites?: unknown } | null)?.sites;
  if (sites !== null && typeof sites === 'object' && !Array.isArray(sites)) {
    for (const id of ['__proto__', '']) {
      if (Object.prototype.hasOwnProperty.call(sites, id)) throw new AuraUserError(`${path}: sites has a site named ${JSON.stringify(id)}; expected a module path`);
    }
  }
  const r = v.safeParse(interventionSchema, value, { abortEarly: true });
  if (!r.success) throw new AuraUserError(`${path}: ${issueMessage(r.issues[0])}`);
  const j = r.output;
  const out: Record<string, InterventionSite> = {};
  for (const [id, site] of Object.entries(j.sites)) {
    const s: InterventionSite = { neurons: site.neurons, gain: Float32Array.from(site.gain) };
    if (site.auroc) s.auroc = Float64Array.from(site.auroc);
    if (site.bias) s.bias = Float32Array.from(site.bias);
    if (site.lo && site.hi) {
      s.lo = Float32Array.from(site.lo);
      s.hi = Float32Array.from(site.hi);
    }
    out[id] = s;
  }
  return {
    format: INTERVENTION_FORMAT,
    version: j.version as InterventionVersion,
    model: j.model.fingerprint === undefined ? { name: j.model.name } : { name: j.model.name, fingerprint: j.model.fingerprint },
    method: j.method,
    params: j.params,
    data: j.data,
    ...(j.provenance ? { provenance: j.provenance as unknown as Provenance } : {}),
    sites: out,
    ...(j.combined ? { combined: j.combined } : {}),
  };
}

// ---------------------------------------------------------------- writing

/** Writes the file atomically, one site at a time. Returns its size in bytes. */
export async function writeInterventionFile(path: string, file: InterventionFile): Promise<number> {
  checkInterventionFinite(file, path);
  // Re-read before it replaces anything: a file this program cannot read back is never written.
  return atomicWriteStream(path, serializeIntervention(file), async (temp) => void (await readInterventionFile(temp)));
}

/**
 * The file's text in pieces: readable layout, one line per array, float32 gains in their shortest
 * round-tripping decimal (0.98, not 0.9800000190734863), AUROCs exact.
 */
export function* serializeIntervention(file: InterventionFile): Generator<string> {
  const model = file.model.fingerprint === undefined ? { name: file.model.name } : file.model;
  yield '{\n';
  yield `  "format": ${JSON.stringify(file.format)},\n`;
  yield `  "version": ${file.version},\n`;
  yield `  "model": ${JSON.stringify(model)},\n`;
  yield `  "method": ${JSON.stringify(file.method)},\n`;
  yield `  "params": ${JSON.stringify(file.params)},\n`;
  yield `  "data": ${JSON.stringify(file.data)},\n`;
  if (file.provenance) yield `  "provenance": ${JSON.stringify(file.provenance)},\n`;
  if (file.combined) yield `  "combined": ${JSON.stringify(file.combined)},\n`;
  yield '  "sites": {';
  let first = true;
  for (const [id, site] of Object.entries(file.sites)) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(id)}: {\n      "neurons": ${site.neurons},\n`;
    if (site.auroc) yield `      "auroc": [${Array.from(site.auroc, (v) => JSON.stringify(v)).join(', ')}],\n`;
    yield `      "gain": [${Array.from(site.gain, float32Text).join(', ')}]`;
    if (site.bias) yield `,\n      "bias": [${Array.from(site.bias, float32Text).join(', ')}]`;
    if (site.lo && site.hi) {
      yield `,\n      "lo": [${Array.from(site.lo, float32Text).join(', ')}]`;
      yield `,\n      "hi": [${Array.from(site.hi, float32Text).join(', ')}]`;
    }
    yield '\n    }';
    first = false;
  }
  yield '\n  }\n}\n';
}

/** The shortest decimal that reads back as the same float32. */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`intervention gains must be finite, got ${x}`);
  if (Number.isInteger(x)) return String(x);
  const roundTrips = (p: number): boolean => Math.fround(Number(x.toPrecision(p))) === x;
  // More digits are almost never further from x, so bisect; the check after it covers the rare
  // exception (x next to a power of two, whose rounding interval is lopsided). 9 digits always work.
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (roundTrips(mid)) hi = mid;
    else lo = mid + 1;
  }
  while (!roundTrips(lo)) lo++;
  return String(Number(x.toPrecision(lo)));
}

// ---------------------------------------------------------------- using

/** A site of the loaded model, as the engine reports it. */
export interface ModelSite {
  id: string;
  neurons: number;
}

/**
 * Checks the file fits the model: every site exists with the same neuron count, and the fingerprint
 * matches when both sides have one. Names every mismatching site in one line.
 */
export function validateAgainstModel(
  file: InterventionFile,
  modelSites: readonly ModelSite[],
  fingerprint?: string,
  path = 'intervention file',
): void {
  const fp = file.model.fingerprint;
  if (fp !== undefined && fingerprint !== undefined && fp !== fingerprint) {
    throw new AuraUserError(`${path}: model.fingerprint ${fp} does not match the model's ${fingerprint}; refit for this model`);
  }
  const byId = new Map(modelSites.map((s) => [s.id, s.neurons]));
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [id, site] of Object.entries(file.sites)) {
    const n = byId.get(id);
    if (n === undefined) missing.push(id);
    else if (n !== site.neurons) wrong.push(`${id} has ${n} neurons in the model but ${site.neurons} in the file`);
  }
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`the model has no site ${missing.join(', ')}`);
  problems.push(...wrong);
  if (problems.length > 0) throw new AuraUserError(`${path}: ${problems.join('; ')}`);
}

export interface EffectiveSite {
  /** 1 - s*(1 - gain) per neuron. */
  gain: Float32Array;
  /** s * bias, when the file has a bias. */
  bias?: Float32Array;
  /** The range the map applies in (strictly inside); outside it the output is left as is. */
  lo?: Float32Array;
  hi?: Float32Array;
}

/** The factors to apply at strength s (default: the strength the file was saved with). */
export function effectiveGains(file: InterventionFile, strength?: number): Map<string, EffectiveSite> {
  const s = strength ?? file.params.strength;
  checkStrength(s);
  const out = new Map<string, EffectiveSite>();
  for (const [id, site] of Object.entries(file.sites)) {
    const e: EffectiveSite = { gain: applyStrength(site.gain, s) };
    if (site.bias) e.bias = scaleBias(site.bias, s);
    if (site.lo && site.hi) {
      e.lo = site.lo;
      e.hi = site.hi;
    }
    out.set(id, e);
  }
  return out;
}
