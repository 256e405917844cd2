// `fit --combine A.json,B.json --rule product|min --out C.json`: one intervention from several concepts'.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { combineInterventions } from '../aura/concepts';
import { readInterventionFile, writeInterventionFile } from '../aura/intervention-file';
import { UserError } from '../engine/errors';
import type { Flags } from './args';
import { requireStr, str } from './args';
import { makeOutput } from './output';

/** The flags `fit` takes with --combine (every other fit flag is about fitting a profile). */
export const COMBINE_FLAGS = new Set(['combine', 'rule', 'out', 'json', 'help']);

export async function combineCommand(flags: Flags, positionals: string[]): Promise<void> {
  const other = Object.keys(flags).find((f) => flags[f] !== undefined && !COMBINE_FLAGS.has(f));
  if (other) throw new UserError(`--${other}: not used with --combine (usage: aura-lens fit --combine A.json,B.json --rule product|min --out FILE)`);
  if (positionals.length > 0) throw new UserError(`fit --combine: takes no profile folder, got ${positionals[0]}`);
  const paths = requireStr(flags, 'combine').split(',').map((s) => s.trim()).filter(Boolean);
  const rule = str(flags, 'rule') ?? 'product';
  if (rule !== 'product' && rule !== 'min') throw new UserError(`--rule: expected product or min, got "${rule}"`);
  const out = requireStr(flags, 'out');
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
  makeOutput(!!flags.json).result(
    { out, method: c.method, rule, inputs: c.combined!.inputs, neurons, changed },
    `${c.method}: ${changed} of ${neurons} neurons changed (gain = ${rule} of ${paths.length} interventions' gains at their saved strengths), written to ${out}`,
  );
}
