// Open Profile Folder (issue 12 item 5): a profile written by the CLI (`aura-lens profile --out`), or
// merged from two shards (`aura-lens merge`), opens through the workbench like one made by Profile
// Concept: its experts are the AUROCs of the held-out column's ranking part (the sketch's: its auroc files), ranked; the neuron detail
// copes without examples.jsonl; a sketch opens with its AUROCs; another model's profile, a shard and a
// folder that is no profile are refused with a one-line reason. Needs dist/cli.js (`npm run build`).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ModelWork } from '../../src/host/model-host/model-work';
import { ProcessModelHost } from '../../src/host/model-host/process-host';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';
import { TINY, tinyWorkbench } from '../helpers/workbench';
import type { ExpertsSnapshot } from '../../src/shared/protocol';
import { heldOutSplit } from '../../src/aura/stats/split';
import { responsesPath } from '../../src/aura/profile/store';
import { PANEL_HELD_OUT } from '../../src/host/model-host/panel-stats';

const d = scratchDir('open-profile');
const DATA = join(d, 'data.jsonl');
const COMMON = ['--data', DATA, '--seq-len', '24', '--batch-size', '8', '--threads', '1'];

function cli(args: string[]): void {
  const r = runCli(args);
  assert.equal(r.status, 0, `aura-lens ${args.join(' ')}: ${r.stderr}`);
}

/** The folder's AUROC per site (read from the raw float64 files, as any other reader would). */
function aurocFiles(dir: string, pooling: 'max' | 'mean'): Map<string, Float64Array> {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { sites: { id: string; neurons: number }[] };
  return new Map(
    m.sites.map((s) => {
      const buf = readFileSync(join(dir, 'auroc', `${s.id}.${pooling}.f64`));
      assert.equal(buf.length, s.neurons * 8);
      return [s.id, new Float64Array(Uint8Array.from(buf).buffer)];
    }),
  );
}

/**
 * The panel ranks on the held-out column's ranking part (70% of each class, `fit --held-out`'s seeded
 * split): the AUROC of each neuron on those rows, by the pairwise definition over the raw responses.
 */
function rankingAurocs(dir: string, pooling: 'max' | 'mean'): Map<string, Float64Array> {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { sites: { id: string; neurons: number }[] };
  const labels = (JSON.parse(readFileSync(join(dir, 'order.json'), 'utf8')) as { labels: number[] }).labels;
  const posRows = labels.flatMap((l, r) => (l ? [r] : []));
  const negRows = labels.flatMap((l, r) => (l ? [] : [r]));
  const split = heldOutSplit(posRows.length, negRows.length, PANEL_HELD_OUT, 0);
  const pos = Array.from(split.pos.rank, (k) => posRows[k]!);
  const neg = Array.from(split.neg.rank, (k) => negRows[k]!);
  return new Map(
    m.sites.map((s) => {
      const x = new Float32Array(Uint8Array.from(readFileSync(responsesPath(dir, s.id, pooling))).buffer);
      const auroc = new Float64Array(s.neurons);
      for (let n = 0; n < s.neurons; n++) {
        let u = 0;
        for (const a of pos) for (const b of neg) u += x[a * s.neurons + n]! > x[b * s.neurons + n]! ? 1 : x[a * s.neurons + n] === x[b * s.neurons + n] ? 0.5 : 0;
        auroc[n] = u / (pos.length * neg.length);
      }
      return [s.id, auroc];
    }),
  );
}

/** Every neuron of the files appears once, with its own AUROC, in descending order. */
function assertExpertsAre(e: ExpertsSnapshot, files: Map<string, Float64Array>): void {
  const total = [...files.values()].reduce((n, a) => n + a.length, 0);
  assert.equal(e.auroc.length, total);
  const seen = new Set<string>();
  for (let i = 0; i < e.auroc.length; i++) {
    const site = e.sites[e.site[i]!]!.id;
    const key = `${site}:${e.neuron[i]}`;
    assert.ok(!seen.has(key), `${key} twice`);
    seen.add(key);
    assert.equal(e.auroc[i], files.get(site)![e.neuron[i]!], key);
    if (i > 0) assert.ok(e.auroc[i - 1]! >= e.auroc[i]!, 'ranked by AUROC, descending');
  }
}

before(() => {
  const rows = Array.from({ length: 72 }, (_, i) => ({ text: `${i % 3 ? 'you are a damn fool' : 'the weather is fine'} ${i} ${'word '.repeat(i % 7)}`, label: i % 3 ? 1 : 0 }));
  writeFileSync(DATA, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  cli(['profile', TINY, ...COMMON, '--out', join(d, 'whole')]);
  for (const i of [0, 1]) cli(['profile', TINY, ...COMMON, '--shard', `${i}/2`, '--out', join(d, `shard${i}`)]);
  cli(['merge', join(d, 'shard1'), join(d, 'shard0'), '--out', join(d, 'merged')]);
  cli(['profile', TINY, ...COMMON, '--sketch', '64', '--out', join(d, 'sketch')]);
});

describe('Open Profile Folder, in process', () => {
  let bench: ReturnType<typeof tinyWorkbench>;
  before(async () => {
    bench = tinyWorkbench(new ModelWork());
    await bench.wb.openModel(TINY, false);
  });
  after(() => bench.dispose());

  it('a CLI profile opens: the experts are the AUROCs of its auroc files, with statistics', async () => {
    const { wb } = bench;
    const p = await wb.openProfile(join(d, 'whole'));
    assert.equal(p.dir, join(d, 'whole'));
    assert.equal(p.pooling, 'max');
    assert.equal(p.positives, 48);
    assert.equal(p.negatives, 24);
    assertExpertsAre(wb.experts!, rankingAurocs(join(d, 'whole'), 'max'));
    assert.equal(p.stats?.sites.length, wb.experts!.sites.length);
    assert.ok(wb.intervention.hasAurocs);
    assert.equal(wb.intervention.snapshot().affected, wb.experts!.auroc.filter((a) => a > 0.5).length);
  });

  it('the neuron detail shows the responses and says the examples are unavailable (no examples.jsonl)', async () => {
    const { wb } = bench;
    const e = wb.experts!;
    const site = e.sites[e.site[0]!]!;
    const neuron = e.neuron[0]!;
    const detail = await wb.neuronDetail(site.id, neuron);
    assert.equal(detail.auroc, e.auroc[0]);
    assert.deepEqual(detail.topExamples, []);
    assert.match(detail.examplesNote ?? '', /examples unavailable: .*examples\.jsonl does not exist/);
    // The class means, from the response matrix and order.json read here.
    const labels = (JSON.parse(readFileSync(join(d, 'whole', 'order.json'), 'utf8')) as { labels: number[] }).labels;
    const buf = readFileSync(join(d, 'whole', 'responses', `${site.id}.max.f32`));
    const m = new Float32Array(Uint8Array.from(buf).buffer);
    const col = labels.map((_, r) => m[r * site.neurons + neuron]!);
    const mean = (want: number) => {
      const v = col.filter((_, r) => labels[r] === want);
      return v.reduce((a, b) => a + b, 0) / v.length;
    };
    assert.equal(detail.positive.length, 48);
    assert.equal(detail.negative.length, 24);
    assert.ok(Math.abs(detail.meanPositive - mean(1)) < 1e-9);
    assert.ok(Math.abs(detail.meanNegative - mean(0)) < 1e-9);
  });

  it('a profile merged from two shards opens like the single run', async () => {
    const { wb } = bench;
    const whole = wb.experts!;
    await wb.openProfile(join(d, 'merged'));
    assertExpertsAre(wb.experts!, rankingAurocs(join(d, 'merged'), 'max'));
    assert.deepEqual(wb.experts!.auroc, whole.auroc);
    assert.deepEqual(wb.experts!.neuron, whole.neuron);
  });

  it('a sketch profile opens with its AUROCs and bound; the detail refuses in one line; highlights still work', async () => {
    const { wb } = bench;
    const p = await wb.openProfile(join(d, 'sketch'));
    assertExpertsAre(wb.experts!, aurocFiles(join(d, 'sketch'), 'max'));
    assert.equal(p.stats, undefined);
    assert.match(p.warnings!.join(' '), /sketch profile: AUROCs from 64-bin histograms, each within [0-9.e-]+ of the exact value/);
    const e = wb.experts!;
    await assert.rejects(wb.neuronDetail(e.sites[e.site[0]!]!.id, e.neuron[0]!), (err: Error) => err.name === 'UserError' && /keeps no responses \(a sketch profile/.test(err.message) && !err.message.includes('\n'));
    const scores = await wb.tokenScores('you are a damn fool');
    assert.ok(scores.length > 0 && scores.every((s) => s.score >= 0 && s.score <= 1));
  });

  it('a shard, a folder that is no profile and an unfinished profile are refused, and the open profile stays', async () => {
    const { wb } = bench;
    const before = wb.profile;
    await assert.rejects(wb.openProfile(join(d, 'shard0')), /is shard 0\/2 of a profile; run "aura-lens merge"/);
    mkdirSync(join(d, 'empty'), { recursive: true });
    await assert.rejects(wb.openProfile(join(d, 'empty')), /not a profile folder/);
    await assert.rejects(wb.openProfile(join(d, 'missing')), /not a profile folder/);
    cpSync(join(d, 'whole'), join(d, 'unfinished'), { recursive: true });
    rmSync(join(d, 'unfinished', 'summary.json'));
    await assert.rejects(wb.openProfile(join(d, 'unfinished')), /unfinished: the profile is incomplete \(no summary\.json\)/);
    assert.equal(wb.profile, before);
  });
});

describe('Open Profile Folder, through the model process', () => {
  let bench: ReturnType<typeof tinyWorkbench>;
  before(() => {
    bench = tinyWorkbench(new ProcessModelHost());
  });
  after(() => bench.dispose());

  it('a profile of another model is refused, naming both models', async () => {
    const { wb } = bench;
    await wb.openModel(join(MODELS, 'llama-tiny'), false);
    await assert.rejects(wb.openProfile(join(d, 'whole')), (err: Error) => {
      assert.match(err.message, /this profile belongs to another model: it was made on gpt2-tiny \(fingerprint .+\), but the open model is llama-tiny \(fingerprint .+\); open gpt2-tiny first/);
      return true;
    });
    assert.equal(wb.profile, undefined);
  });

  it('the merged profile crosses the process boundary (schema-checked) with its experts intact', async () => {
    const { wb } = bench;
    await wb.openModel(TINY, false);
    const p = await wb.openProfile(join(d, 'merged'), { report: () => undefined });
    assert.ok(p.experts.auroc instanceof Float64Array);
    assertExpertsAre(wb.experts!, rankingAurocs(join(d, 'merged'), 'max'));
  });
});
