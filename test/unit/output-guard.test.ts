// Nothing of the user's is overwritten (issue 19 item 5): every command's output path is checked before
// anything is written. An output that is one of the command's inputs, a file of the model folder or a
// file inside a profile folder is refused with one line naming the argument (exit 1), and the file is
// byte for byte what it was; an existing file is replaced only when aura-lens wrote it as that kind.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { guardOutputFile, guardOutputFolder } from '../../src/aura/output-guard';
import { runCli } from '../helpers/cli';
import { MODELS } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

/** Every file under a folder with its bytes, to compare before and after a refused command. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(join(e.parentPath, e.name), createHash('sha256').update(readFileSync(join(e.parentPath, e.name))).digest('hex'));
  }
  return out;
}

function oneLineRefusal(args: string[], want: RegExp): void {
  const r = runCli(args);
  assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, want);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

describe('output guard: each command refuses outputs over inputs, model files and profile files', () => {
  let work: string;
  let model: string;
  let profile: string;
  let iv: string;
  let data: string;
  before(() => {
    work = scratchDir('guard');
    model = join(work, 'gpt2-tiny');
    cpSync(join(MODELS, 'gpt2-tiny'), model, { recursive: true });
    data = join(work, 'data.jsonl');
    writeFileSync(data, Array.from({ length: 16 }, (_, i) => JSON.stringify({ text: `${i % 2 ? 'you are a damn fool' : 'the weather is fine'} number ${i}`, label: i % 2 })).join('\n') + '\n');
    profile = join(work, 'profile');
    const p = runCli(['profile', model, '--data', data, '--out', profile, '--seq-len', '8', '--batch-size', '8', '--bootstrap', '0', '--permutations', '0']);
    assert.equal(p.status, 0, p.stderr);
    iv = join(work, 'iv.json');
    const f = runCli(['fit', profile, '--method', 'aura', '--out', iv, '--bootstrap', '0', '--permutations', '0']);
    assert.equal(f.status, 0, f.stderr);
  });

  it('export --out onto config.json, tokenizer.json, model.onnx or the intervention file it reads', () => {
    const before = snapshot(work);
    oneLineRefusal(['export', iv, '--model', model, '--format', 'json', '--out', join(model, 'config.json')], /^aura-lens: --out .*config\.json: is inside the model folder .*gpt2-tiny; write the output outside it/);
    oneLineRefusal(['export', iv, '--model', model, '--format', 'json', '--out', join(model, 'tokenizer.json')], /--out .*tokenizer\.json: is inside the model folder/);
    oneLineRefusal(['export', iv, '--model', model, '--format', 'onnx', '--out', join(model, 'model.onnx')], /--out .*model\.onnx: is inside the model folder/);
    oneLineRefusal(['export', iv, '--model', model, '--format', 'safetensors', '--out', iv], /--out .*iv\.json: is the intervention file it reads; write the output to another path/);
    oneLineRefusal(['export', iv, '--model', model, '--format', 'json', '--out', join(profile, 'iv.json')], /--out .*iv\.json: is inside the aura-lens profile folder .*profile; write the output outside it/);
    assert.deepEqual(snapshot(work), before);
  });

  it("export: a user's file of another kind is not replaced; aura-lens's own export of that kind is", () => {
    const notes = join(work, 'notes.json');
    writeFileSync(notes, '{"my": "notes"}');
    oneLineRefusal(['export', iv, '--model', model, '--format', 'json', '--out', notes], /--out .*notes\.json: exists and is not an aura-lens intervention file; remove it yourself or choose another path/);
    assert.equal(readFileSync(notes, 'utf8'), '{"my": "notes"}');
    const st = join(work, 'gains.safetensors');
    assert.equal(runCli(['export', iv, '--model', model, '--format', 'safetensors', '--out', st]).status, 0);
    assert.equal(runCli(['export', iv, '--model', model, '--format', 'safetensors', '--out', st]).status, 0, 'our own safetensors export is replaced');
    oneLineRefusal(['export', iv, '--model', model, '--format', 'json', '--out', st], /exists and is not an aura-lens intervention file/);
    const onnx = join(work, 'folded.onnx');
    assert.equal(runCli(['export', iv, '--model', model, '--format', 'onnx', '--out', onnx]).status, 0);
    assert.equal(runCli(['export', iv, '--model', model, '--format', 'onnx', '--out', onnx]).status, 0, 'our own ONNX export is replaced');
    const foreignOnnx = join(work, 'their.onnx');
    cpSync(join(model, 'model.onnx'), foreignOnnx);
    oneLineRefusal(['export', iv, '--model', model, '--format', 'onnx', '--out', foreignOnnx], /--out .*their\.onnx: exists and is not an ONNX model exported by aura-lens/);
  });

  it("fit --out onto the profile's manifest.json, a file in the profile, or the data file", () => {
    const before = snapshot(work);
    oneLineRefusal(['fit', profile, '--method', 'aura', '--out', join(profile, 'manifest.json')], /^aura-lens: --out .*manifest\.json: is inside the profile folder it reads \(.*profile\); write the output outside it/);
    oneLineRefusal(['fit', profile, '--method', 'aura', '--out', join(profile, 'auroc', 'x.json')], /--out .*x\.json: is inside the profile folder it reads/);
    oneLineRefusal(['fit', profile, '--method', 'aura', '--out', data], /--out .*data\.jsonl: exists and is not an aura-lens intervention file/);
    assert.deepEqual(snapshot(work), before);
  });

  it('evaluate --csv onto the prompts file or into the model folder, before any generation', () => {
    const prompts = join(work, 'prompts.txt');
    writeFileSync(prompts, 'you are\nthe weather\n');
    const before = snapshot(work);
    const base = ['evaluate', model, '--intervention', iv, '--sweep', '0,1', '--prompts', prompts, '--samples', '1', '--max-new-tokens', '2'];
    oneLineRefusal([...base, '--csv', prompts], /^aura-lens: --csv .*prompts\.txt: is the prompts file it reads; write the output to another path/);
    oneLineRefusal([...base, '--csv', iv], /--csv .*iv\.json: is the intervention file it reads/);
    oneLineRefusal([...base, '--csv', join(model, 'sweep.csv')], /--csv .*sweep\.csv: is inside the model folder/);
    assert.deepEqual(snapshot(work), before);
  });

  it('launch --file onto model.onnx, the data file or a user file', () => {
    const mine = join(work, 'run.sh');
    writeFileSync(mine, '#!/bin/sh\necho mine\n');
    const before = snapshot(work);
    oneLineRefusal(['launch', 'slurm', model, '--data', data, '--out', join(work, 'shards'), '--shards', '2', '--file', join(model, 'model.onnx')], /^aura-lens: --file .*model\.onnx: is inside the model folder/);
    oneLineRefusal(['launch', 'k8s', model, '--data', data, '--out', '/work/shards', '--shards', '2', '--image', 'x/y:1', '--file', data], /--file .*data\.jsonl: is the data file of the job/);
    oneLineRefusal(['launch', 'slurm', model, '--data', data, '--out', join(work, 'shards'), '--shards', '2', '--file', mine], /--file .*run\.sh: exists and is not an sbatch script written by aura-lens/);
    assert.deepEqual(snapshot(work), before);
    // Our own script is replaced.
    const ours = join(work, 'job.sbatch');
    assert.equal(runCli(['launch', 'slurm', model, '--data', data, '--out', join(work, 'shards'), '--shards', '2', '--file', ours]).status, 0);
    assert.equal(runCli(['launch', 'slurm', model, '--data', data, '--out', join(work, 'shards'), '--shards', '3', '--file', ours]).status, 0);
  });

  it('profile --out inside the model folder or inside another profile; merge --out onto a shard', () => {
    const before = snapshot(work);
    oneLineRefusal(['profile', model, '--data', data, '--out', join(model, 'prof')], /^aura-lens: --out .*prof: is inside the model folder/);
    oneLineRefusal(['profile', model, '--data', data, '--out', join(profile, 'sub')], /--out .*sub: is inside the aura-lens profile folder/);
    oneLineRefusal(['merge', profile, '--out', profile], /^aura-lens: --out .*profile: is a shard folder it reads; write the output to another path/);
    assert.deepEqual(snapshot(work), before);
  });

  it('demo --out holding a user file named intervention.json', () => {
    const d = join(work, 'demo-out');
    mkdirSync(d);
    writeFileSync(join(d, 'intervention.json'), '{"mine": 1}');
    oneLineRefusal(['demo', '--out', d], /^aura-lens: --out .*intervention\.json: exists and is not an aura-lens intervention file/);
    assert.equal(readFileSync(join(d, 'intervention.json'), 'utf8'), '{"mine": 1}');
    assert.ok(!existsSync(join(d, 'profile')));
  });
});

describe('output guard module', () => {
  it('a symlink to an input is the input; a folder or a FIFO is no file to write', () => {
    const d = scratchDir('guard-mod');
    const input = join(d, 'in.json');
    writeFileSync(input, '{}');
    symlinkSync(input, join(d, 'link.json'));
    assert.throws(() => guardOutputFile('--out', join(d, 'link.json'), 'intervention', { inputs: [{ path: input, what: 'the input' }] }), /--out .*link\.json: is the input/);
    assert.throws(() => guardOutputFile('--out', d, 'intervention'), /--out .*: is a folder; expected a file path/);
    assert.throws(() => guardOutputFile('--out', '/dev/null', 'sweep-csv'), /--out \/dev\/null: is not a regular file/);
    // A new path in a plain folder is fine.
    guardOutputFile('--out', join(d, 'new', 'x.json'), 'intervention', { inputs: [{ path: input, what: 'the input' }] });
    guardOutputFolder('--out', join(d, 'prof'), { modelDirs: [join(d, 'model')] });
    assert.throws(() => guardOutputFolder('--out', d, { modelDirs: [join(d, 'model')] }), /--out .*: holds the model folder/);
  });
});
