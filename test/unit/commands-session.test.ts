// The session remembered for Reload Window (src/commands/session.ts): the model, then the profile's
// data source; sources that cannot be restored (examples in memory) keep the model only; a stored
// value of another shape is ignored, not trusted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SessionMemory } from '../../src/commands/session';

function memento(initial?: unknown) {
  const store = new Map<string, unknown>(initial === undefined ? [] : [['aura.lastSession', initial]]);
  return {
    store,
    get: <T>(k: string) => store.get(k) as T,
    update: async (k: string, v: unknown) => void store.set(k, v),
  };
}

test('a model folder, then a file profile, are remembered', () => {
  const m = memento();
  const s = new SessionMemory(m as never);
  assert.equal(s.recall(), undefined);
  s.modelOpened({ path: '/models/gpt2' });
  assert.deepEqual(s.recall(), { isDemo: false, model: '/models/gpt2' });
  s.profiled({ kind: 'file', path: '/data/jigsaw.csv', textColumn: 'comment_text' });
  assert.deepEqual(s.recall(), { isDemo: false, model: '/models/gpt2', source: { kind: 'file', path: '/data/jigsaw.csv', textColumn: 'comment_text' } });
});

test('opening another model forgets the old profile; a memory profile keeps the model only', () => {
  const m = memento();
  const s = new SessionMemory(m as never);
  s.modelOpened({ path: '/models/a' });
  s.profiled({ kind: 'jsonl', path: '/d.jsonl' });
  s.modelOpened({ demo: true });
  assert.deepEqual(s.recall(), { isDemo: true });
  s.profiled({ kind: 'jsonl', path: '/d.jsonl' });
  s.profiled({ kind: 'memory', examples: [{ text: 'x', label: 1 }] });
  assert.deepEqual(s.recall(), { isDemo: true });
});

test('a stored value of another shape is ignored', () => {
  for (const bad of [42, 'x', { isDemo: 'yes' }, { isDemo: false, model: '' }, { isDemo: false, source: { kind: 'file' } }]) {
    assert.equal(new SessionMemory(memento(bad) as never).recall(), undefined, JSON.stringify(bad));
  }
});

test('an opened profile folder replaces the source to profile again, and the reverse', () => {
  const m = memento();
  const s = new SessionMemory(m as never);
  s.profileOpened('/runs/merged');
  assert.equal(s.recall(), undefined, 'nothing without a model');
  s.modelOpened({ path: '/models/gpt2' });
  s.profiled({ kind: 'jsonl', path: '/d.jsonl' });
  s.profileOpened('/runs/merged');
  assert.deepEqual(s.recall(), { isDemo: false, model: '/models/gpt2', profileDir: '/runs/merged' });
  s.profiled({ kind: 'jsonl', path: '/d.jsonl' });
  assert.deepEqual(s.recall(), { isDemo: false, model: '/models/gpt2', source: { kind: 'jsonl', path: '/d.jsonl' } });
  assert.equal(new SessionMemory(memento({ isDemo: true, profileDir: '' }) as never).recall(), undefined);
});
