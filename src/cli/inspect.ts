import { LanguageModel } from '../engine/model';
import { parse, positional, str } from './args';
import { makeOutput } from './output';

export async function inspectCommand(argv: string[]): Promise<void> {
  const p = parse(argv, { site: 'string' });
  const dir = positional(p, 0, 'MODEL_DIR (usage: aura-lens inspect MODEL_DIR [--json])');
  const out = makeOutput(!!p.flags.json);
  const model = await LanguageModel.open(dir, {});
  try {
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
