// `aura-lens compare PROFILE_A PROFILE_B`: how much two concepts' expert sets overlap on one model.
import { resolve } from 'node:path';
import { atomicWriteFile } from '../aura/atomic-write';
import { compareAurocs, comparisonCsv, readProfilePair } from '../aura/concepts';
import { UserError } from '../engine/errors';
import { command, number, parseCommand, positionals, text } from './flag-schema';
import { makeOutput } from './output';
import type { SetOverlap } from '../aura/concepts';

const USAGE = 'aura-lens compare PROFILE_A PROFILE_B [--k N] [--csv FILE] [--json]';

const COMPARE = command({
  _: positionals([`PROFILE_A, a profile folder (usage: ${USAGE})`, `PROFILE_B, a second profile folder of the same model (usage: ${USAGE})`]),
  k: number('k', { min: 1, integer: true }),
  csv: text('csv'),
});

export async function compareCommand(argv: string[]): Promise<void> {
  const f = parseCommand('compare', argv, COMPARE);
  const [dirA, dirB] = f._ as [string, string];
  const k = f.k ?? 100;
  const csv = f.csv;
  if (csv !== undefined && (resolve(csv).startsWith(resolve(dirA) + '/') || resolve(csv).startsWith(resolve(dirB) + '/'))) {
    throw new UserError(`--csv ${csv}: is inside a profile folder; write it elsewhere`);
  }
  const o = makeOutput(f.json);
  const pair = readProfilePair(dirA, dirB);
  const all = (which: 'a' | 'b') => {
    const out = new Float64Array(pair.sites.reduce((n, s) => n + s.a.length, 0));
    let off = 0;
    for (const s of pair.sites) {
      out.set(s[which], off);
      off += s[which].length;
    }
    return out;
  };
  const c = compareAurocs(all('a'), all('b'), k);
  if (csv !== undefined) await atomicWriteFile(csv, comparisonCsv(pair.sites));
  const [ma, mb] = pair.manifests;
  const line = (name: string, s: SetOverlap) => `${name}: ${s.a} in A, ${s.b} in B, ${s.both} in both; Jaccard ${s.jaccard === null ? 'n/a' : s.jaccard.toFixed(3)}`;
  o.result(
    { a: { dir: dirA, data: ma.data.source, pooling: ma.pooling }, b: { dir: dirB, data: mb.data.source, pooling: mb.pooling }, ...c, ...(csv !== undefined ? { csv } : {}) },
    [
      `A ${dirA} (${ma.data.source}) vs B ${dirB} (${mb.data.source}), ${c.neurons} neurons`,
      line('experts (AUROC > 0.5)', c.experts),
      line(`top ${c.topK.k}`, c.topK),
      csv !== undefined ? `AUROCs per neuron written to ${csv} (site,neuron,auroc_a,auroc_b)` : '',
    ].filter(Boolean).join('\n'),
  );
}
