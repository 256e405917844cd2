// Opening a finished profile folder that the extension did not make itself: one written by
// `aura-lens profile --out DIR` or merged from cluster shards by `aura-lens merge`. It becomes the
// same ProfileOutcome that Profile Concept produces, so the panel, the intervention and the exports
// treat it like any other. Runs in the model process: the AUROC files and the statistics' reads of
// the response matrices (tens of MB) never block the extension host.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../engine/errors';
import { readAurocs } from '../../aura/profile/score';
import { boundPath } from '../../aura/profile/sketch-profile';
import { requireManifest } from '../../aura/profile/store';
import { expertsSnapshot } from '../experts-snapshot';
import { expertStatsFrom } from '../panel-feeds';
import { expertsToWire } from './experts-wire';
import { stabilityStatsFrom } from '../panel-stability';
import { panelAurocs, panelStatistics } from './panel-stats';
import type { ProfileManifest } from '../../aura/profile/store';
import type { LanguageModel } from '../../engine/model';
import type { CallOptions, OpenProfileRequest, ProfileOutcome } from './api';

export async function openProfileFolder(model: LanguageModel, req: OpenProfileRequest, call: CallOptions): Promise<ProfileOutcome> {
  const started = performance.now();
  call.onProgress?.({ stage: 'Reading the profile', done: 0, total: 2 });
  // Refuses a folder without an aura-lens manifest, another profile version, and an unmerged shard.
  const m = requireManifest(req.dir);
  checkModel(m, model, req.dir);
  // summary.json is written last, when every AUROC is on disk: without it the run was interrupted.
  if (!existsSync(join(req.dir, 'summary.json'))) {
    throw new UserError(`${req.dir}: the profile is incomplete (no summary.json); run its "aura-lens profile" command again to finish it`);
  }
  const { sites } = readAurocs(req.dir, req.pooling);
  const modelSites = model.sites.map((s) => ({ id: s.id, layer: s.layer, kind: s.kind, neurons: s.neurons }));
  const facts = { source: m.data.source, positives: m.data.positives, negatives: m.data.negatives, pooling: req.pooling };
  call.signal?.throwIfAborted();
  const ranked = expertsSnapshot(sites, modelSites, facts);
  const base = {
    dir: req.dir,
    reused: true,
    source: m.data.source,
    positives: m.data.positives,
    negatives: m.data.negatives,
    pooling: req.pooling,
    aurocs: sites,
    experts: expertsToWire(ranked),
  };
  if (m.sketch) {
    // The ranking needs only the AUROCs, which a sketch has (with a proven bound); intervals,
    // q-values and per-neuron distributions need the responses, which a sketch does not keep.
    const bound = maxBound(req.dir, m, req.pooling);
    const warnings = [
      `sketch profile: AUROCs from ${m.sketch.bins}-bin histograms, each within ${bound.toPrecision(3)} of the exact value; it keeps no responses, so it has no intervals, q-values or response distributions`,
    ];
    return { ...base, warnings, seconds: (performance.now() - started) / 1000 };
  }
  call.onProgress?.({ stage: 'Intervals, q-values and transport fits (or their cache)', done: 1, total: 2 });
  // As after Profile Concept.
  const { stats, transport, notes } = await panelStatistics(req.dir, req.pooling);
  // With the held-out column, the table ranks (and the panel fits) on the ranking part only.
  const ranking = panelAurocs(stats, sites);
  const held = expertsSnapshot(ranking, modelSites, facts);
  const stability = stabilityStatsFrom(req.dir, req.pooling, held);
  const experts = expertsToWire({ ...held, stats: { ...expertStatsFrom(stats, held), ...stability } });
  const warnings = [...stats.warnings, ...(stability.stability?.warning ? [stability.stability.warning] : [])];
  return { ...base, aurocs: ranking, experts, stats, tooSmall: stats.tooSmall, warnings, transport, notes, seconds: (performance.now() - started) / 1000 };
}

/** The profile's AUROCs belong to the model it was made on: another model's neurons are other neurons. */
function checkModel(m: ProfileManifest, model: LanguageModel, dir: string): void {
  if (typeof m.model?.fingerprint !== 'string' || typeof m.data?.source !== 'string' || !Array.isArray(m.sites)) {
    throw new UserError(`${join(dir, 'manifest.json')}: lacks the model fingerprint, data or sites that "aura-lens profile" writes`);
  }
  if (m.model.fingerprint !== model.fingerprint) {
    throw new UserError(
      `${dir}: this profile belongs to another model: it was made on ${m.model.name} (fingerprint ${short(m.model.fingerprint)}), but the open model is ${model.name} (fingerprint ${short(model.fingerprint)}); open ${m.model.name} first`,
    );
  }
  const widths = new Map(model.sites.map((s) => [s.id, s.neurons]));
  for (const s of m.sites) {
    const n = widths.get(s.id);
    if (n !== undefined && n !== s.neurons) throw new UserError(`${join(dir, 'manifest.json')}: site ${s.id} has ${s.neurons} neurons, but the open model's has ${n}`);
  }
}

function short(fingerprint: string): string {
  return fingerprint.length > 20 ? `${fingerprint.slice(0, 20)}…` : fingerprint;
}

/** The largest proven AUROC error bound of the sketch over every profiled neuron. */
function maxBound(dir: string, m: ProfileManifest, pooling: 'max' | 'mean'): number {
  let worst = 0;
  for (const s of m.sites) {
    const path = boundPath(dir, s.id, pooling);
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch {
      throw new UserError(`${path}: missing (the sketch profile is incomplete; run its "aura-lens profile" command again)`);
    }
    if (buf.length !== s.neurons * 8) throw new UserError(`${path}: expected ${s.neurons} bounds, found ${buf.length / 8}`);
    for (const b of new Float64Array(Uint8Array.from(buf).buffer)) worst = Math.max(worst, b);
  }
  return worst;
}
