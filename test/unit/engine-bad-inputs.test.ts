// Every bad input the engine can meet gives exit status 1 and one line on stderr that names the file
// or argument and what was expected; nothing crashes.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeModel, encodeModel, floatTensor, makeNode, makeValueInfo } from '../../src/engine/onnx/proto';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

function tmp(): string {
  return scratchDir('bad');
}

function expectUserError(args: string[], mustMention: RegExp[]): void {
  const r = runCli(args);
  assert.equal(r.status, 1, `exit status for ${args.join(' ')}: ${r.status}, stderr: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got: ${r.stderr}`);
  for (const re of mustMention) assert.match(lines[0]!, re);
}

describe('bad inputs to the engine', () => {
  it('a folder without a model', () => {
    const d = tmp();
    writeFileSync(join(d, 'README.md'), 'nothing here');
    expectUserError(['inspect', d], [new RegExp(d.replace(/[/\\]/g, '.')), /no ONNX language model found/]);
  });

  it('a path that does not exist', () => {
    expectUserError(['inspect', '/nonexistent/model-dir'], [/\/nonexistent\/model-dir/, /no such/]);
  });

  it('a corrupt .onnx file', () => {
    const d = tmp();
    cpSync(join(MODELS, 'gpt2-tiny'), d, { recursive: true });
    const bytes = readFileSync(join(d, 'model.onnx'));
    writeFileSync(join(d, 'model.onnx'), bytes.subarray(0, Math.floor(bytes.length / 3)));
    expectUserError(['inspect', d], [/model\.onnx/, /not a valid ONNX model/]);
    writeFileSync(join(d, 'model.onnx'), Buffer.from('\x00\xff garbage, not protobuf \xff\xfe'.repeat(50), 'latin1'));
    expectUserError(['inspect', d], [/model\.onnx/, /not a valid ONNX model/]);
  });

  it('an ONNX graph that is not a causal language model', () => {
    const d = tmp();
    const base = decodeModel(readFileSync(join(MODELS, 'gpt2-tiny', 'model.onnx')));
    const g = base.graph!;
    g.node = [makeNode('MatMul', ['x', 'W'], ['y'], 'mm')];
    g.initializer = [floatTensor('W', [2, 2], [1, 0, 0, 1])];
    g.input = [makeValueInfo('x', 1, [1, 2])];
    g.output = [makeValueInfo('y', 1, [1, 2])];
    g.valueInfo = [];
    writeFileSync(join(d, 'model.onnx'), encodeModel(base));
    cpSync(join(MODELS, 'gpt2-tiny', 'tokenizer.json'), join(d, 'tokenizer.json'));
    expectUserError(['inspect', d], [/model\.onnx/, /not a causal language model/, /input_ids/]);
  });

  it('a tokenizer.json that does not load', () => {
    const d = tmp();
    cpSync(join(MODELS, 'gpt2-tiny'), d, { recursive: true });
    writeFileSync(join(d, 'tokenizer.json'), '{"version": "1.0", "model": {"type": "NoSuchModel"}}');
    expectUserError(['inspect', d], [/tokenizer\.json/, /Hugging Face tokenizer/]);
    writeFileSync(join(d, 'tokenizer.json'), '{ not json');
    expectUserError(['inspect', d], [/tokenizer\.json/]);
  });

  it('an unknown site id', () => {
    expectUserError(['inspect', join(MODELS, 'gpt2-tiny'), '--site', 'transformer.h.9.mlp.c_fc'], [/unknown site id "transformer\.h\.9\.mlp\.c_fc"/]);
  });

  it('an external-data location that leaves the model folder', () => {
    const root = tmp();
    const d = join(root, 'model');
    mkdirSync(d);
    cpSync(join(MODELS, 'llama-tiny'), d, { recursive: true });
    const file = join(d, 'onnx', 'model.onnx');
    const m = decodeModel(readFileSync(file));
    cpSync(join(d, 'onnx', 'model.onnx_data'), join(root, 'stolen.bin'));
    for (const t of m.graph!.initializer) for (const e of t.externalData) if (e.key === 'location') e.value = '../../stolen.bin';
    writeFileSync(file, encodeModel(m));
    expectUserError(['inspect', d], [/model\.onnx/, /leaves the model folder/]);
  });

  it('an external-data file that is a symlink out of the folder', () => {
    const root = tmp();
    const d = join(root, 'model');
    cpSync(join(MODELS, 'llama-tiny'), d, { recursive: true });
    cpSync(join(d, 'onnx', 'model.onnx_data'), join(root, 'elsewhere.bin'));
    const data = join(d, 'onnx', 'model.onnx_data');
    rmSync(data);
    symlinkSync(join(root, 'elsewhere.bin'), data);
    expectUserError(['inspect', d], [/leaves the model folder/]);
  });

  it('an intervention file for another model (wrong site, wrong neuron count, wrong fingerprint)', () => {
    const d = tmp();
    const file = (sites: Record<string, number>, fingerprint?: string) => {
      const f = join(d, `iv-${Object.keys(sites).length}-${fingerprint ?? 'none'}-${Object.values(sites)[0]}.json`);
      const body = {
        format: 'aura-lens.intervention',
        version: 1,
        model: { name: 'x', ...(fingerprint ? { fingerprint } : {}) },
        method: 'aura',
        params: { strength: 1, pooling: 'max', k: null, alpha: null },
        data: { positives: 1, negatives: 1, source: 'test' },
        sites: Object.fromEntries(Object.entries(sites).map(([id, n]) => [id, { neurons: n, gain: new Array(n).fill(0.5) }])),
      };
      writeFileSync(f, JSON.stringify(body));
      return f;
    };
    const gpt2Site = file({ 'transformer.h.0.mlp.c_fc': 64 });
    expectUserError(['generate', join(MODELS, 'llama-tiny'), '--prompt', 'hi', '--intervention', gpt2Site], [/iv-1-none-64\.json/, /no site transformer\.h\.0\.mlp\.c_fc/]);
    const wrongWidth = file({ 'transformer.h.0.mlp.c_fc': 63 });
    expectUserError(['generate', join(MODELS, 'gpt2-tiny'), '--prompt', 'hi', '--intervention', wrongWidth], [/transformer\.h\.0\.mlp\.c_fc has 64 neurons in the model but 63 in the file/]);
    const otherModel = file({ 'transformer.h.0.mlp.c_fc': 64 }, 'sha256:0000');
    expectUserError(['perplexity', join(MODELS, 'gpt2-tiny'), '--data', otherModel, '--intervention', otherModel], [/fingerprint/]);
  });

  it('bad numeric arguments', () => {
    expectUserError(['generate', join(MODELS, 'gpt2-tiny'), '--prompt', 'hi', '--max-new-tokens', 'lots'], [/--max-new-tokens/, /integer/]);
    expectUserError(['generate', join(MODELS, 'gpt2-tiny'), '--prompt', 'hi', '--top-p', '2'], [/--top-p/]);
    expectUserError(['generate', join(MODELS, 'gpt2-tiny')], [/--prompt is required/]);
  });
});
