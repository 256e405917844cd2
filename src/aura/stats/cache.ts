/**
 * The panel's statistics (intervals, q-values, the permutation null, the held-out column) and the
 * transport fits, kept in the profile folder's `cache/` so reopening a profile reads them instead of
 * recomputing (they are most of a reopen's time). Each file is keyed by the profile's content
 * fingerprint and every setting the result depends on; another key recomputes and replaces it. A
 * missing, truncated or altered file is ignored with a log line, never an error, and a folder that
 * cannot be written (read-only) only costs the recomputation next time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { ProfileStatsSchema } from '../../shared/model-messages';
import { aurocPath, readProfileFile, requireManifest, responsesPath } from '../profile/store';
import { TRANSPORT_METHODS, transportSitesFromProfile } from '../transport';
import { readCacheFile, writeCacheFile } from './cache-file';
import { profileStatistics, statsSettings } from './significance';
import type { CachedArray } from './cache-file';
import type { TransportMethod, TransportSite } from '../transport';
import type { ProfileStats, SiteStats, StatsOptions } from './significance';

/** Bump when the statistics or the transport fits change what they compute: old caches then miss. */
// 2: the held-out column's statistics describe the ranking part (issue 20, item 1).
export const STATS_CACHE_VERSION = 2;
export const CACHE_FOLDER = 'cache';

export const statisticsCachePath = (dir: string, pooling: 'max' | 'mean') => join(dir, CACHE_FOLDER, `statistics.${pooling}.bin`);
export const transportCachePath = (dir: string) => join(dir, CACHE_FOLDER, 'transport.bin');

export interface CacheDeps<T> {
  /** One line per cache event (used, ignored and why, written, not writable). */
  log: (line: string) => void;
  /** What computes the result on a miss (tests count its calls). */
  compute?: () => T;
}

/**
 * What the profile's statistics are computed from: the manifest (model fingerprint, data hash,
 * sites, settings), the labels, and every AUROC file, which is a function of the response matrices,
 * with the matrices' sizes. Reading the matrices themselves (GBs for a large model) would cost more
 * than the statistics; the AUROC files are KBs to MBs and change whenever the responses do.
 */
export function profileContentFingerprint(dir: string): string {
  const m = requireManifest(dir);
  const h = createHash('sha256');
  const add = (label: string, data: Uint8Array | string) => {
    h.update(`${label}\u0000${data.length}\u0000`);
    h.update(data);
  };
  add('manifest', readProfileFile(dir, 'manifest.json'));
  add('order', readProfileFile(dir, 'order.json'));
  for (const s of m.sites) {
    for (const pooling of ['max', 'mean'] as const) {
      const a = aurocPath(dir, s.id, pooling);
      add(`auroc ${s.id} ${pooling}`, existsSync(a) ? readFileSync(a) : '-');
      const r = responsesPath(dir, s.id, pooling);
      add(`responses ${s.id} ${pooling}`, existsSync(r) ? String(statSync(r).size) : '-');
    }
  }
  return `sha256:${h.digest('hex')}`;
}

function cacheKey(kind: string, content: string, settings: unknown): string {
  return createHash('sha256').update(JSON.stringify({ version: STATS_CACHE_VERSION, kind, content, settings })).digest('hex');
}

const STATS_KIND = 'statistics';
const COLUMNS = ['auroc', 'ciLow', 'ciHigh', 'p', 'q', 'heldOutAuroc', 'rankAuroc'] as const;

/** profileStatistics(dir, o), read from the folder's cache when it was computed for this content and these settings. */
export async function cachedStatistics(dir: string, o: StatsOptions, deps: CacheDeps<ProfileStats>): Promise<{ stats: ProfileStats; cached: boolean }> {
  const settings = statsSettings(o, requireManifest(dir).pooling);
  const path = statisticsCachePath(dir, settings.pooling);
  const key = cacheKey(STATS_KIND, profileContentFingerprint(dir), settings);
  const hit = readCacheFile(path, STATS_KIND, key);
  const stats = hit instanceof Error ? undefined : statsFromCache(hit.meta, hit.arrays);
  if (stats) {
    deps.log(`statistics read from ${path} (computed earlier for this profile and these settings)`);
    return { stats, cached: true };
  }
  if (!(hit instanceof Error) || !/^no cache yet/.test(hit.message)) deps.log(`ignored the statistics cache ${path}: ${hit instanceof Error ? hit.message : "its content is not a profile's statistics"}; recomputing`);
  const computed = (deps.compute ?? (() => profileStatistics(dir, o)))();
  const arrays = new Map<string, CachedArray>();
  computed.sites.forEach((s, i) => {
    for (const c of COLUMNS) if (s[c]) arrays.set(`${i}/${c}`, s[c]!);
  });
  const meta = { ...computed, sites: computed.sites.map((s) => ({ id: s.id, neurons: s.neurons })) };
  await store(path, STATS_KIND, key, meta, arrays, deps.log);
  return { stats: computed, cached: false };
}

/** The statistics back from the cache's metadata and columns, or undefined when they do not fit together. */
function statsFromCache(meta: unknown, arrays: Map<string, CachedArray>): ProfileStats | undefined {
  if (typeof meta !== 'object' || meta === null || !Array.isArray((meta as { sites?: unknown }).sites)) return undefined;
  const m = meta as { sites: { id: unknown; neurons: unknown }[] };
  const sites = m.sites.map((s, i) => {
    const site: Record<string, unknown> = { id: s.id, neurons: s.neurons };
    for (const c of COLUMNS) if (arrays.has(`${i}/${c}`)) site[c] = arrays.get(`${i}/${c}`);
    return site;
  });
  const parsed = v.safeParse(ProfileStatsSchema, { ...m, sites });
  if (!parsed.success) return undefined;
  const out = parsed.output as ProfileStats;
  const fits = (s: SiteStats) => COLUMNS.every((c) => s[c] === undefined || s[c]!.length === s.neurons);
  return out.sites.every(fits) ? out : undefined;
}

const TRANSPORT_KIND = 'transport';
const TRANSPORT_FIELDS = ['gain', 'bias', 'lo', 'hi', 'changed'] as const;

export type TransportFitsByMethod = Map<TransportMethod, { siteId: string; fit: TransportSite }[]>;

/** Both transport methods fitted on the whole profile, read from the folder's cache when it was fitted on this content. */
export async function cachedTransportFits(dir: string, deps: CacheDeps<TransportFitsByMethod>): Promise<{ fits: TransportFitsByMethod; cached: boolean }> {
  const path = transportCachePath(dir);
  const key = cacheKey(TRANSPORT_KIND, profileContentFingerprint(dir), { methods: TRANSPORT_METHODS });
  const hit = readCacheFile(path, TRANSPORT_KIND, key);
  const fits = hit instanceof Error ? undefined : transportFromCache(hit.meta, hit.arrays);
  if (fits) {
    deps.log(`transport fits read from ${path} (fitted earlier on this profile)`);
    return { fits, cached: true };
  }
  if (!(hit instanceof Error) || !/^no cache yet/.test(hit.message)) deps.log(`ignored the transport cache ${path}: ${hit instanceof Error ? hit.message : 'its content is not transport fits'}; refitting`);
  const computed = (deps.compute ?? (() => new Map(TRANSPORT_METHODS.map((m) => [m, transportSitesFromProfile(dir, m)]))))();
  const arrays = new Map<string, CachedArray>();
  const meta: Record<string, string[]> = {};
  for (const [method, sites] of computed) {
    meta[method] = sites.map((s) => s.siteId);
    sites.forEach((s, i) => {
      for (const f of TRANSPORT_FIELDS) arrays.set(`${method}/${i}/${f}`, s.fit[f]);
    });
  }
  await store(path, TRANSPORT_KIND, key, meta, arrays, deps.log);
  return { fits: computed, cached: false };
}

const TransportMetaSchema = v.object(Object.fromEntries(TRANSPORT_METHODS.map((m) => [m, v.array(v.string())])) as Record<TransportMethod, v.ArraySchema<v.StringSchema<undefined>, undefined>>);

function transportFromCache(meta: unknown, arrays: Map<string, CachedArray>): TransportFitsByMethod | undefined {
  const parsed = v.safeParse(TransportMetaSchema, meta);
  if (!parsed.success) return undefined;
  const out: TransportFitsByMethod = new Map();
  for (const method of TRANSPORT_METHODS) {
    const sites: { siteId: string; fit: TransportSite }[] = [];
    for (const [i, siteId] of parsed.output[method].entries()) {
      const get = (f: (typeof TRANSPORT_FIELDS)[number]) => arrays.get(`${method}/${i}/${f}`);
      const [gain, bias, lo, hi, changed] = TRANSPORT_FIELDS.map(get);
      if (!(gain instanceof Float32Array && bias instanceof Float32Array && lo instanceof Float32Array && hi instanceof Float32Array && changed instanceof Uint8Array)) return undefined;
      if (![bias, lo, hi, changed].every((a) => a.length === gain.length)) return undefined;
      sites.push({ siteId, fit: { gain, bias, lo, hi, changed } });
    }
    out.set(method, sites);
  }
  return out;
}

/** Writes one cache file; a folder that cannot be written is said in the log, not thrown. */
async function store(path: string, kind: string, key: string, meta: unknown, arrays: Map<string, CachedArray>, log: (line: string) => void): Promise<void> {
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const bytes = await writeCacheFile(path, kind, key, meta, arrays);
    log(`${kind} cached in ${path} (${bytes} bytes) for the next time this profile opens`);
  } catch (e) {
    log(`could not cache the ${kind} in ${path} (${(e as Error).message}); they will be recomputed next time`);
  }
}
