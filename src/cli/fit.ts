import { fitIntervention, methodNames } from '../aura/methods';
import { interventionFromFit, writeInterventionFile } from '../aura/intervention-file';
import { readAurocs } from '../aura/profile/score';
import { requireResponses } from '../aura/profile/sketch-refusal';
import { requireManifest } from '../aura/profile/store';
import { profileStatistics } from '../aura/stats/significance';
import { TRANSPORT_METHODS, isTransportMethod, transportFit, transportSitesFromProfile } from '../aura/transport';
import { UserError } from '../engine/errors';
import * as v from 'valibot';
import { command, list, number, oneOf, parseCommand, positionals, required, requiredOneOf, rule } from './flag-schema';
import { checkOutputFile } from './output-file';
import { makeOutput, statsProgress } from './output';
import { combineCommand } from './combine';
import { restrictToSites } from '../aura/site-mask';
import type { SiteAuroc } from '../aura/experts';
import type { FitResult } from '../aura/methods';
import type { ProfileStats } from '../aura/stats/significance';
import type { Pooling } from '../aura/profile/store';
import { guardOutputFile } from '../aura/output-guard';

const METHODS = [...methodNames(), ...TRANSPORT_METHODS];
const USAGE = `aura-lens fit DIR --method ${METHODS.join('|')} --out FILE`;

const FIT = v.pipe(
  command({
    _: positionals([`DIR, a profile folder (usage: ${USAGE})`]),
    method: requiredOneOf('method', METHODS),
    out: required('out'),
    k: number('k', { min: 1, integer: true }),
    alpha: number('alpha', { min: 0, max: 1 }),
    strength: number('strength', { min: 0, max: 1 }),
    pooling: oneOf('pooling', ['max', 'mean']),
    'max-q': number('max-q', { min: 0, max: 1 }),
    'min-auroc': number('min-auroc', { min: 0, max: 1 }),
    'held-out': number('held-out', { min: 0, max: 1 }),
    bootstrap: number('bootstrap', { min: 0, max: 100000, integer: true }),
    confidence: number('confidence', { min: 0.5, max: 0.999 }),
    permutations: number('permutations', { min: 0, max: 1000, integer: true }),
    seed: number('seed', { integer: true }),
    sites: list('sites'),
  }),
  rule((o) => o['held-out'] === undefined || (o['held-out'] > 0 && o['held-out'] < 1), (o) => `--held-out: expected a fraction strictly between 0 and 1, got "${o['held-out']}"`),
  rule(
    (o) => !isTransportMethod(o.method) || (o.k === undefined && o.alpha === undefined),
    (o) => `--${o.k !== undefined ? 'k' : 'alpha'}: ${o.method} takes neither k nor alpha (its map comes from the responses)`,
  ),
  v.transform((o) => ({
    dir: o._[0]!,
    method: o.method,
    out: o.out,
    k: o.k,
    alpha: o.alpha,
    strength: o.strength ?? 1,
    pooling: o.pooling,
    maxQ: o['max-q'],
    minAuroc: o['min-auroc'],
    heldOut: o['held-out'],
    resamples: o.bootstrap ?? 200,
    confidence: o.confidence ?? 0.95,
    permutations: o.permutations ?? 10,
    seed: o.seed ?? 0,
    siteIds: o.sites,
    json: o.json,
  })),
);

export type FitOptions = v.InferOutput<typeof FIT>;

/** Every flag of `fit`, checked before the statistics run. */
export function fitOptions(argv: string[]): FitOptions {
  return parseCommand('fit', argv, FIT);
}

export async function fitCommand(argv: string[]): Promise<void> {
  // `fit --combine A.json,B.json` combines intervention files instead of fitting a profile: its own flags.
  if (argv.includes('--combine')) return combineCommand(argv);
  const { dir, method, out, k, alpha, strength, pooling, maxQ, minAuroc, heldOut, resamples, confidence, permutations, seed, json, siteIds } = fitOptions(argv);
  checkOutputFile('out', out);
  guardOutputFile('--out', out, 'intervention', { inputs: [{ path: dir, what: 'the profile folder it reads' }] });
  const o = makeOutput(json);
  const manifest = requireManifest(dir);
  // --k against the profile's neurons now, not after the statistics (it cannot exceed them).
  const total = manifest.sites.reduce((a, s) => a + s.neurons, 0);
  if (k !== undefined && k > total) throw new UserError(`--k: ${k} experts asked for, but the sites have only ${total} neurons`);
  const statsPooling = (pooling as Pooling | undefined) ?? manifest.pooling;
  // A sketch profile has AUROCs but no responses: AurA, Damp and Det0 fit from the AUROCs alone; what
  // needs the responses (transport, --max-q, --held-out) is refused in one line by the aura layer.
  const sketchOnly = !!manifest.sketch && !isTransportMethod(method) && maxQ === undefined && heldOut === undefined;
  if (sketchOnly) o.log(`fit: ${dir} is a sketch profile: fitting from its AUROCs, without significance statistics (they need each example's responses)`);
  else o.log(`fit: statistics of ${manifest.sites.reduce((a, s) => a + s.neurons, 0)} neurons (${resamples} bootstrap resamples, ${permutations} permutations)`);
  if (isTransportMethod(method)) requireResponses(dir, manifest, `the transport method ${method} (a map fitted to the responses)`);
  const stats = sketchOnly ? undefined : profileStatistics(dir, {
    pooling: statsPooling,
    resamples,
    confidence,
    permutations,
    seed,
    onProgress: statsProgress('fit', o.log),
    ...(heldOut !== undefined ? { heldOut } : {}),
    ...(maxQ !== undefined ? { maxQ } : {}),
  });
  // The ranking sees the AUROCs of the ranking part only when some examples are held out.
  const sites: SiteAuroc[] = stats && heldOut !== undefined ? stats.sites.map((s) => ({ siteId: s.id, auroc: s.auroc })) : readAurocs(dir, statsPooling).sites;
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
  // An intervention that changes nothing is legal but surprising: say why it is empty.
  const base = stats?.warnings ?? [];
  const warnings = fit.experts === 0 ? [...base, noExpertsWarning(maxQ, minAuroc)] : base;
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
    ...(stats && heldOut !== undefined ? { heldOut: heldOutReport(fit, stats) } : {}),
    stats: stats ? statsReport(stats) : null,
    tooSmall: stats?.tooSmall ?? false,
    warnings,
  };
  for (const w of warnings) o.log(`warning: ${w}`);
  o.result(
    result,
    [
      `${method}: ${fit.experts} experts of ${fit.neurons} neurons, written to ${out}`,
      stats
        ? `significant experts: ${stats.summary.significant} with q <= ${stats.summary.maxQ}; ${stats.summary.nearChance} with AUROC > 0.5 have a ${Math.round(confidence * 100)}% interval reaching 0.5`
        : 'no significance statistics: a sketch profile keeps no per-example responses',
      ...warnings.map((w) => `warning: ${w}`),
    ].join('\n'),
  );
}

function noExpertsWarning(maxQ: number | undefined, minAuroc: number | undefined): string {
  const by = [maxQ !== undefined ? `--max-q ${maxQ}` : '', minAuroc !== undefined ? `--min-auroc ${minAuroc}` : ''].filter(Boolean).join(' and ');
  return `0 experts: the intervention changes nothing${by ? ` (no neuron passes ${by})` : ' (no neuron has AUROC above 0.5)'}`;
}

/** Per site, 1 for neurons that pass --max-q and --min-auroc; undefined when neither is given. */
function selection(stats: ProfileStats | undefined, sites: SiteAuroc[], maxQ: number | undefined, minAuroc: number | undefined): Map<string, Uint8Array> | undefined {
  if (maxQ === undefined && minAuroc === undefined) return undefined;
  const byId = new Map(stats?.sites.map((s) => [s.id, s]));
  return new Map(
    sites.map((s) => {
      const st = byId.get(s.siteId);
      return [s.siteId, Uint8Array.from(s.auroc, (a, i) => ((maxQ === undefined || st!.q[i]! <= maxQ) && (minAuroc === undefined || a >= minAuroc) ? 1 : 0))];
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
