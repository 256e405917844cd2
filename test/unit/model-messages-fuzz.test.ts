// Fuzzing the host <-> model process messages (10,000 generated inputs per property): envelopes and
// every call's argument and result either pass their schema or are rejected with issues; nothing
// throws. Requests built by hand to the rules (typed arrays, Maps) pass and keep their typed arrays.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { safeParse } from 'valibot';
import { FromModelSchema, MODEL_CALLS, MODEL_CALL_NAMES, ToModelSchema } from '../../src/shared/model-messages';
import { anything, params } from '../helpers/protocol-arbitraries';

const envelope = fc.oneof(
  fc.record({ type: fc.constantFrom('call', 'cancel', 'result', 'error', 'progress', 'text'), id: fc.oneof(fc.nat(), fc.integer(), fc.double()), method: fc.oneof(fc.constantFrom(...MODEL_CALL_NAMES), fc.string()), arg: anything, value: anything, error: anything, progress: anything, text: anything }, { requiredKeys: ['type'] }),
  anything,
);

test('model-process envelopes: parse or reject, never throw', () => {
  fc.assert(
    fc.property(envelope, (x) => {
      for (const schema of [ToModelSchema, FromModelSchema]) {
        const r = safeParse(schema, x);
        if (!r.success) assert.ok(r.issues.length > 0);
      }
    }),
    params,
  );
});

test('every call argument and result schema: parse or reject, never throw', () => {
  fc.assert(
    fc.property(fc.constantFrom(...MODEL_CALL_NAMES), anything, (method, x) => {
      for (const schema of [MODEL_CALLS[method].arg, MODEL_CALLS[method].result]) {
        const r = safeParse(schema, x);
        if (!r.success) assert.ok(r.issues.length > 0);
      }
    }),
    params,
  );
});

test('generate requests built to the rules pass with their typed arrays; broken ones are rejected', () => {
  const settings = fc.record({ maxNewTokens: fc.nat(512), temperature: fc.double({ min: 0, max: 2, noNaN: true }), topK: fc.nat(100), topP: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.integer() }, { noNullPrototype: true });
  const gains = fc.array(fc.tuple(fc.string(), fc.float32Array({ maxLength: 8 })), { maxLength: 3 }).map((e) => new Map(e));
  const req = fc.record({ prompt: fc.string(), settings, gains }, { noNullPrototype: true });
  fc.assert(
    fc.property(req, fc.constantFrom('prompt', 'seed', 'gains', 'none'), (r, breakIt) => {
      const bad = breakIt === 'prompt' ? { ...r, prompt: 7 } : breakIt === 'seed' ? { ...r, settings: { ...r.settings, seed: 0.5 } } : breakIt === 'gains' ? { ...r, gains: new Map([['s', [1, 2]]]) } : r;
      const out = safeParse(MODEL_CALLS.generate.arg, bad);
      assert.equal(out.success, breakIt === 'none');
      if (out.success) for (const [k, g] of r.gains) assert.equal(out.output.gains!.get(k), g, 'the same Float32Array, not a copy');
    }),
    params,
  );
});
