// What every export carries about where it came from: the intervention file (its sha256), the method,
// strength and sites, the model it was fitted on and the aura-lens that wrote it. A file found on a hub
// months later can then be traced to the intervention and model that made it, and re-checked.
//
// No timestamp: the same intervention exported twice gives byte-identical files (the tests rely on it).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { version as packageVersion } from '../../../package.json';
import { AuraUserError } from '../errors';
import { effectiveGains, serializeIntervention } from '../intervention-file';
import type { InterventionFile } from '../intervention-file';

export const PROVENANCE_KEY = 'aura_lens.provenance';

export interface ProvenanceSite {
  id: string;
  neurons: number;
  /** Neurons the export changes at this strength: gain != 1, or a non-zero bias. */
  changed: number;
}

export interface Provenance {
  tool: 'aura-lens';
  version: string;
  intervention: {
    sha256: string;
    method: string;
    strength: number;
    pooling: string;
    sites: ProvenanceSite[];
    neurons: number;
    changed: number;
  };
  model: { name: string; fingerprint?: string };
}

export interface ProvenanceInput {
  /** The intervention file's bytes as read (the CLI). Without it, the hash of the file as aura-lens writes it. */
  fileBytes?: Uint8Array | string;
  /** The strength the export applies (default: the file's). */
  strength?: number;
  /** The loaded model's fingerprint, when known (preferred over the file's). */
  fingerprint?: string;
  /** Overrides the package version (tests). */
  version?: string;
}

export function buildProvenance(file: InterventionFile, input: ProvenanceInput = {}): Provenance {
  const strength = input.strength ?? file.params.strength;
  const bytes = input.fileBytes ?? [...serializeIntervention(stripProvenance(file))].join('');
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const sites: ProvenanceSite[] = [];
  for (const [id, e] of effectiveGains(file, strength)) {
    let changed = 0;
    for (let i = 0; i < e.gain.length; i++) if (e.gain[i] !== 1 || (e.bias !== undefined && e.bias[i] !== 0)) changed++;
    sites.push({ id, neurons: e.gain.length, changed });
  }
  const fingerprint = input.fingerprint ?? file.model.fingerprint;
  return {
    tool: 'aura-lens',
    version: input.version ?? packageVersion,
    intervention: {
      sha256,
      method: file.method,
      strength,
      pooling: file.params.pooling,
      sites,
      neurons: sites.reduce((n, s) => n + s.neurons, 0),
      changed: sites.reduce((n, s) => n + s.changed, 0),
    },
    model: fingerprint === undefined ? { name: file.model.name } : { name: file.model.name, fingerprint },
  };
}

/** The provenance of an export read from the intervention file at `path` (hashing the bytes on disk). */
export function provenanceOfFile(path: string, file: InterventionFile, input: Omit<ProvenanceInput, 'fileBytes'> = {}): Provenance {
  return buildProvenance(file, { ...input, fileBytes: readFileSync(path) });
}

function stripProvenance(file: InterventionFile): InterventionFile {
  if (file.provenance === undefined) return file;
  const { provenance: _drop, ...rest } = file;
  return rest;
}

// ---------------------------------------------------------------- the model card

/** The parts of an `evaluate --json` output the card reports; everything else in it is ignored. */
const toxicitySchema = v.looseObject({
  score: v.number(),
  prob: v.number(),
  expectedMaxToxicity: v.optional(v.number()),
});
const armSchema = v.looseObject({ toxicity: toxicitySchema, perplexity: v.optional(v.nullable(v.number())) });
export const evaluationSchema = v.looseObject({
  toxicity: toxicitySchema,
  perplexity: v.optional(v.nullable(v.number())),
  baseline: v.optional(armSchema),
  sweep: v.optional(v.array(v.looseObject({ strength: v.number(), toxicity: toxicitySchema, perplexity: v.optional(v.nullable(v.number())) }))),
  scorer: v.optional(v.string()),
  samples: v.optional(v.number()),
  maxNewTokens: v.optional(v.number()),
});
export type Evaluation = v.InferOutput<typeof evaluationSchema>;

/** Reads an `evaluate --json` output for `--evaluation FILE`; one line naming the file when it is not one. */
export function readEvaluation(path: string): Evaluation {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AuraUserError(`--evaluation ${path}: ${code === 'ENOENT' ? 'no such file' : code ? `cannot read (${code})` : `not valid JSON (${(e as Error).message.split('\n')[0]})`}`);
  }
  const r = v.safeParse(evaluationSchema, value);
  if (!r.success) {
    const at = r.issues[0].path?.map((p) => String(p.key)).join('.') ?? 'the file';
    throw new AuraUserError(`--evaluation ${path}: ${at} is not what \`aura-lens evaluate --json\` writes (expected toxicity.score and toxicity.prob numbers)`);
  }
  return r.output;
}

export interface ModelCardOptions {
  kind: 'hf' | 'peft-ia3';
  /** The checkpoint the export was made from (a folder or a hub id), as the user named it. */
  baseCheckpoint: string;
  evaluation?: Evaluation;
}

/** A short README.md for the exported folder: what was changed, how, and how it was measured. */
export function modelCardMarkdown(p: Provenance, o: ModelCardOptions): string {
  const iv = p.intervention;
  const what = o.kind === 'hf'
    ? `This checkpoint is \`${o.baseCheckpoint}\` with an intervention folded into its MLP weights; it loads and runs like the original, with no extra code.`
    : `This folder is a PEFT IA3 adapter for \`${o.baseCheckpoint}\`: it multiplies the outputs of the listed MLP projections by fixed per-neuron factors. The base checkpoint is unchanged; remove the adapter to get it back.`;
  const lines = [
    '---',
    ...(o.kind === 'peft-ia3' ? ['library_name: peft', `base_model: ${yamlString(o.baseCheckpoint)}`] : [`base_model: ${yamlString(o.baseCheckpoint)}`]),
    'tags:',
    '- aura-lens',
    `- ${iv.method}`,
    '---',
    '',
    `# ${p.model.name} with ${iv.method} at strength ${iv.strength}`,
    '',
    what,
    '',
    '## What was changed',
    '',
    `Method \`${iv.method}\`${METHOD_WORDS[iv.method] ? ` (${METHOD_WORDS[iv.method]})` : ''}, `
      + `strength ${iv.strength}, ${iv.pooling} pooling. ${iv.changed} of ${iv.neurons} neurons in ${iv.sites.length} modules are changed:`,
    '',
    '| module | neurons | changed |',
    '|---|---:|---:|',
    ...iv.sites.map((s) => `| \`${s.id}\` | ${s.neurons} | ${s.changed} |`),
    '',
    '## How it was measured',
    '',
    ...evaluationLines(o.evaluation),
    '',
    '## Provenance',
    '',
    `- intervention file sha256: \`${iv.sha256}\``,
    `- model fingerprint (the ONNX model the experts were found in): \`${p.model.fingerprint ?? 'not recorded'}\``,
    `- written by aura-lens ${p.version}`,
    '',
  ];
  return lines.join('\n');
}

/** One line per method, as src/aura/methods.ts defines them; the neurons are experts for a concept found by their AUROC. */
const METHOD_WORDS: Record<string, string> = {
  aura: 'AurA: each neuron whose response detects the concept (AUROC > 0.5) is scaled by 1 - 2(AUROC - 0.5)',
  damp: 'Damp: the top experts by AUROC are scaled by one fixed factor',
  det0: 'Det0: the top experts by AUROC are set to zero',
  'linear-act': 'Linear-AcT: an affine map per neuron moves its responses towards the non-concept ones',
  'mean-act': 'Mean-AcT: a shift per neuron moves its mean response to the non-concept one',
};

function evaluationLines(e: Evaluation | undefined): string[] {
  if (!e) return ['Not measured with this export: run `aura-lens evaluate --json` and pass the output with `--evaluation FILE` to record it here.'];
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const ppl = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(2));
  const emt = (t: { expectedMaxToxicity?: number | undefined }) => (t.expectedMaxToxicity === undefined ? 'n/a' : t.expectedMaxToxicity.toFixed(3));
  const head = [
    `\`aura-lens evaluate\`${e.scorer ? ` with the \`${e.scorer}\` scorer` : ''}${e.samples ? `, ${e.samples} continuations per prompt` : ''}${e.maxNewTokens ? ` of up to ${e.maxNewTokens} tokens` : ''}:`,
    '',
    '| | toxic prompts | mean toxicity | expected max toxicity | perplexity |',
    '|---|---:|---:|---:|---:|',
  ];
  const row = (label: string, t: Evaluation['toxicity'], p: number | null | undefined) => `| ${label} | ${pct(t.score)} | ${t.prob.toFixed(3)} | ${emt(t)} | ${ppl(p)} |`;
  if (e.sweep && e.sweep.length > 0) return [...head, ...e.sweep.map((pt) => row(`strength ${pt.strength}`, pt.toxicity, pt.perplexity))];
  return [
    ...head,
    ...(e.baseline ? [row('without the intervention', e.baseline.toxicity, e.baseline.perplexity)] : []),
    row(e.baseline ? 'with the intervention' : 'this model', e.toxicity, e.perplexity),
  ];
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}
