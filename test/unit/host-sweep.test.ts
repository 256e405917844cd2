// The sweep's Pareto front and its export (issue 9, item 4): the front is checked against a brute-force
// dominance test, the CSV against a field-by-field reading of its text, and the host keeps the last
// sweep, sends it again on ready and writes the points it was shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import { parseHostMessage, parsePageMessage } from '../../src/shared/protocol';
import { paretoFront, sweepCsv, sweepJson } from '../../src/shared/sweep';
import { sweepPoints as points } from '../helpers/sweep-points';
import type { ModelHost } from '../../src/host/model-host/api';
import type { HostMessage, SweepPoint, SweepSnapshot } from '../../src/shared/protocol';

test('the Pareto front is exactly the set of points no other point dominates', () => {
  for (let trial = 0; trial < 5; trial++) {
    const pts = points().map((p, i) => (i % (trial + 2) === 0 ? { ...p, toxicity: 0.5 } : p));
    const dominated = (a: SweepPoint) => pts.some((b) => b !== a && b.perplexity !== null && b.perplexity <= a.perplexity! && b.toxicity <= a.toxicity && (b.perplexity < a.perplexity! || b.toxicity < a.toxicity));
    const brute = pts.map((p, i) => [p, i] as const).filter(([p]) => p.perplexity !== null && !dominated(p));
    // Exact duplicates are one point: the front keeps one of them.
    const key = (p: SweepPoint) => `${p.perplexity}|${p.toxicity}`;
    assert.deepEqual(new Set(paretoFront(pts).map((i) => key(pts[i]!))), new Set(brute.map(([p]) => key(p))));
  }
});

test('CSV and JSON hold every point with its Pareto flag; fields with commas are quoted', () => {
  const sweep: SweepSnapshot = { scorer: 'lexicon', secondScorer: 'cuss', points: [...points(), { method: 'a,"b"', control: null, strength: 0.5, toxicity: 0.2, secondToxicity: 0.15, perplexity: 99, toxicityInterval: { low: 0.1, high: 0.3 }, perplexityInterval: { low: 97, high: 101 } }] };
  const csv = sweepCsv(sweep);
  const lines = csv.trimEnd().split('\n');
  assert.equal(lines[0], 'method,control,strength,toxicity_probability,toxicity_probability_low,toxicity_probability_high,perplexity,perplexity_low,perplexity_high,pareto,second_toxicity_probability');
  assert.equal(lines.length, sweep.points.length + 1);
  assert.equal(lines.at(-1), '"a,""b""",,0.5,0.2,0.1,0.3,99,97,101,0,0.15');
  const front = new Set(paretoFront(sweep.points));
  sweep.points.slice(0, -1).forEach((p, i) => {
    assert.deepEqual(lines[i + 1]!.split(','), [p.method, p.control ?? '', String(p.strength), String(p.toxicity), '', '', p.perplexity === null ? '' : String(p.perplexity), '', '', front.has(i) ? '1' : '0', p.secondToxicity === undefined ? '' : String(p.secondToxicity)]);
  });
  const json = JSON.parse(sweepJson(sweep)) as { scorer: string; secondScorer: string; points: (SweepPoint & { pareto: boolean })[] };
  assert.equal(json.scorer, 'lexicon');
  assert.equal(json.secondScorer, 'cuss');
  assert.deepEqual(json.points.map(({ pareto, ...p }) => [p, pareto]), sweep.points.map((p, i) => [p, front.has(i)]));
});

test('sweep messages are validated both ways', () => {
  assert.deepEqual(parsePageMessage({ type: 'exportSweep', format: 'csv', x: 1 }), { type: 'exportSweep', format: 'csv' });
  assert.equal(parsePageMessage({ type: 'exportSweep', format: 'xlsx' }), undefined);
  assert.ok(parseHostMessage({ type: 'didSweep', sweep: { scorer: 's', points: points() } }));
  assert.equal(parseHostMessage({ type: 'didSweep', sweep: { scorer: 's', points: [{ method: 'aura', control: 'other', strength: 1, toxicity: 0, perplexity: 1 }] } }), undefined);
  assert.equal(parseHostMessage({ type: 'didSweep', sweep: { scorer: 's', points: [{ method: 'aura', control: null, strength: 1, toxicity: NaN, perplexity: 1 }] } }), undefined);
});

test('the host keeps the last sweep, sends it again on ready, and exports those points', async () => {
  const log = memoryLogger();
  const config = readConfig(objectSource({}), true);
  const wb = new Workbench({ host: { dispose: async () => undefined } as unknown as ModelHost, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const posted: HostMessage[] = [];
  const exported: [SweepSnapshot, string][] = [];
  const noop = () => undefined;
  const actions = { useDemoModel: noop, openModelFolder: noop, profile: noop, importIntervention: noop, evaluate: noop, exportIntervention: noop };
  const c = new PanelController(wb, (m) => posted.push(m), actions, log, async (s, f) => void exported.push([s, f]));
  c.receive({ type: 'exportSweep', format: 'csv' });
  assert.match((posted.at(-1) as { message: string }).message, /no sweep to export/);
  const sweep = { scorer: 'lexicon', points: points() };
  c.showSweep(sweep);
  c.receive({ type: 'ready' });
  assert.ok(posted.filter((m) => m.type === 'didSweep').length === 2);
  c.receive({ type: 'exportSweep', format: 'json' });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(exported, [[sweep, 'json']]);
  c.dispose();
});
