/**
 * The intervention file, version 1 (shared/docs/contracts.md): the stable hand-off between `fit`,
 * `export`, `generate --intervention` and other tools. Reads validate every field and fail with one
 * line naming the file and the field; writes are atomic.
 */
import { readFile } from 'node:fs/promises';
import { atomicWriteStream } from './atomic-write';
import { AuraUserError, describeValue } from './errors';
import { applyStrength, checkStrength, scaleBias } from './gains';
import type { FitResult } from './methods';

export const INTERVENTION_FORMAT = 'aura-lens.intervention';
export const INTERVENTION_VERSION = 1;

export type Pooling = 'max' | 'mean';

export interface InterventionSite {
  neurons: number;
  /** Optional: kept so the panel can show what the gains came from. */
  auroc?: Float64Array;
  /** Per-neuron factor at full strength. */
  gain: Float32Array;
  /** Optional, added after the gain, scaled by the strength likewise. */
  bias?: Float32Array;
}

export interface InterventionFile {
  format: typeof INTERVENTION_FORMAT;
  version: typeof INTERVENTION_VERSION;
  model: { name: string; fingerprint?: string };
  method: string;
  params: { strength: number; pooling: Pooling; k: number | null; alpha: number | null };
  data: { positives: number; negatives: number; source: string };
  /** Keyed by site id (the Hugging Face module path), in model order. */
  sites: Record<string, InterventionSite>;
}

export interface InterventionMeta {
  model: { name: string; fingerprint?: string };
  pooling: Pooling;
  data: { positives: number; negatives: number; source: string };
  /** AUROC per site, stored alongside the gains when given. */
  aurocs?: ReadonlyMap<string, Float64Array>;
}

/** The file `fit` writes for a fitted method. */
export function interventionFromFit(fit: FitResult, meta: InterventionMeta): InterventionFile {
  const sites: Record<string, InterventionSite> = {};
  for (const s of fit.sites) {
    const auroc = meta.aurocs?.get(s.siteId);
    sites[s.siteId] = { neurons: s.gain.length, ...(auroc ? { auroc } : {}), gain: s.gain };
  }
  return {
    format: INTERVENTION_FORMAT,
    version: INTERVENTION_VERSION,
    model: meta.model,
    method: fit.method,
    params: { strength: fit.strength, pooling: meta.pooling, k: fit.k, alpha: fit.alpha },
    data: meta.data,
    sites,
  };
}

// ---------------------------------------------------------------- reading

export async function readInterventionFile(path: string): Promise<InterventionFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuraUserError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot read (${code ?? String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AuraUserError(`${path}: not valid JSON (${(e as Error).message.split('\n')[0]?.slice(0, 120)})`);
  }
  return parseIntervention(value, path);
}

/** Validates a parsed intervention file; `path` names it in errors. */
export function parseIntervention(value: unknown, path = 'intervention file'): InterventionFile {
  const fail = (field: string, what: string): never => {
    throw new AuraUserError(`${path}: ${field} ${what}`);
  };
  const root = asObject(value, 'the file', fail);
  if (root.format !== INTERVENTION_FORMAT) fail('format', `is ${describeValue(root.format)}; expected "${INTERVENTION_FORMAT}"`);
  if (typeof root.version !== 'number' || !Number.isInteger(root.version) || root.version < 1) {
    fail('version', `is ${describeValue(root.version)}; expected ${INTERVENTION_VERSION}`);
  }
  if (root.version !== INTERVENTION_VERSION) {
    fail('version', `${root.version} is newer than this aura-lens reads (${INTERVENTION_VERSION}); update aura-lens`);
  }
  const model = asObject(root.model, 'model', fail);
  const name = str(model.name, 'model.name', fail);
  if (model.fingerprint !== undefined) str(model.fingerprint, 'model.fingerprint', fail);
  const method = str(root.method, 'method', fail);
  if (method === '') fail('method', 'is empty');
  const params = parseParams(asObject(root.params, 'params', fail), fail);
  const data = asObject(root.data, 'data', fail);
  const counts = { positives: count(data.positives, 'data.positives', fail), negatives: count(data.negatives, 'data.negatives', fail) };
  const sitesObj = asObject(root.sites, 'sites', fail);
  const sites: Record<string, InterventionSite> = {};
  for (const [id, site] of Object.entries(sitesObj)) sites[id] = parseSite(id, site, fail);
  if (Object.keys(sites).length === 0) fail('sites', 'is empty; expected at least one site');
  return {
    format: INTERVENTION_FORMAT,
    version: INTERVENTION_VERSION,
    model: model.fingerprint === undefined ? { name } : { name, fingerprint: model.fingerprint as string },
    method,
    params,
    data: { ...counts, source: str(data.source, 'data.source', fail) },
    sites,
  };
}

type Fail = (field: string, what: string) => never;

function parseParams(p: Record<string, unknown>, fail: Fail): InterventionFile['params'] {
  const strength = p.strength;
  if (typeof strength !== 'number' || !(strength >= 0 && strength <= 1)) {
    fail('params.strength', `is ${describeValue(strength)}; expected a number in [0, 1]`);
  }
  if (p.pooling !== 'max' && p.pooling !== 'mean') fail('params.pooling', `is ${describeValue(p.pooling)}; expected "max" or "mean"`);
  // k and alpha are null for methods without them; a hand-written file may leave them out.
  const k = p.k ?? null;
  if (k !== null && !(typeof k === 'number' && Number.isInteger(k) && k > 0)) {
    fail('params.k', `is ${describeValue(k)}; expected null or a positive integer`);
  }
  const alpha = p.alpha ?? null;
  if (alpha !== null && !(typeof alpha === 'number' && Number.isFinite(alpha))) {
    fail('params.alpha', `is ${describeValue(alpha)}; expected null or a number`);
  }
  return { strength: strength as number, pooling: p.pooling as Pooling, k: k as number | null, alpha: alpha as number | null };
}

function parseSite(id: string, value: unknown, fail: Fail): InterventionSite {
  const field = `sites[${JSON.stringify(id)}]`;
  if (id === '' || id === '__proto__') fail('sites', `has a site named ${JSON.stringify(id)}; expected a module path`);
  const s = asObject(value, field, fail);
  const neurons = s.neurons;
  if (typeof neurons !== 'number' || !Number.isInteger(neurons) || neurons < 1) {
    fail(`${field}.neurons`, `is ${describeValue(neurons)}; expected a positive integer`);
  }
  const n = neurons as number;
  const gain = Float32Array.from(numbers(s.gain, `${field}.gain`, n, fail, (v) => Number.isFinite(v), 'a finite number'));
  const out: InterventionSite = { neurons: n, gain };
  if (s.auroc !== undefined) {
    out.auroc = Float64Array.from(numbers(s.auroc, `${field}.auroc`, n, fail, (v) => v >= 0 && v <= 1, 'a number in [0, 1]'));
  }
  if (s.bias !== undefined) {
    out.bias = Float32Array.from(numbers(s.bias, `${field}.bias`, n, fail, (v) => Number.isFinite(v), 'a finite number'));
  }
  return out;
}

function numbers(v: unknown, field: string, n: number, fail: Fail, ok: (x: number) => boolean, expected: string): number[] {
  if (!Array.isArray(v)) return fail(field, `is ${describeValue(v)}; expected an array of ${n} numbers`);
  if (v.length !== n) fail(field, `has ${v.length} values; expected ${n} (the site's neurons)`);
  for (let i = 0; i < n; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !ok(x)) fail(`${field}[${i}]`, `is ${describeValue(x)}; expected ${expected}`);
  }
  return v as number[];
}

function asObject(v: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(field, `is ${describeValue(v)}; expected a JSON object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, field: string, fail: Fail): string {
  if (typeof v !== 'string') return fail(field, `is ${describeValue(v)}; expected a string`);
  return v;
}

function count(v: unknown, field: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return fail(field, `is ${describeValue(v)}; expected a count`);
  return v;
}

// ---------------------------------------------------------------- writing

/** Writes the file atomically, one site at a time. Returns its size in bytes. */
export async function writeInterventionFile(path: string, file: InterventionFile): Promise<number> {
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
  yield '  "sites": {';
  let first = true;
  for (const [id, site] of Object.entries(file.sites)) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(id)}: {\n      "neurons": ${site.neurons},\n`;
    if (site.auroc) yield `      "auroc": [${Array.from(site.auroc, (v) => JSON.stringify(v)).join(', ')}],\n`;
    yield `      "gain": [${Array.from(site.gain, float32Text).join(', ')}]`;
    if (site.bias) yield `,\n      "bias": [${Array.from(site.bias, float32Text).join(', ')}]`;
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
}

/** The factors to apply at strength s (default: the strength the file was saved with). */
export function effectiveGains(file: InterventionFile, strength?: number): Map<string, EffectiveSite> {
  const s = strength ?? file.params.strength;
  checkStrength(s);
  const out = new Map<string, EffectiveSite>();
  for (const [id, site] of Object.entries(file.sites)) {
    out.set(id, site.bias ? { gain: applyStrength(site.gain, s), bias: scaleBias(site.bias, s) } : { gain: applyStrength(site.gain, s) });
  }
  return out;
}
