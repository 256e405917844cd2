// The one rule (src/shared/provenance.ts), as a table worked out by hand: which input a result is
// out of date with, per view, and the mark it then carries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DERIVED_VIEWS, interventionLabel, isCurrent, staleMark, staleness } from '../../src/shared/provenance';
import type { DerivedView, Provenance } from '../../src/shared/provenance';

const made: Provenance = { profile: 'p1', intervention: 4, profileLabel: '#1 (toxic.jsonl)', interventionLabel: 'Damp 30%' };

test('each view is out of date with exactly the inputs it depends on', () => {
  const cases: [DerivedView, { profile: string | undefined; intervention: number | undefined }, 'profile' | 'intervention' | null][] = [
    ['preview', { profile: 'p1', intervention: 4 }, null],
    ['preview', { profile: 'p1', intervention: 5 }, 'intervention'],
    ['preview', { profile: 'p2', intervention: 5 }, 'profile'],
    ['evaluation', { profile: 'p1', intervention: 5 }, 'intervention'],
    ['evaluation', { profile: 'p2', intervention: 4 }, 'profile'],
    ['detail', { profile: 'p1', intervention: 9 }, null],
    ['detail', { profile: 'p2', intervention: 4 }, 'profile'],
    ['sweep', { profile: 'p1', intervention: 9 }, null],
    ['sweep', { profile: 'p2', intervention: 4 }, 'profile'],
    ['comparison', { profile: 'p1', intervention: 9 }, null],
    ['comparison', { profile: 'p2', intervention: 4 }, 'profile'],
    // Nothing open to compare with: nothing to call it stale against.
    ['evaluation', { profile: undefined, intervention: undefined }, null],
  ];
  for (const [view, now, expected] of cases) {
    assert.equal(staleness(view, made, now), expected, `${view} ${JSON.stringify(now)}`);
    assert.equal(isCurrent(view, made, now), expected === null);
  }
  assert.deepEqual(Object.fromEntries(Object.entries(DERIVED_VIEWS).map(([k, v]) => [k, v.onStale])), { detail: 'rebuild', preview: 'rebuild', evaluation: 'mark', sweep: 'mark', comparison: 'rebuild' });
});

test('the mark names what the result was made with and which input changed', () => {
  assert.equal(staleMark('evaluation', made, { profile: 'p1', intervention: 5 }), 'Made with profile #1 (toxic.jsonl) / intervention Damp 30%: out of date (the intervention has changed since).');
  assert.equal(staleMark('sweep', made, { profile: 'p2', intervention: 4 }), 'Made with profile #1 (toxic.jsonl): out of date (the profile has changed since).');
  assert.equal(staleMark('evaluation', made, { profile: 'p1', intervention: 4 }), undefined);
  assert.equal(interventionLabel({ method: 'damp', strength: 0.3, overrides: [{}, {}], importedFrom: '/x.json' }), 'Damp 30% · 2 overridden · imported');
  assert.equal(interventionLabel({ method: 'aura', strength: 1, overrides: [] }), 'AurA 100%');
});
