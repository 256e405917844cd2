import { loadConceptData } from '../aura/datasets';
import { neuronWrites } from '../aura/neuron-writes';
import { toxicTokenIds } from '../aura/neuron-writes-tokens';
import { UserError } from '../engine/errors';
import { LanguageModel } from '../engine/model';
import { num, parse, positional, str } from './args';
import { makeOutput } from './output';
import type { NeuronWrites } from '../aura/neuron-writes';

export async function inspectCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { site: 'string', neuron: 'string', top: 'string', data: 'string' });
  const dir = positional(p, 0, 'MODEL_DIR (usage: aura-lens inspect MODEL_DIR [--json])');
  const out = makeOutput(!!p.flags.json);
  const model = await LanguageModel.open(dir, {});
  try {
    const neuron = str(p.flags, 'neuron');
    if (neuron !== undefined) {
      const top = num(p.flags, 'top', { min: 1, max: 1000, integer: true }) ?? 20;
      const { siteId, index } = parseNeuron(neuron);
      // With the concept data, word pieces of lexicon-toxic words count as toxic tokens too.
      const data = str(p.flags, 'data');
      const pieces = data ? toxicTokenIds(model.tokenizer, (await loadConceptData({ kind: 'file', path: data }, {})).examples.map((e) => e.text)) : undefined;
      const w = neuronWrites(model, siteId, index, top, pieces);
      out.result(w, writesText(w));
      return;
    }
    const only = str(p.flags, 'site');
    const chosen = only ? [model.site(only)] : model.sites;
    const sites = chosen.map((s) => ({ id: s.id, layer: s.layer, kind: s.kind, neurons: s.neurons, tensor: s.tensor }));
    const obj = {
      format: model.format,
      architecture: model.facts.architecture,
      layers: model.facts.layers,
      vocabSize: model.facts.vocabSize,
      sites,
      fingerprint: model.fingerprint,
      layout: model.layout,
      file: model.files.main,
    };
    const lines = [
      `${model.files.dir}`,
      `  format ${obj.format}, architecture ${obj.architecture}, ${obj.layers} layers, vocabulary ${obj.vocabSize}`,
      `  ${sites.length} sites, ${sites.reduce((a, s) => a + s.neurons, 0)} neurons:`,
      ...sites.map((s) => `    ${s.id.padEnd(40)} ${s.kind.padEnd(9)} ${String(s.neurons).padStart(6)}  ${s.tensor}`),
    ];
    out.result(obj, lines.join('\n'));
  } finally {
    await model.dispose();
  }
}

/** `SITE:INDEX`; split at the last colon, since custom site ids contain one. */
function parseNeuron(spec: string): { siteId: string; index: number } {
  const at = spec.lastIndexOf(':');
  const index = Number(spec.slice(at + 1));
  if (at <= 0 || !/^\d+$/.test(spec.slice(at + 1)) || !Number.isSafeInteger(index)) {
    throw new UserError(`--neuron: expected SITE:INDEX (e.g. transformer.h.0.mlp.c_fc:12), got "${spec}"`);
  }
  return { siteId: spec.slice(0, at), index };
}

function writesText(w: NeuronWrites): string {
  const list = (ts: NeuronWrites['promoted']) => ts.map((t) => `${JSON.stringify(t.token)}${t.toxic ? '*' : ''} ${t.logit.toFixed(3)}`).join(', ');
  const s = w.source;
  return [
    `${w.siteId}[${w.neuron}] (layer ${w.layer}): ${w.role} (${w.toxicPromoted} of ${w.promoted.length} promoted tokens toxic by the lexicon)`,
    `  promotes:   ${list(w.promoted)}`,
    `  suppresses: ${list(w.suppressed)}`,
    `  row of ${s.downProjection}, scaled by ${s.normScale ?? 'no norm scale (not recognised)'} (${s.normKind}), times ${s.unembedding} [${s.hidden} x ${s.vocab}]; * = toxic`,
  ].join('\n');
}
