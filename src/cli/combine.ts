// `fit --combine A.json,B.json --rule product|min --out C.json`: one intervention from several concepts'.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { combineInterventions } from '../aura/concepts';
import { readInterventionFile, writeInterventionFile } from '../aura/intervention-file';
import { UserError } from '../engine/errors';
import * as v from 'valibot';
import { command, oneOf, parseCommand, positionals, required } from './flag-schema';
import { makeOutput } from './output';

/** `fit --combine` is its own command line: only --combine, --rule and --out (and --json). */
const COMBINE = v.pipe(
  command({
    _: positionals([], {}),
    combine: required('combine'),
    rule: oneOf('rule', ['product', 'min']),
    out: required('out'),
  }),
  v.transform((o) => ({ paths: o.combine.split(',').map((s) => s.trim()).filter(Boolean), rule: o.rule ?? 'product', out: o.out, json: o.json })),
);

export async function combineCommand(argv: string[]): Promise<void> {
  const { paths, rule, out, json } = parseCommand('fit --combine', argv, COMBINE);
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  if (paths.some((p) => real(p) === real(out))) throw new UserError(`--out ${out}: is one of the --combine inputs; write the combination to a new file`);
  const files = [];
  for (const path of paths) files.push({ path, file: await readInterventionFile(path) });
  const c = combineInterventions(files, rule);
  await writeInterventionFile(out, c);
  let changed = 0;
  let neurons = 0;
  for (const s of Object.values(c.sites)) {
    neurons += s.neurons;
    for (const g of s.gain) if (g !== 1) changed++;
  }
  makeOutput(json).result(
    { out, method: c.method, rule, inputs: c.combined!.inputs, neurons, changed },
    `${c.method}: ${changed} of ${neurons} neurons changed (gain = ${rule} of ${paths.length} interventions' gains at their saved strengths), written to ${out}`,
  );
}
