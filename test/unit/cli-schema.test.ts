// Issue 19 item 21: each command parses its whole argument set into one typed options object (one
// valibot schema per command) before it opens a model or reads data. The expected values and messages
// below are the documented defaults and contracts (docs/cli.md), written out by hand.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { demoOptions } from '../../src/cli/demo';
import { evaluateOptions } from '../../src/cli/evaluate';
import { exportOptions } from '../../src/cli/export';
import { fitOptions } from '../../src/cli/fit';
import { generateOptions } from '../../src/cli/generate';
import { inspectOptions } from '../../src/cli/inspect';
import { launchOptions } from '../../src/cli/launch';
import { mergeOptions } from '../../src/cli/merge';
import { perplexityOptions } from '../../src/cli/perplexity';
import { profileOptions } from '../../src/cli/profile';
import { runCli } from '../helpers/cli';
import { scratchDir } from '../helpers/scratch';

/** The one-line message a parse throws (and that it is a user error, exit 1 in the CLI). */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (e) {
    assert.equal((e as Error).name, 'UserError', String(e));
    const m = (e as Error).message;
    assert.equal(m.split('\n').length, 1, m);
    return m;
  }
  assert.fail('expected the arguments to be refused');
}

const PROFILE = ['m', '--data', 'd.jsonl', '--out', 'o'];

describe('one schema per command: the typed options', () => {
  it('profile: the defaults of the docs, and every flag read into its field', () => {
    const o = profileOptions(PROFILE);
    assert.deepEqual(
      { dir: o.dir, data: o.data, out: o.out, pooling: o.pooling, seqLen: o.seqLen, batchSize: o.batchSize, seed: o.seed, bootstrap: o.bootstrap, permutations: o.permutations, json: o.json },
      { dir: 'm', data: 'd.jsonl', out: 'o', pooling: 'max', seqLen: 128, batchSize: 16, seed: 0, bootstrap: 100, permutations: 10, json: false },
    );
    assert.equal(o.seqLenGiven, false);
    const all = profileOptions([...PROFILE, '--sites', 'a, b,,custom:x', '--pooling', 'mean', '--max-per-class', '50', '--seq-len', '64', '--batch-size', '4',
      '--text-column', 't', '--label-column', 'l', '--delimiter', ';', '--seed', '-3', '--threads', '2', '--shard', ' 1 / 4 ', '--ep', 'cpu', '--json']);
    assert.deepEqual(all.sites, ['a', 'b', 'custom:x']);
    assert.deepEqual([all.pooling, all.maxPerClass, all.seqLen, all.seqLenGiven, all.batchSize, all.textColumn, all.labelColumn, all.delimiter, all.seed, all.threads, all.ep, all.json],
      ['mean', 50, 64, true, 4, 't', 'l', ';', -3, 2, 'cpu', true]);
    assert.deepEqual(all.shard, { index: 1, count: 4 });
    assert.deepEqual([profileOptions([...PROFILE, '--sketch', '256', '--calibration-batches', '3']).bins, profileOptions([...PROFILE, '--sketch', '256', '--calibration-batches', '3']).calibration], [256, 3]);
    assert.equal(profileOptions([...PROFILE, '--delimiter', 'tab']).delimiter, '\t');
  });

  it('the other commands: defaults and fields', () => {
    const f = fitOptions(['p', '--method', 'aura', '--out', 'f.json']);
    assert.deepEqual([f.dir, f.method, f.out, f.strength, f.resamples, f.confidence, f.permutations, f.seed, f.k], ['p', 'aura', 'f.json', 1, 200, 0.95, 10, 0, undefined]);
    const e = evaluateOptions(['m']);
    assert.deepEqual([e.samples, e.maxNewTokens, e.seed, e.scorer, e.controls], [25, 20, 0, 'lexicon', ['random', 'lowest']]);
    assert.deepEqual(evaluateOptions(['m', '--intervention', 'i.json', '--sweep', '0,0.5, 1']).sweep, [0, 0.5, 1]);
    assert.deepEqual(evaluateOptions(['m', '--profile', 'p', '--methods', 'aura,linear-act', '--controls', 'none']).controls, []);
    const g = generateOptions(['m', '--prompt', 'Hi', '--temperature', '0.7', '--top-k', '5', '--intervention', 'i.json', '--strength', '.5']);
    assert.deepEqual([g.prompt, g.maxNewTokens, g.temperature, g.topK, g.seed, g.strength], ['Hi', 20, 0.7, 5, 0, 0.5]);
    const p = perplexityOptions(['m', '--data', 't.txt']);
    assert.deepEqual([p.batchSize, p.maxLength], [8, undefined]);
    assert.deepEqual(exportOptions(['i.json', '--model', 'm', '--format', 'onnx', '--out', 'x.onnx']), { file: 'i.json', format: 'onnx', out: 'x.onnx', modelDir: 'm', strength: undefined, checkpoint: undefined, evaluation: undefined, baseModel: undefined, dtype: undefined, json: false });
    assert.deepEqual(mergeOptions(['a', 'b', 'c', '--out', 'o']).shards, ['a', 'b', 'c']);
    assert.deepEqual(inspectOptions(['m', '--neuron', 'custom:a/b:12']).neuron, { siteId: 'custom:a/b', index: 12 });
    assert.equal(demoOptions(['--out', '/tmp/x']).out, '/tmp/x');
    const l = launchOptions(['slurm', '/m', '--data', '/d', '--out', '/o', '--shards', '3', '--', '--seq-len', '64']);
    assert.equal(l.engine, 'slurm');
    assert.deepEqual(l.profileArgs, ['--seq-len', '64']);
  });
});

describe('one schema per command: one line naming the flag', () => {
  it('an unknown flag, a missing value, a flag given twice, an extra argument', () => {
    assert.match(refusal(() => profileOptions([...PROFILE, '--frobnicate'])), /^--frobnicate: not a flag of "aura-lens profile" \(it takes .*--data.*--seq-len/);
    assert.match(refusal(() => fitOptions(['p', '--method', 'aura', '--out'])), /^--out: expected a value after it$/);
    assert.match(refusal(() => profileOptions(['m', '--data', '--out', 'o'])), /^--data: expected a value, got the next flag/);
    assert.match(refusal(() => fitOptions(['p', '--method', 'aura', '--out', 'a', '--k', '3', '--k', '5'])), /^--k: given more than once/);
    assert.match(refusal(() => profileOptions([...PROFILE, 'stray'])), /^unexpected argument "stray"/);
    assert.match(refusal(() => profileOptions([...PROFILE, '--json=yes'])), /^--json: takes no value$/);
    assert.match(refusal(() => demoOptions(['folder'])), /^unexpected argument "folder"/);
    assert.match(refusal(() => profileOptions(['--data', 'd', '--out', 'o'])), /^missing MODEL_DIR/);
    assert.match(refusal(() => profileOptions(['m', '--out', 'o'])), /^--data is required$/);
    assert.match(refusal(() => launchOptions(['slurm', '/m', '--data', '/d', '--out', '/o'])), /^--shards is required$/);
  });

  it('numbers are plain decimals: 0x1, 0b1, 1_0, blank and Infinity are not numbers', () => {
    for (const bad of ['0x1', '0b1', '0o1', '1_0', ' ', '', 'Infinity', '1e999', '1,5', 'NaN']) {
      assert.equal(refusal(() => generateOptions(['m', '--prompt', 'x', '--intervention', 'i', '--strength', bad])), `--strength: expected a number >= 0 and <= 1, got "${bad}"`);
    }
    assert.equal(generateOptions(['m', '--prompt', 'x', '--intervention', 'i', '--strength', '1e-1']).strength, 0.1);
    assert.equal(refusal(() => profileOptions([...PROFILE, '--seq-len', '-1'])), '--seq-len: expected an integer >= 1 and <= 8192, got "-1"');
    assert.equal(refusal(() => profileOptions([...PROFILE, '--batch-size', '2.5'])), '--batch-size: expected an integer >= 1 and <= 1024, got "2.5"');
    assert.equal(refusal(() => evaluateOptions(['m', '--intervention', 'i', '--sweep', '0,0x1'])), '--sweep: expected strengths in [0, 1] separated by commas, got "0x1"');
  });

  it('rules between flags', () => {
    for (const parse of [
      () => generateOptions(['m', '--prompt', 'x', '--strength', '0.5']),
      () => perplexityOptions(['m', '--data', 't', '--strength', '0.5']),
      () => evaluateOptions(['m', '--strength', '0.5']),
    ]) {
      assert.equal(refusal(parse), '--strength: scales an intervention; add --intervention FILE');
    }
    assert.match(refusal(() => evaluateOptions(['m', '--intervention', 'i', '--sweep', '0,1', '--strength', '1'])), /^--strength: a sweep takes its strengths from --sweep/);
    assert.equal(refusal(() => evaluateOptions(['m', '--sweep', '0,1'])), '--sweep needs --intervention FILE');
    assert.match(refusal(() => evaluateOptions(['m', '--csv', 'x.csv'])), /^--csv writes the points of a sweep/);
    assert.match(refusal(() => evaluateOptions(['m', '--max-q', '0.1'])), /^--max-q belongs to a method sweep/);
    assert.match(refusal(() => evaluateOptions(['m', '--methods', 'aura'])), /^--methods needs --profile DIR/);
    assert.match(refusal(() => evaluateOptions(['m', '--profile', 'p', '--methods', 'aura', '--controls', 'random,top'])), /^--controls: expected none or some of random, lowest, got "top"$/);
    assert.equal(refusal(() => profileOptions([...PROFILE, '--calibration-batches', '2'])), '--calibration-batches: only with --sketch BINS');
    assert.match(refusal(() => profileOptions([...PROFILE, '--sketch', '64', '--bootstrap', '10'])), /^--bootstrap: a --sketch profile keeps no responses/);
    assert.match(refusal(() => profileOptions([...PROFILE, '--shard', '0/2', '--permutations', '5'])), /^--permutations: a --shard has no statistics/);
    assert.match(refusal(() => fitOptions(['p', '--method', 'aura', '--out', 'a', '--held-out', '1'])), /^--held-out: expected a fraction strictly between 0 and 1/);
    assert.match(refusal(() => fitOptions(['p', '--method', 'linear-act', '--out', 'a', '--k', '3'])), /^--k: linear-act takes neither k nor alpha/);
    assert.match(refusal(() => fitOptions(['p', '--method', 'best', '--out', 'a'])), /^--method: expected one of aura, damp, det0.*got "best"$/);
    assert.match(refusal(() => inspectOptions(['m', '--top', '5'])), /^--top: only with --neuron SITE:INDEX$/);
    assert.match(refusal(() => inspectOptions(['m', '--neuron', 'a.b'])), /^--neuron: expected SITE:INDEX/);
    assert.match(refusal(() => profileOptions([...PROFILE, '--delimiter', ';;'])), /^--delimiter: expected one character/);
  });
});

describe('the CLI checks every flag before the work (exit 1, one line, nothing read or written)', () => {
  // MODEL_DIR and the data do not exist: a command that read them first would name them instead.
  const missing = '/nonexistent/aura-lens-model';
  it('profile, evaluate, fit and perplexity refuse a bad flag before touching the model or the data', () => {
    const d = scratchDir('cli-schema');
    const cases: [string[], RegExp][] = [
      [['profile', missing, '--data', '/nonexistent/d.jsonl', '--out', join(d, 'p'), '--bootstrap', 'many'], /--bootstrap: expected an integer >= 0 and <= 100000, got "many"/],
      [['evaluate', missing, '--sweep', '0,1'], /--sweep needs --intervention FILE/],
      [['evaluate', missing, '--intervention', '/nonexistent/i.json', '--sweep', '0,1', '--csv', join(d, 'no-folder', 'x.csv')], /--csv .*x\.csv: the folder .*no-folder does not exist/],
      [['generate', missing, '--prompt', 'x', '--strength', '0x1'], /--strength: expected a number >= 0 and <= 1, got "0x1"/],
      [['perplexity', missing, '--data', '/nonexistent/t.txt', '--strength', '0.5'], /--strength: scales an intervention; add --intervention FILE/],
      [['fit', d, '--method', 'aura', '--out', d], /--out .*: is a folder; expected a file name/],
      [['generate', missing, '--prompt', 'x', '--intervention', join(d, 'no-such-iv.json')], /no-such-iv\.json/],
      [['perplexity', missing, '--data', '/nonexistent/t.txt', '--intervention', join(d, 'no-such-iv.json')], /no-such-iv\.json/],
      [['evaluate', missing, '--profile', join(d, 'no-such-profile'), '--methods', 'aura', '--prompts', '/nonexistent/p.txt'], /no-such-profile/],
    ];
    for (const [args, want] of cases) {
      const r = runCli(args);
      assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
    assert.equal(existsSync(join(d, 'p')), false, 'profile wrote nothing');
  });

  it('an unknown flag is named with the command', () => {
    const d = scratchDir('cli-schema-unknown');
    writeFileSync(join(d, 'x.txt'), 'a\n');
    const r = runCli(['perplexity', missing, '--data', join(d, 'x.txt'), '--batchsize', '4']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr.trim(), /^aura-lens: --batchsize: not a flag of "aura-lens perplexity" \(it takes .*--batch-size/);
  });
});
