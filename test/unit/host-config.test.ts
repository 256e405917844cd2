// Settings are read through one typed module, with defaults equal to the manifest's, and an
// untrusted workspace cannot point the extension at files; the manifest declares every command,
// setting and capability the code relies on.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { DEFAULTS, WORKSPACE_RESTRICTED, objectSource, readConfig } from '../../src/host/config';
import { isInside, needsTrustConfirmation } from '../../src/host/trust';
import { Commands, Settings } from '../../src/shared/ids';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
const contributes = manifest.contributes;

test('defaults: an empty configuration reads as the documented defaults', () => {
  const c = readConfig(objectSource({}), true);
  assert.equal(c.modelPath, undefined);
  assert.equal(c.threads, 0);
  assert.equal(c.executionProvider, 'cpu');
  assert.equal(c.pooling, 'max');
  assert.equal(c.sequenceLength, 128);
  assert.deepEqual(c.generation, { maxNewTokens: 20, temperature: 0.7, topK: 0, topP: 0.95, seed: 0 });
  assert.deepEqual(c.dataset, { textColumn: undefined, labelColumn: undefined, maxPerClass: 2000 });
  assert.equal(c.scorer, 'lexicon');
});

test('out-of-range or mistyped values fall back to the defaults', () => {
  const c = readConfig(objectSource({ threads: -2, pooling: 'median', sequenceLength: 1.5, 'generation.topP': 7, 'generation.maxNewTokens': '20', executionProvider: 'tpu', 'dataset.maxPerClass': 0 }), true);
  assert.equal(c.threads, 0);
  assert.equal(c.pooling, 'max');
  assert.equal(c.sequenceLength, 128);
  assert.equal(c.generation.topP, 0.95);
  assert.equal(c.generation.maxNewTokens, 20);
  assert.equal(c.executionProvider, 'cpu');
  assert.equal(c.dataset.maxPerClass, undefined, '0 means every example');
});

test('any value in any setting (10,000 generated) reads as an in-range value of the declared type, never a throw', () => {
  const keys = Object.values(Settings);
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue()), fc.boolean(), (values, trusted) => {
      const c = readConfig(objectSource(values), trusted);
      assert.ok(Number.isInteger(c.threads) && c.threads >= 0 && c.threads <= 256);
      assert.ok(['cpu', 'cuda', 'webgpu', 'dml', 'coreml'].includes(c.executionProvider));
      assert.ok(c.pooling === 'max' || c.pooling === 'mean');
      assert.ok(Number.isInteger(c.sequenceLength) && c.sequenceLength >= 1 && c.sequenceLength <= 8192);
      const g = c.generation;
      assert.ok(Number.isInteger(g.maxNewTokens) && g.maxNewTokens >= 1 && g.maxNewTokens <= 1024);
      assert.ok(Number.isFinite(g.temperature) && g.temperature >= 0 && g.temperature <= 5);
      assert.ok(Number.isFinite(g.topP) && g.topP >= 0 && g.topP <= 1);
      assert.ok(Number.isInteger(g.topK) && Number.isInteger(g.seed));
      assert.ok(typeof c.scorer === 'string' && c.scorer.length > 0);
      assert.ok(c.modelPath === undefined || (typeof c.modelPath === 'string' && c.modelPath === c.modelPath.trim() && c.modelPath !== ''));
    }),
    { numRuns: 10_000 },
  );
});

test('an untrusted workspace cannot set the model path or the scorer; the user still can', () => {
  const workspace = { modelPath: '/ws/evil-model', 'evaluation.scorer': '/ws/evil-classifier', sequenceLength: 64 };
  const untrusted = readConfig(objectSource({}, workspace), false);
  assert.equal(untrusted.modelPath, undefined);
  assert.equal(untrusted.scorer, 'lexicon');
  assert.equal(untrusted.sequenceLength, 64, 'harmless settings still apply');
  const user = readConfig(objectSource({ modelPath: '/home/me/gpt2' }, workspace), false);
  assert.equal(user.modelPath, '/home/me/gpt2');
  assert.equal(readConfig(objectSource({}, workspace), true).modelPath, '/ws/evil-model');
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, WORKSPACE_RESTRICTED.map((k) => `aura.${k}`));
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('model folders inside an untrusted workspace need a confirmation; others do not', () => {
  assert.ok(isInside('/ws/models/gpt2', '/ws'));
  assert.ok(!isInside('/wsx/gpt2', '/ws'));
  assert.ok(needsTrustConfirmation('/ws/models/gpt2', ['/ws'], false));
  assert.ok(!needsTrustConfirmation('/ws/models/gpt2', ['/ws'], true));
  assert.ok(!needsTrustConfirmation('/home/me/gpt2', ['/ws'], false));
});

test('every setting is contributed, described, with the default the code uses', () => {
  const props = contributes.configuration.properties as Record<string, { default: unknown; description?: string; markdownDescription?: string }>;
  for (const key of Object.values(Settings)) {
    const p = props[`aura.${key}`];
    assert.ok(p, `aura.${key} is contributed`);
    assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, `aura.${key} is described`);
    assert.deepEqual(p.default, DEFAULTS[key], `aura.${key} default`);
  }
  assert.equal(Object.keys(props).length, Object.keys(Settings).length);
});

const TITLES: Record<string, string> = {
  [Commands.openModelFolder]: 'Open Model Folder…',
  [Commands.useDemoModel]: 'Use Demo Model',
  [Commands.profileConcept]: 'Profile Concept…',
  [Commands.openProfileFolder]: 'Open Profile Folder…',
  [Commands.compareProfile]: 'Compare With Profile…',
  [Commands.profileOnCluster]: 'Profile on a Cluster…',
  [Commands.addSelectionAsToxic]: 'Add Selection as Toxic Example',
  [Commands.addSelectionAsNonToxic]: 'Add Selection as Non-toxic Example',
  [Commands.openExpertsPanel]: 'Open Experts Panel',
  [Commands.testSelection]: 'Test Prompt From Selection',
  [Commands.highlightActivations]: 'Highlight Expert Activations in Selection',
  [Commands.evaluateIntervention]: 'Evaluate Intervention…',
  [Commands.sweepStrengths]: 'Sweep Strengths…',
  [Commands.exportIntervention]: 'Export Intervention…',
  [Commands.importIntervention]: 'Import Intervention…',
};

test('every command id is contributed under the AurA category with its title, and menus name real commands', () => {
  const byId = new Map((contributes.commands as { command: string; title: string; category: string }[]).map((c) => [c.command, c]));
  assert.deepEqual([...byId.keys()].sort(), Object.values(Commands).sort());
  for (const [id, title] of Object.entries(TITLES)) assert.equal(byId.get(id)?.title, title, id);
  for (const c of byId.values()) assert.equal(c.category, 'AurA');
  const menus = contributes.menus as Record<string, { command: string }[]>;
  for (const [menu, items] of Object.entries(menus)) for (const i of items) assert.ok(byId.has(i.command), `${menu}: ${i.command}`);
  const editor = menus['editor/context']!.map((i) => i.command).sort();
  assert.deepEqual(editor, [Commands.addSelectionAsNonToxic, Commands.addSelectionAsToxic, Commands.highlightActivations, Commands.testSelection].sort());
  assert.deepEqual(menus['explorer/context']!.map((i) => i.command), [Commands.openModelFolder]);
  const escape = (contributes.keybindings as { command: string; key: string; when: string }[]).find((k) => k.key === 'escape');
  assert.equal(escape?.command, Commands.dismissPreview);
  assert.match(escape!.when, /aura\.previewVisible/);
  assert.ok(manifest.activationEvents.includes('onWebviewPanel:aura.expertsPanel'));
  assert.equal(manifest.main, './dist/extension.js');
});
