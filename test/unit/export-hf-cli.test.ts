// `aura-lens export --format hf` through the built CLI: the --json result, and one-line errors with
// exit status 1 for bad flags and refused interventions.
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { FIXTURES } from '../helpers/fixtures';
import { scratchDir } from '../helpers/scratch';

const D = join(FIXTURES, 'hf', 'gpt2-bf16');
const base = (out: string) => ['export', join(D, 'aura.json'), '--model', join(D, 'model'), '--format', 'hf', '--checkpoint', join(D, 'checkpoint'), '--out', out];

function oneLineError(r: { status: number | null; stderr: string }, re: RegExp): void {
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, re);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
}

describe('aura-lens export --format hf (CLI)', () => {
  it('writes the folder and reports it with --json; twice to the same --out replaces the earlier export', () => {
    const out = join(scratchDir('hf-cli'), 'out');
    for (let i = 0; i < 2; i++) {
      const r = runCli([...base(out), '--dtype', 'float32', '--json']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.json!.format, 'hf');
      assert.equal(r.json!.folded, 8); // 4 sites: weight and bias each
      assert.equal(r.json!.dtype, 'float32');
      assert.deepEqual(r.json!.configChanges, { torch_dtype: 'float32' });
    }
    assert.deepEqual(readdirSync(out).sort(), ['README.md', 'aura-lens-export.json', 'config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    assert.equal(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).torch_dtype, 'float32');
    // Provenance travels: the intervention file's sha256 (computed here) in the record and the model card.
    const sha = createHash('sha256').update(readFileSync(join(D, 'aura.json'))).digest('hex');
    const record = JSON.parse(readFileSync(join(out, 'aura-lens-export.json'), 'utf8')) as { intervention: { sha256: string; method: string } };
    assert.equal(record.intervention.sha256, sha);
    assert.match(readFileSync(join(out, 'README.md'), 'utf8'), new RegExp(`intervention file sha256: \`${sha}\``));
  });

  it('bad flags: --dtype, a missing --checkpoint, --checkpoint without --format hf', () => {
    const out = join(scratchDir('hf-cli'), 'out');
    oneLineError(runCli([...base(out), '--dtype', 'int8']), /--dtype: expected one of keep, float32, float16, bfloat16, got "int8"/);
    oneLineError(runCli(base(out).filter((_, i, a) => a[i] !== '--checkpoint' && a[i - 1] !== '--checkpoint')), /--checkpoint/);
    oneLineError(runCli(['export', join(D, 'aura.json'), '--model', join(D, 'model'), '--format', 'onnx', '--checkpoint', join(D, 'checkpoint'), '--out', join(out, 'm.onnx')]), /--checkpoint: only --format hf and peft-ia3 use it/);
  });

  it('a range-limited intervention is refused with the reason', () => {
    const iv = JSON.parse(readFileSync(join(D, 'linear-act.json'), 'utf8'));
    iv.version = 2;
    for (const s of Object.values(iv.sites) as { neurons: number; lo?: number[]; hi?: number[] }[]) {
      s.lo = new Array(s.neurons).fill(-1);
      s.hi = new Array(s.neurons).fill(1);
    }
    const dir = scratchDir('hf-cli');
    writeFileSync(join(dir, 'ranged.json'), JSON.stringify(iv));
    const args = base(join(dir, 'out'));
    args[1] = join(dir, 'ranged.json');
    oneLineError(runCli(args), /range-limited map .* cannot fold into a checkpoint/);
  });
});
