// Issue 10, item 6: importing an intervention applies its bias and rejects unknown method names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuraUserError } from '../../src/aura/errors';
import { parseIntervention } from '../../src/aura/intervention-file';
import { InterventionState } from '../../src/host/intervention-state';
import { toIntervention } from '../../src/host/model-host/model-work';
import { interventionFromFit } from '../../src/aura/intervention-file';

const SITE = 'transformer.h.0.mlp.c_fc';

function file(method: string, withBias = true) {
  return parseIntervention({
    format: 'aura-lens.intervention',
    version: 1,
    method,
    params: { strength: 0.5 },
    sites: { [SITE]: { neurons: 3, gain: [0.5, 1, 1], ...(withBias ? { bias: [0.2, -0.4, 0] } : {}) } },
  });
}

describe('importing an intervention into the host state', () => {
  it('applies the bias at the current strength, alongside the gains', () => {
    const state = new InterventionState();
    state.importFile(file('aura'), 'x.json');
    const gains = state.appliedGains()!;
    const shifts = state.appliedShifts()!;
    assert.deepEqual(Array.from(gains.get(SITE)!), [0.75, 1, 1]);
    assert.deepEqual(Array.from(shifts.get(SITE)!.bias), [Math.fround(0.1), Math.fround(-0.2), 0]);
    // The engine receives both: gain and bias per site.
    const iv = toIntervention(gains, shifts);
    assert.deepEqual(Array.from(iv.get(SITE)!.bias!), [Math.fround(0.1), Math.fround(-0.2), 0]);
    // A neuron moved only by its bias counts as affected.
    assert.equal(state.snapshot().affected, 2);
    // Strength changes rescale the bias too; strength 0 is the original model.
    state.update({ ...state.current(), strength: 0 });
    assert.deepEqual(Array.from(state.appliedShifts()!.get(SITE)!.bias), [0, -0, 0]);
  });

  it('exports the imported bias again', () => {
    const state = new InterventionState();
    state.importFile(file('aura'), 'x.json');
    const again = interventionFromFit(state.result()!, { model: { name: 'm' }, pooling: 'max', data: { positives: 0, negatives: 0, source: 'x' } });
    assert.deepEqual(Array.from(again.sites[SITE]!.bias!), [Math.fround(0.2), Math.fround(-0.4), 0]);
  });

  it('a file without bias has no shifts', () => {
    const state = new InterventionState();
    state.importFile(file('damp', false), 'x.json');
    assert.equal(state.appliedShifts(), undefined);
  });

  it('rejects unknown methods with a clear error instead of treating them as AurA', () => {
    const state = new InterventionState();
    assert.throws(() => state.importFile(file('magic'), 'x.json'), (e: Error) => e instanceof AuraUserError && /x\.json: method "magic" is unknown; expected aura, damp, det0, linear-act or mean-act/.test(e.message));
    assert.equal(state.appliedGains(), undefined);
  });

  it('imports a transport file (issue 9, item 3): its gains and bias at the strength, the method offered', () => {
    const state = new InterventionState();
    state.importFile(file('linear-act'), 'y.json');
    assert.equal(state.current().method, 'linear-act');
    assert.deepEqual(state.snapshot().methods, ['aura', 'damp', 'det0', 'linear-act']);
    assert.deepEqual(Array.from(state.appliedGains()!.get(SITE)!), [0.75, 1, 1]);
    assert.deepEqual(Array.from(state.appliedShifts()!.get(SITE)!.bias), [Math.fround(0.1), Math.fround(-0.2), 0]);
    assert.equal(state.snapshot().affected, 2);
    // A version 1 file has no range: none is applied, and it exports as version 1 again.
    assert.equal(state.appliedShifts()!.get(SITE)!.lo, undefined);
    const again = interventionFromFit(state.result()!, { model: { name: 'm' }, pooling: 'mean', data: { positives: 0, negatives: 0, source: 'y' } });
    assert.equal(again.version, 1);
    assert.deepEqual(Array.from(again.sites[SITE]!.gain), [0.5, 1, 1]);
  });
});
