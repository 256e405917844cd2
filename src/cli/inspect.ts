import { loadConceptData } from '../aura/datasets';
import { neuronWrites } from '../aura/neuron-writes';
import { toxicTokenIds } from '../aura/neuron-writes-tokens';
import { LanguageModel } from '../engine/model';
import * as v from 'valibot';
import { command, number, parseCommand, positionals, rule, text } from './flag-schema';
import { makeOutput } from './output';
import type { NeuronWrites } from '../aura/neuron-writes';

const INSPECT = v.pipe(
  command({
    _: positionals(['MODEL_DIR (usage: aura-lens inspect MODEL_DIR [--json])']),
    site: text('site'),
    neuron: v.optional(
      v.pipe(
        v.string(),
        v.rawTransform(({ dataset, addIssue, NEVER }) => {
          const n = parseNeuron(dataset.value);
          if (n) return n;
          addIssue({ message: `--neuron: expected SITE:INDEX (e.g. transformer.h.0.mlp.c_fc:12), got "${dataset.value}"` });
          return NEVER;
        }),
      ),
    ),
    top: number('top', { min: 1, max: 1000, integer: true }),
    data: text('data'),
  }),
  rule((o) => o.neuron !== undefined || (o.top === undefined && o.data === undefined), (o) => `--${o.top !== undefined ? 'top' : 'data'}: only with --neuron SITE:INDEX`),
  rule((o) => o.neuron === undefined || o.site === undefined, '--site: lists one site; --neuron names its own site, leave out --site'),
  v.transform((o) => ({ dir: o._[0]!, site: o.site || undefined, neuron: o.neuron, top: o.top ?? 20, data: o.data || undefined, json: o.json })),
);

export type InspectOptions = v.InferOutput<typeof INSPECT>;

/** Every flag of `inspect`, checked before the model opens. */
export function inspectOptions(argv: string[]): InspectOptions {
  return parseCommand('inspect', argv, INSPECT);
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const opt = inspectOptions(argv);
  const dir = opt.dir;
  const out = makeOutput(opt.json);
  const model = await LanguageModel.open(dir, {});
  try {
    if (opt.neuron !== undefined) {
      const { top, data } = opt;
      const { siteId, index } = opt.neuron;
      // With the concept data, word pieces of lexicon-toxic words count as toxic tokens too.
      const pieces = data ? toxicTokenIds(model.tokenizer, (await loadConceptData({ kind: 'file', path: data }, {})).examples.map((e) => e.text)) : undefined;
      const w = neuronWrites(model, siteId, index, top, pieces);
      out.result(w, writesText(w));
      return;
    }
    const only = opt.site;
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
function parseNeuron(spec: string): { siteId: string; index: number } | undefined {
  const at = spec.lastIndexOf(':');
  const index = Number(spec.slice(at + 1));
  if (at <= 0 || !/^\d+$/.test(spec.slice(at + 1)) || !Number.isSafeInteger(index)) return undefined;
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
