// Every message is validated on arrival: the host drops malformed page messages (and logs them),
// the page drops malformed host messages; valid ones come through with only their known fields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { objectSource, readConfig } from '../../src/host/config';
import { memoryLogger } from '../../src/host/logger';
import { Workbench } from '../../src/host/workbench';
import { PanelController } from '../../src/panel/panel-controller';
import { parseHostMessage, parsePageMessage } from '../../src/shared/protocol';
import type { ModelHost } from '../../src/host/model-host/api';
import type { HostMessage } from '../../src/shared/protocol';

const INVALID_PAGE: unknown[] = [
  null,
  42,
  'ready',
  [],
  {},
  { type: 'nope' },
  { type: 'setIntervention' },
  { type: 'setIntervention', settings: { method: 'aura', strength: 1.5, k: null, alpha: null } },
  { type: 'setIntervention', settings: { method: 'evil', strength: 1, k: null, alpha: null } },
  { type: 'setIntervention', settings: { method: 'damp', strength: 1, k: -3, alpha: 0.5 } },
  { type: 'setIntervention', settings: { method: 'damp', strength: 1, k: 2.5, alpha: 0.5 } },
  { type: 'setIntervention', settings: { method: 'damp', strength: NaN, k: null, alpha: 0.5 } },
  { type: 'setOverride', site: 's', neuron: -1, gain: 0 },
  { type: 'setOverride', site: 's', neuron: 1, gain: 3 },
  { type: 'setOverride', site: 7, neuron: 1, gain: 0 },
  { type: 'selectNeuron', site: 's', neuron: '3' },
  { type: 'runPreview', prompt: 7 },
  { type: 'runPreview', prompt: 'x'.repeat(20_001) },
  { type: 'export', format: 'exe' },
];

test('the host rejects malformed page messages', () => {
  for (const m of INVALID_PAGE) assert.equal(parsePageMessage(m), undefined, JSON.stringify(m)?.slice(0, 80));
});

test('valid page messages keep only their known fields', () => {
  assert.deepEqual(parsePageMessage({ type: 'ready', extra: 1 }), { type: 'ready' });
  assert.deepEqual(parsePageMessage({ type: 'setIntervention', settings: { method: 'det0', strength: 0.5, k: 3, alpha: null, evil: true } }), {
    type: 'setIntervention',
    settings: { method: 'det0', strength: 0.5, k: 3, alpha: null },
  });
  assert.deepEqual(parsePageMessage({ type: 'setOverride', site: 's', neuron: 2, gain: null }), { type: 'setOverride', site: 's', neuron: 2, gain: null });
  for (const type of ['openModelFolder', 'importIntervention', 'evaluate', 'profile', 'useDemoModel', 'cancelPreview']) assert.deepEqual(parsePageMessage({ type }), { type });
});

test('the page rejects malformed host messages', () => {
  const bad: unknown[] = [
    { type: 'didChangeExperts', experts: { site: [0], neuron: [1, 2], auroc: [0.5], sites: [] } },
    { type: 'didChangeIntervention', intervention: { method: 'aura', strength: 1, k: null, alpha: null, overrides: [], affected: -1 } },
    { type: 'didUpdatePreview', preview: { runId: 1, original: 3, intervened: '' } },
    { type: 'didChangeProgress', progress: { task: null, done: 'x', total: 1 } },
    { type: 'didEvaluate', evaluation: { prompts: 1, samples: 1, scorer: 'x', baseline: {}, intervened: {} } },
    { type: 'didError' },
    { type: 'didSomethingElse' },
  ];
  for (const m of bad) assert.equal(parseHostMessage(m), undefined, JSON.stringify(m));
  assert.ok(parseHostMessage({ type: 'didChangeModel', model: null }));
});

function panel() {
  const log = memoryLogger();
  const host = { dispose: async () => undefined } as unknown as ModelHost;
  const config = readConfig(objectSource({}), true);
  const wb = new Workbench({ host, log, cacheRoot: '/nonexistent', config: () => config, demo: () => ({ root: '', model: '', concept: '', prompts: '', neutral: '' }) });
  const posted: HostMessage[] = [];
  const actions: string[] = [];
  const record = (name: string) => () => void actions.push(name);
  const controller = new PanelController(wb, (m) => posted.push(m), {
    useDemoModel: record('useDemoModel'),
    openModelFolder: record('openModelFolder'),
    profile: record('profile'),
    importIntervention: record('importIntervention'),
    evaluate: record('evaluate'),
    exportIntervention: (f) => void actions.push(`export:${f}`),
  }, log);
  return { wb, log, posted, actions, controller };
}

test('the panel controller drops and logs invalid messages, and answers ready with every snapshot', () => {
  const { log, posted, controller } = panel();
  controller.receive({ type: 'setIntervention', settings: 'all of them' });
  controller.receive({ type: 'runPreview' });
  assert.equal(posted.length, 0);
  assert.equal(log.lines.filter((l) => l.includes('dropped an invalid message')).length, 2);
  controller.receive({ type: 'ready' });
  assert.deepEqual(posted.map((m) => m.type), ['didListMethods', 'didChangeModel', 'didChangeExperts', 'didChangeIntervention', 'didChangeProgress']);
  controller.dispose();
});

test('page actions reach the host: settings change the intervention, buttons run commands', () => {
  const { posted, actions, controller } = panel();
  controller.receive({ type: 'setIntervention', settings: { method: 'damp', strength: 0.25, k: 4, alpha: 0.1 } });
  const iv = posted.find((m) => m.type === 'didChangeIntervention');
  assert.ok(iv && iv.type === 'didChangeIntervention');
  assert.deepEqual({ method: iv.intervention.method, strength: iv.intervention.strength, k: iv.intervention.k, alpha: iv.intervention.alpha }, { method: 'damp', strength: 0.25, k: 4, alpha: 0.1 });
  for (const type of ['useDemoModel', 'openModelFolder', 'profile', 'importIntervention', 'evaluate']) controller.receive({ type });
  controller.receive({ type: 'export', format: 'onnx' });
  assert.deepEqual(actions, ['useDemoModel', 'openModelFolder', 'profile', 'importIntervention', 'evaluate', 'export:onnx']);
  controller.receive({ type: 'runPreview', prompt: 'hello' });
  const error = posted.find((m) => m.type === 'didError');
  assert.ok(error && error.type === 'didError' && /no model is open/.test(error.message), 'a preview without a model is a clear error');
  controller.dispose();
});

test('an imported Damp intervention with alpha above 1 passes the page check and the host check alike (issue 10 item 5)', () => {
  const settings = { method: 'damp', strength: 1, k: 3, alpha: 1.5 } as const;
  assert.deepEqual(parsePageMessage({ type: 'setIntervention', settings }), { type: 'setIntervention', settings });
  const intervention = { ...settings, overrides: [{ site: 's', neuron: 0, gain: 1.5 }], affected: 3, importedFrom: '/tmp/x.json' };
  assert.deepEqual(parseHostMessage({ type: 'didChangeIntervention', intervention }), { type: 'didChangeIntervention', intervention });
});
