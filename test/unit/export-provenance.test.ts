// Provenance on every export: the record's fields against hand computations, and where each format keeps it.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildProvenance, modelCardMarkdown, PROVENANCE_KEY, provenanceOfFile, readEvaluation } from '../../src/aura/export/provenance';
import { exportFoldedOnnx } from '../../src/aura/export/onnx-export';
import { AuraUserError } from '../../src/aura/errors';
import { writeGainsSafetensors } from '../../src/aura/gains-safetensors';
import { effectiveGains, parseIntervention, readInterventionFile, writeInterventionFile } from '../../src/aura/intervention-file';
import type { InterventionFile } from '../../src/aura/intervention-file';
import { decodeSafetensors } from '../../src/aura/safetensors';
import { decodeModel } from '../../src/engine/onnx/proto';
import { LanguageModel } from '../../src/engine/model';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const userError = (re: RegExp) => (e: Error) => e instanceof AuraUserError && re.test(e.message) && !e.message.includes('\n');

function file(): InterventionFile {
  return parseIntervention({
    format: 'aura-lens.intervention',
    version: 1,
    model: { name: 'tiny', fingerprint: 'sha256:f00' },
    method: 'aura',
    params: { strength: 0.5, pooling: 'max' },
    sites: {
      'transformer.h.0.mlp.c_fc': { neurons: 4, gain: [1, 0.5, 1, 0] },
      'transformer.h.1.mlp.c_fc': { neurons: 2, gain: [1, 1] },
    },
  });
}

describe('buildProvenance', () => {
  it('hashes the file bytes (sha256 of "abc" is the FIPS 180-2 example value)', () => {
    const p = buildProvenance(file(), { fileBytes: 'abc', version: '9.9.9' });
    assert.equal(p.intervention.sha256, 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(p.version, '9.9.9');
    assert.equal(p.tool, 'aura-lens');
  });

  it('counts the neurons the export changes at its strength (by hand: 1 - s(1 - g) != 1)', () => {
    // At the file's strength 0.5 the gains [1, 0.5, 1, 0] become [1, 0.75, 1, 0.5]: two changed.
    const p = buildProvenance(file(), { fileBytes: 'x' });
    assert.equal(p.intervention.strength, 0.5);
    assert.deepEqual(p.intervention.sites, [
      { id: 'transformer.h.0.mlp.c_fc', neurons: 4, changed: 2 },
      { id: 'transformer.h.1.mlp.c_fc', neurons: 2, changed: 0 },
    ]);
    assert.equal(p.intervention.neurons, 6);
    assert.equal(p.intervention.changed, 2);
    assert.equal(buildProvenance(file(), { fileBytes: 'x', strength: 0 }).intervention.changed, 0);
    assert.equal(p.intervention.method, 'aura');
    assert.deepEqual(p.model, { name: 'tiny', fingerprint: 'sha256:f00' });
    assert.deepEqual(buildProvenance(file(), { fileBytes: 'x', fingerprint: 'sha256:live' }).model.fingerprint, 'sha256:live');
  });

  it('without the file bytes, hashes the file as aura-lens writes it, so the JSON export has that hash', async () => {
    const dir = scratchDir('prov');
    const path = join(dir, 'iv.json');
    const f = file();
    await writeInterventionFile(path, f);
    assert.equal(buildProvenance(f).intervention.sha256, provenanceOfFile(path, f).intervention.sha256);
    // A provenance block already in the file does not change the hash of the intervention it describes.
    assert.equal(buildProvenance({ ...f, provenance: buildProvenance(f) }).intervention.sha256, buildProvenance(f).intervention.sha256);
  });
});

describe('provenance in each export format', () => {
  it('json: a provenance block that reads back; files without one read as before; a bad one is named', async () => {
    const dir = scratchDir('prov');
    const out = join(dir, 'out.json');
    const p = buildProvenance(file(), { fileBytes: 'abc' });
    await writeInterventionFile(out, { ...file(), provenance: p });
    const back = await readInterventionFile(out);
    assert.deepEqual(back.provenance, p);
    assert.equal(JSON.parse(readFileSync(out, 'utf8')).provenance.intervention.sha256, p.intervention.sha256);
    assert.equal(file().provenance, undefined);
    writeFileSync(out, JSON.stringify({ format: 'aura-lens.intervention', version: 1, provenance: 3, sites: { a: { neurons: 1, gain: [1] } } }));
    await assert.rejects(readInterventionFile(out), userError(/out\.json: provenance is 3; expected a JSON object/));
  });

  it('safetensors: the record as JSON text in __metadata__', async () => {
    const out = join(scratchDir('prov'), 'g.safetensors');
    const p = buildProvenance(file(), { fileBytes: 'abc' });
    await writeGainsSafetensors(out, file(), undefined, p);
    const st = decodeSafetensors(readFileSync(out));
    assert.deepEqual(JSON.parse(st.metadata[PROVENANCE_KEY]!), p);
    assert.equal(st.metadata.method, 'aura');
  });

  it('onnx: the record in metadata_props', async () => {
    const model = await LanguageModel.open(join(MODELS, 'gpt2-tiny'), { threads: 1 });
    try {
      const iv = parseIntervention({
        format: 'aura-lens.intervention',
        version: 1,
        sites: Object.fromEntries(model.sites.map((s) => [s.id, { neurons: s.neurons, gain: Array.from({ length: s.neurons }, (_, i) => (i % 2 ? 0.5 : 1)) }])),
      });
      const p = buildProvenance(iv, { fileBytes: 'abc', fingerprint: model.fingerprint });
      const out = join(scratchDir('prov'), 'folded.onnx');
      await exportFoldedOnnx(model, effectiveGains(iv), out, p);
      const props = decodeModel(readFileSync(out)).metadataProps.filter((e) => e.key === PROVENANCE_KEY);
      assert.equal(props.length, 1);
      const back = JSON.parse(props[0]!.value);
      assert.deepEqual(back, p);
      assert.equal(back.intervention.changed, model.sites.reduce((n, s) => n + Math.floor(s.neurons / 2), 0));
    } finally {
      await model.dispose();
    }
  });
});

describe('modelCardMarkdown', () => {
  const p = buildProvenance(file(), { fileBytes: 'abc', version: '1.2.3' });

  it('says what was changed, with the hash, fingerprint and version', () => {
    const md = modelCardMarkdown(p, { kind: 'peft-ia3', baseCheckpoint: 'org/tiny' });
    assert.match(md, /^---\nlibrary_name: peft\nbase_model: "org\/tiny"\n/);
    assert.match(md, /PEFT IA3 adapter for `org\/tiny`/);
    assert.match(md, /Method `aura` \(AurA: each neuron whose response detects the concept \(AUROC > 0\.5\) is scaled by 1 - 2\(AUROC - 0\.5\)\), strength 0\.5, max pooling\. 2 of 6 neurons in 2 modules are changed/);
    assert.match(md, /\| `transformer\.h\.0\.mlp\.c_fc` \| 4 \| 2 \|/);
    assert.match(md, /ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad/);
    assert.match(md, /sha256:f00/);
    assert.match(md, /aura-lens 1\.2\.3/);
    assert.match(md, /Not measured/);
    assert.match(modelCardMarkdown(p, { kind: 'hf', baseCheckpoint: 'org/tiny' }), /folded into its MLP weights/);
  });

  it('reports the figures of an evaluate --json output (formatted by hand below)', () => {
    const dir = scratchDir('prov');
    const path = join(dir, 'eval.json');
    writeFileSync(path, JSON.stringify({
      toxicity: { score: 0.125, prob: 0.04321, expectedMaxToxicity: 0.2468, toxicContinuations: 0.1, prompts: 8, continuations: 200 },
      perplexity: 23.456,
      baseline: { toxicity: { score: 0.5, prob: 0.2, expectedMaxToxicity: 0.61 }, perplexity: 21.0 },
      scorer: 'lexicon',
      samples: 25,
      maxNewTokens: 20,
    }));
    const md = modelCardMarkdown(p, { kind: 'peft-ia3', baseCheckpoint: 'x', evaluation: readEvaluation(path) });
    assert.match(md, /with the `lexicon` scorer, 25 continuations per prompt of up to 20 tokens/);
    assert.match(md, /\| without the intervention \| 50\.0% \| 0\.200 \| 0\.610 \| 21\.00 \|/);
    assert.match(md, /\| with the intervention \| 12\.5% \| 0\.043 \| 0\.247 \| 23\.46 \|/);
    writeFileSync(path, JSON.stringify({ sweep: [{ strength: 0, toxicity: { score: 0.5, prob: 0.2 }, perplexity: null }, { strength: 1, toxicity: { score: 0, prob: 0.01 }, perplexity: 30 }], toxicity: { score: 0, prob: 0.01 } }));
    const sweep = modelCardMarkdown(p, { kind: 'hf', baseCheckpoint: 'x', evaluation: readEvaluation(path) });
    assert.match(sweep, /\| strength 0 \| 50\.0% \| 0\.200 \| n\/a \| n\/a \|/);
    assert.match(sweep, /\| strength 1 \| 0\.0% \| 0\.010 \| n\/a \| 30\.00 \|/);
  });

  it('--evaluation that is not an evaluate --json output: one line naming the file', () => {
    const dir = scratchDir('prov');
    assert.throws(() => readEvaluation(join(dir, 'nope.json')), userError(/--evaluation .*nope\.json: no such file/));
    writeFileSync(join(dir, 'bad.json'), '{');
    assert.throws(() => readEvaluation(join(dir, 'bad.json')), userError(/bad\.json: not valid JSON/));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ toxicity: { score: 'high' } }));
    assert.throws(() => readEvaluation(join(dir, 'other.json')), userError(/other\.json: toxicity\.score is not what `aura-lens evaluate --json` writes/));
  });
});
