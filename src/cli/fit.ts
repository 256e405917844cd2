import { fitIntervention, methodNames } from '../aura/methods';
import { interventionFromFit, writeInterventionFile } from '../aura/intervention-file';
import { readAurocs } from '../aura/profile/score';
import { UserError } from '../engine/errors';
import { num, parse, positional, requireStr, str } from './args';
import { makeOutput } from './output';

export async function fitCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { method: 'string', k: 'string', alpha: 'string', strength: 'string', pooling: 'string', out: 'string' });
  const dir = positional(p, 0, 'DIR, a profile folder (usage: aura-lens fit DIR --method aura|damp|det0 --out FILE)');
  const method = requireStr(p.flags, 'method');
  if (!methodNames().includes(method)) throw new UserError(`--method: expected one of ${methodNames().join(', ')}, got "${method}"`);
  const out = requireStr(p.flags, 'out');
  const k = num(p.flags, 'k', { min: 1, integer: true });
  const alpha = num(p.flags, 'alpha', { min: 0, max: 1 });
  const strength = num(p.flags, 'strength', { min: 0, max: 1 }) ?? 1;
  const pooling = str(p.flags, 'pooling');
  if (pooling !== undefined && pooling !== 'max' && pooling !== 'mean') throw new UserError(`--pooling: expected max or mean, got "${pooling}"`);
  const { manifest, sites } = readAurocs(dir, pooling);
  const fit = fitIntervention(method, sites, { strength, ...(k !== undefined ? { k } : {}), ...(alpha !== undefined ? { alpha } : {}) });
  const file = interventionFromFit(fit, {
    model: manifest.model,
    pooling: (pooling as 'max' | 'mean' | undefined) ?? manifest.pooling,
    data: { positives: manifest.data.positives, negatives: manifest.data.negatives, source: manifest.data.source },
    aurocs: new Map(sites.map((s) => [s.siteId, s.auroc])),
  });
  await writeInterventionFile(out, file);
  makeOutput(!!p.flags.json).result(
    { out, method, experts: fit.experts, neurons: fit.neurons, strength, k: fit.k, alpha: fit.alpha },
    `${method}: ${fit.experts} experts of ${fit.neurons} neurons, written to ${out}`,
  );
}
