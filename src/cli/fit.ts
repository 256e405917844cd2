import { fitIntervention, methodNames } from '../aura/methods';
import { interventionFromFit, writeInterventionFile } from '../aura/intervention-file';
import { readAurocs } from '../aura/profile/score';
import { requireManifest } from '../aura/profile/store';
import { profileStatistics } from '../aura/stats/significance';
import { TRANSPORT_METHODS, isTransportMethod, transportFit, transportSitesFromProfile } from '../aura/transport';
import { UserError } from '../engine/errors';
import { restrictToSites } from '../aura/site-mask';
import { num, parse, positional, requireStr, str } from './args';
import { makeOutput } from './output';
import type { SiteAuroc } from '../aura/experts';
import type { FitResult } from '../aura/methods';
import type { ProfileStats } from '../aura/stats/significance';
import type { Pooling } from '../aura/profile/store';

const USAGE = `aura-lens fit DIR --method ${[...methodNames(), ...TRANSPORT_METHODS].join('|')} --out FILE`;

export async function fitCommand(argv: string[]): Promise<void> {
  const p = parse(argv, {
    method: 'string',
    k: 'string',
    alpha: 'string',
    strength: 'string',
    pooling: 'string',
    out: 'string',
    'max-q': 'string',
    'min-auroc': 'string',
    'held-out': 'string',
    bootstrap: 'string',
    confidence: 'string',
    permutations: 'string',
    seed: 'string',
    sites: 'string',
  });
  const dir = positional(p, 0, `DIR, a profile folder (usage: ${USAGE})`);
  const method = requireStr(p.flags, 'method');
  const all = [...methodNames(), ...TRANSPORT_METHODS];
  if (!all.includes(method)) throw new UserError(`--method: expected one of ${all.join(', ')}, got "${method}"`);
  const out = requireStr(p.flags, 'out');
  const k = num(p.flags, 'k', { min: 1, integer: true });
  const alpha = num(p.flags, 'alpha', { min: 0, max: 1 });
  const strength = num(p.flags, 'strength', { min: 0, max: 1 }) ?? 1;
  const pooling = str(p.flags, 'pooling');
  if (pooling !== undefined && pooling !== 'max' && pooling !== 'mean') throw new UserError(`--pooling: expected max or mean, got "${pooling}"`);
  const maxQ = num(p.flags, 'max-q', { min: 0, max: 1 });
  const minAuroc = num(p.flags, 'min-auroc', { min: 0, max: 1 });
  const heldOut = num(p.flags, 'held-out', { min: 0, max: 1 });
  if (heldOut !== undefined && !(heldOut > 0 && heldOut < 1)) throw new UserError(`--held-out: expected a fraction strictly between 0 and 1, got "${heldOut}"`);
  const resamples = num(p.flags, 'bootstrap', { min: 0, max: 100000, integer: true }) ?? 200;
  const confidence = num(p.flags, 'confidence', { min: 0.5, max: 0.999 }) ?? 0.95;
  const permutations = num(p.flags, 'permutations', { min: 0, max: 1000, integer: true }) ?? 10;
  const seed = num(p.flags, 'seed', { integer: true }) ?? 0;
  if (isTransportMethod(method) && (k !== undefined || alpha !== undefined)) {
    throw new UserError(`--${k !== undefined ? 'k' : 'alpha'}: ${method} takes neither k nor alpha (its map comes from the responses)`);
  }
  const o = makeOutput(!!p.flags.json);
  const manifest = requireManifest(dir);
  const statsPooling = (pooling as Pooling | undefined) ?? manifest.pooling;
  o.log(`fit: statistics of ${manifest.sites.reduce((a, s) => a + s.neurons, 0)} neurons (${resamples} bootstrap resamples, ${permutations} permutations)`);
  const stats = profileStatistics(dir, {
    pooling: statsPooling,
    resamples,
    confidence,
    permutations,
    seed,
    ...(heldOut !== undefined ? { heldOut } : {}),
    ...(maxQ !== undefined ? { maxQ } : {}),
  });
  // The ranking sees the AUROCs of the ranking part only when some examples are held out.
  const sites: SiteAuroc[] = heldOut !== undefined ? stats.sites.map((s) => ({ siteId: s.id, auroc: s.auroc })) : readAurocs(dir, statsPooling).sites;
  const siteIds = str(p.flags, 'sites')?.split(',').map((x) => x.trim()).filter(Boolean);
  const picked = selection(stats, sites, maxQ, minAuroc);
  const keep = siteIds ? restrictToSites(sites, siteIds, picked) : picked;
  let fit: FitResult;
  if (isTransportMethod(method)) {
    fit = transportFit(method, transportSitesFromProfile(dir, method, heldOut, seed), strength, keep);
  } else {
    // Neurons outside the selection get AUROC 0: no method picks them (AurA dampens only above 0.5).
    const selected = keep ? sites.map((s) => ({ siteId: s.siteId, auroc: s.auroc.map((a, i) => (keep.get(s.siteId)![i] ? a : 0)) })) : sites;
    if (keep && k !== undefined) {
      const kept = [...keep.values()].reduce((a, m) => a + m.reduce((x, y) => x + y, 0), 0);
      if (k > kept) throw new UserError(`--k: ${k} experts asked for, but only ${kept} neurons pass --max-q/--min-auroc/--sites`);
    }
    fit = fitIntervention(method, selected, { strength, ...(k !== undefined ? { k } : {}), ...(alpha !== undefined ? { alpha } : {}) });
  }
  const file = interventionFromFit(fit, {
    model: manifest.model,
    pooling: isTransportMethod(method) ? 'mean' : statsPooling,
    data: { positives: manifest.data.positives, negatives: manifest.data.negatives, source: manifest.data.source },
    aurocs: new Map(sites.map((s) => [s.siteId, s.auroc])),
  });
  await writeInterventionFile(out, file);
  const result = {
    out,
    method,
    experts: fit.experts,
    neurons: fit.neurons,
    strength,
    k: fit.k,
    alpha: fit.alpha,
    ...(maxQ !== undefined ? { maxQ } : {}),
    ...(minAuroc !== undefined ? { minAuroc } : {}),
    ...(siteIds ? { sites: siteIds } : {}),
    ...(heldOut !== undefined ? { heldOut: heldOutReport(fit, stats) } : {}),
    stats: statsReport(stats),
    tooSmall: stats.tooSmall,
    warnings: stats.warnings,
  };
  for (const w of stats.warnings) o.log(`warning: ${w}`);
  o.result(
    result,
    [
      `${method}: ${fit.experts} experts of ${fit.neurons} neurons, written to ${out}`,
      `significant experts: ${stats.summary.significant} with q <= ${stats.summary.maxQ}; ${stats.summary.nearChance} with AUROC > 0.5 have a ${Math.round(confidence * 100)}% interval reaching 0.5`,
      ...stats.warnings.map((w) => `warning: ${w}`),
    ].join('\n'),
  );
}

/** Per site, 1 for neurons that pass --max-q and --min-auroc; undefined when neither is given. */
function selection(stats: ProfileStats, sites: SiteAuroc[], maxQ: number | undefined, minAuroc: number | undefined): Map<string, Uint8Array> | undefined {
  if (maxQ === undefined && minAuroc === undefined) return undefined;
  const byId = new Map(stats.sites.map((s) => [s.id, s]));
  return new Map(
    sites.map((s) => {
      const st = byId.get(s.siteId)!;
      return [s.siteId, Uint8Array.from(s.auroc, (a, i) => ((maxQ === undefined || st.q[i]! <= maxQ) && (minAuroc === undefined || a >= minAuroc) ? 1 : 0))];
    }),
  );
}

/** The experts the intervention changes: their AUROC on the ranking part and on the held-out part. */
function heldOutReport(fit: FitResult, stats: ProfileStats) {
  const byId = new Map(stats.sites.map((s) => [s.id, s]));
  let n = 0;
  let rank = 0;
  let held = 0;
  for (const s of fit.sites) {
    const st = byId.get(s.siteId)!;
    for (let i = 0; i < s.gain.length; i++) {
      if (s.gain[i] === 1 && (!s.bias || s.bias[i] === 0)) continue;
      n++;
      rank += st.auroc[i]!;
      held += st.heldOutAuroc![i]!;
    }
  }
  return { ...stats.heldOut, experts: n, meanRankAuroc: n ? rank / n : null, meanHeldOutAuroc: n ? held / n : null };
}

/** The summary for JSON: counts and the null; per-neuron arrays stay with profileStatistics for the panel. */
export function statsReport(stats: ProfileStats) {
  return {
    pooling: stats.pooling,
    positives: stats.positives,
    negatives: stats.negatives,
    confidence: stats.confidence,
    resamples: stats.resamples,
    ...stats.summary,
    ...(stats.null ? { null: stats.null } : {}),
  };
}
