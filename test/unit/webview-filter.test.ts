// Search and filters of the experts table, as pure functions over a snapshot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterRows, parseSearch, rowOf } from '../../webview/state/filter';
import { DEFAULT_FILTER } from '../../webview/state/ui-state';
import { bigExperts } from '../helpers/page';

test('search queries: full id, site fragment with a number, a number, a fragment', () => {
  assert.deepEqual(parseSearch('transformer.h.3.mlp.c_fc:1234'), { site: 'transformer.h.3.mlp.c_fc', neuron: 1234 });
  assert.deepEqual(parseSearch('  C_FC 12 '), { site: 'c_fc', neuron: 12 });
  assert.deepEqual(parseSearch('1234'), { neuron: 1234 });
  assert.deepEqual(parseSearch('h.3.mlp'), { site: 'h.3.mlp' });
  assert.equal(parseSearch('   '), null);
});

test('filters combine, and the order stays the ranking', () => {
  const e = bigExperts(10_000);
  const all = filterRows(e, DEFAULT_FILTER, '');
  assert.equal(all.length, 10_000);
  const some = filterRows(e, { site: null, layer: 1, aurocMin: 0.6, aurocMax: 0.7 }, 'c_fc');
  assert.ok(some.length > 0);
  for (let i = 0; i < some.length; i++) {
    const r = some[i]!;
    assert.equal(e.sites[e.site[r]!]!.id, 'transformer.h.1.mlp.c_fc');
    assert.ok(e.auroc[r]! >= 0.6 && e.auroc[r]! <= 0.7);
    if (i > 0) assert.ok(r > some[i - 1]!);
  }
  const idx = filterRows(e, DEFAULT_FILTER, 'transformer.h.0.mlp.c_proj:5')[0]!;
  assert.equal(rowOf(e, 'transformer.h.0.mlp.c_proj', 5), idx);
});
