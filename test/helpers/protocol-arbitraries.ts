// fast-check arbitraries for the host <-> page protocol, written from the protocol's rules by hand
// (not derived from the schemas), shared by the host-side and page-side fuzz tests.
import fc from 'fast-check';

export const RUNS = 10_000;
// Plain objects, as postMessage delivers them (fast-check also makes null-prototype ones by default).
export const rec = <T>(shape: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(shape, { noNullPrototype: true });
export const params = { numRuns: RUNS, seed: 20261201 };

export const num = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
export const nat = fc.nat({ max: 1_000_000 });
export const str = fc.string({ maxLength: 40 });
const unit = fc.double({ noNaN: true, min: 0, max: 1 });

export const settings = rec({
  method: fc.constantFrom('aura', 'damp', 'det0'),
  strength: unit,
  k: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: null }),
  // Damp's alpha may be above 1 (an imported file that amplifies): the page must still accept it.
  alpha: fc.option(num, { nil: null }),
});

// The panel's view (src/shared/view-state.ts): a sort, filters in [0, 1], a selection or none.
export const view = rec({
  sort: rec({ column: fc.constantFrom('rank', 'id', 'layer', 'auroc', 'heldOut', 'gain'), dir: fc.constantFrom('asc', 'desc') }),
  filter: rec({ site: fc.option(str, { nil: null }), layer: fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }), aurocMin: unit, aurocMax: unit }),
  search: str,
  selected: fc.option(rec({ site: fc.string({ minLength: 1, maxLength: 40 }), neuron: nat }), { nil: null }),
  activeRow: nat,
  scrollTop: fc.double({ noNaN: true, min: 0, max: 1e7 }),
  prompt: fc.string({ maxLength: 200 }),
});

export const validPage = fc.oneof(
  fc.constantFrom('ready', 'cancelPreview', 'resyncPreview', 'profile', 'useDemoModel', 'openModelFolder', 'importIntervention', 'evaluate', 'compareProfile').map((type) => ({ type })),
  rec({ type: fc.constant('setIntervention'), settings }),
  rec({ type: fc.constant('setOverride'), site: str, neuron: nat, gain: fc.option(fc.double({ noNaN: true, min: 0, max: 2 }), { nil: null }) }),
  rec({ type: fc.constant('selectNeuron'), site: str, neuron: nat }),
  rec({ type: fc.constant('ready'), experts: str }),
  rec({ type: fc.constant('runPreview'), prompt: fc.string({ maxLength: 200 }) }),
  rec({ type: fc.constant('export'), format: fc.constantFrom('json', 'safetensors', 'onnx') }),
  rec({ type: fc.constant('combineWithComparison'), rule: fc.constantFrom('product', 'min') }),
  rec({ type: fc.constant('saveView'), view }),
);

const site = rec({ id: str, layer: fc.integer({ min: -1, max: 100 }), kind: fc.constantFrom('mlp.in', 'mlp.gate', 'mlp.up', 'mlp.out', 'custom'), neurons: nat });
export const experts = fc.integer({ min: 0, max: 30 }).chain((n) =>
  rec({
    source: str,
    positives: nat,
    negatives: nat,
    pooling: fc.constantFrom('max', 'mean'),
    sites: fc.array(site, { maxLength: 4 }),
    // The columns cross as typed arrays (the panel's protocol).
    site: fc.array(nat, { minLength: n, maxLength: n }).map((a) => Uint32Array.from(a)),
    neuron: fc.array(nat, { minLength: n, maxLength: n }).map((a) => Uint32Array.from(a)),
    auroc: fc.array(unit, { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
    perLayer: fc.array(rec({ layer: fc.integer({ min: -1, max: 100 }), experts: nat, neurons: nat }), { maxLength: 4 }),
  }),
);
/** The packed experts (src/shared/experts-packed.ts), built to the wire's rules: 3-byte refs inside the sites. */
export const packedExperts = fc.array(rec({ id: str, layer: fc.integer({ min: -1, max: 100 }), kind: fc.constantFrom('mlp.in', 'mlp.out'), neurons: fc.integer({ min: 1, max: 50 }) }), { minLength: 1, maxLength: 4 }).chain((sites) => {
  const total = sites.reduce((a, s) => a + s.neurons, 0);
  return fc.integer({ min: 0, max: 20 }).chain((n) =>
    rec({
      source: str,
      positives: nat,
      negatives: nat,
      pooling: fc.constantFrom('max', 'mean'),
      sites: fc.constant(sites),
      perLayer: fc.array(rec({ layer: fc.integer({ min: -1, max: 100 }), experts: nat, neurons: nat, significant: nat }), { maxLength: 4 }),
      rows: fc.constant(n),
      refBytes: fc.constant(3 as const),
      ref: fc.array(fc.integer({ min: 0, max: total - 1 }), { minLength: n, maxLength: n }).map((refs) => {
        const b = new Uint8Array(3 * n);
        refs.forEach((r, i) => {
          const v = r * 4;
          b[3 * i] = v & 0xff;
          b[3 * i + 1] = (v >> 8) & 0xff;
          b[3 * i + 2] = (v >> 16) & 0xff;
        });
        return b;
      }),
      auroc: fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: n, maxLength: n }).map((a) => Uint16Array.from(a)),
    }),
  );
});
const interval = rec({ low: num, high: num });
const side = rec({
  toxicityProbability: num,
  expectedMaxToxicity: num,
  meanToxicity: num,
  perplexity: fc.option(num, { nil: null }),
  intervals: fc.option(rec({ toxicityProbability: interval, expectedMaxToxicity: interval, meanToxicity: interval, perplexity: fc.option(interval, { nil: null }) }), { nil: undefined }),
}).map(({ intervals, ...s }) => (intervals === undefined ? s : { ...s, intervals }));

const overlap = rec({ a: nat, b: nat, both: nat, jaccard: fc.option(unit, { nil: null }) });
export const comparison = fc.integer({ min: 0, max: 30 }).chain((n) =>
  rec({
    a: str,
    b: str,
    neurons: nat,
    experts: overlap,
    topK: fc.tuple(nat, overlap).map(([k, o]) => ({ k, ...o })),
    x: fc.array(unit, { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
    y: fc.array(unit, { minLength: n, maxLength: n }).map((a) => Float64Array.from(a)),
    top: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }).map((a) => Uint32Array.from(a)),
    sample: rec({ random: nat, seed: nat, top: nat }),
  }),
);

export const validHost = fc.oneof(
  rec({
    type: fc.constant('didChangeModel'),
    model: fc.option(rec({ name: str, path: str, format: str, architecture: str, layers: nat, vocabSize: nat, sites: fc.array(site, { maxLength: 4 }), isDemo: fc.boolean() }), { nil: null }),
  }),
  rec({ type: fc.constant('didChangeExperts'), experts: fc.option(experts, { nil: null }) }),
  rec({
    type: fc.constant('didChangeIntervention'),
    intervention: fc
      .tuple(settings, fc.array(rec({ site: str, neuron: nat, gain: num }), { maxLength: 5 }), nat, fc.option(str, { nil: undefined }), fc.option(str, { nil: undefined }))
      .map(([s, overrides, affected, importedFrom, combined]) => ({ ...s, overrides, affected, ...(importedFrom === undefined ? {} : { importedFrom }), ...(combined === undefined ? {} : { combined }) })),
  }),
  rec({
    type: fc.constant('didSelectNeuron'),
    detail: rec({
      site: str,
      neuron: nat,
      layer: fc.integer({ min: -1, max: 100 }),
      auroc: unit,
      gain: num,
      applied: num,
      meanPositive: num,
      meanNegative: num,
      maxPositive: num,
      maxNegative: num,
      positive: fc.array(num, { maxLength: 20 }),
      negative: fc.array(num, { maxLength: 20 }),
      topExamples: fc.array(rec({ text: str, label: fc.constantFrom(0, 1), value: num, tokens: fc.array(rec({ text: str, value: num }), { maxLength: 5 }) }), { maxLength: 5 }),
    }),
  }),
  rec({
    type: fc.constant('didUpdatePreview'),
    preview: fc.tuple(nat, str, str, str, fc.boolean(), fc.option(str, { nil: undefined })).map(([runId, prompt, original, intervened, done, error]) => ({
      runId,
      prompt,
      original,
      intervened,
      done,
      ...(error === undefined ? {} : { error }),
    })),
  }),
  rec({ type: fc.constant('didChangeExpertsPacked'), experts: packedExperts }),
  rec({ type: fc.constant('didAppendPreview'), append: rec({ runId: nat, seq: fc.integer({ min: 1, max: 1e6 }), side: fc.constantFrom('original', 'intervened'), text: str }) }),
  rec({ type: fc.constant('didChangeProgress'), progress: rec({ task: fc.option(str, { nil: null }), done: num, total: num }) }),
  rec({ type: fc.constant('didEvaluate'), evaluation: rec({ prompts: nat, samples: nat, scorer: str, seconds: num, baseline: side, intervened: side }) }),
  rec({ type: fc.constant('didError'), message: str }),
  rec({ type: fc.constant('didCompare'), comparison: fc.option(fc.oneof(comparison, rec({ refused: str, b: str })), { nil: null }) }),
  rec({ type: fc.constant('didRestoreView'), view }),
);

/** A valid message with one value somewhere inside replaced by anything: it parses or is rejected, never throws. */
export function mutate<T>(valid: fc.Arbitrary<T>) {
  return fc.tuple(valid, fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }), fc.nat()).map(([m, junk, pick]) => {
    const copy = structuredClone(m) as Record<string, unknown>;
    const holders: Record<string, unknown>[] = [];
    const walk = (o: unknown): void => {
      // A typed array is a value here (a whole column), replaced as one, not element by element.
      if (typeof o === 'object' && o !== null && !ArrayBuffer.isView(o)) {
        holders.push(o as Record<string, unknown>);
        for (const x of Object.values(o)) walk(x);
      }
    };
    walk(copy);
    const holder = holders[pick % holders.length]!;
    const keys = Object.keys(holder);
    if (keys.length) holder[keys[pick % keys.length]!] = junk;
    return copy;
  });
}

export const anything = fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withObjectString: true });

