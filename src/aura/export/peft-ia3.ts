// The intervention as a PEFT IA3 adapter: the reversible way to ship it, the base checkpoint untouched.
//
// What PEFT expects, from its source (huggingface/peft):
// - src/peft/tuners/ia3/layer.py, IA3Layer.update_layer: a module that is not "feedforward" gets a vector
//   of shape (out_features, 1); a feedforward one (1, in_features). Linear.forward multiplies the
//   module's OUTPUT by `ia3_l.flatten()` (bias included) when not feedforward, its INPUT when feedforward.
//   For transformers' Conv1D (GPT-2) in_features, out_features = weight.shape, the weight being [in, out].
// - src/peft/tuners/ia3/model.py, _create_new_module: a Conv1D target needs fan_in_fan_out=True (PEFT
//   warns and sets it otherwise), an nn.Linear target False; _check_target_module_feedforward matches
//   feedforward_modules by `key.endswith(name)`. tuners_utils.check_target_module_exists matches a list of
//   target_modules by exact name or by ".name" suffix, so full module paths select exactly our modules
//   (GPT-2's attention has a c_proj too: a bare "c_proj" would catch it).
// - src/peft/tuners/ia3/config.py, IA3Config: feedforward_modules must be a subset of target_modules.
// - src/peft/utils/save_and_load.py, get_peft_model_state_dict: IA3 keeps the keys containing "ia3_" and
//   removes the adapter name (".default"), so a key is `base_model.model.<module path>.ia3_l` (the
//   PeftModel -> IA3Model -> transformers model nesting); set_peft_model_state_dict puts it back on load.
//   save_pretrained writes the safetensors with metadata {"format": "pt"} and the config with
//   json.dumps(indent=2, sort_keys=True).
//
// Every site aura-lens finds is a projection's output (its hook tensor, bias included: engine/sites), so
// each becomes a non-feedforward target whose vector is the site's gain at the chosen strength. A site
// that is not a module's output (a custom tensor) has no IA3 module and is refused, as are methods that
// add a bias or act only inside a range: IA3 multiplies, nothing else.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AuraUserError } from '../errors';
import { checkInterventionFinite, effectiveGains } from '../intervention-file';
import type { InterventionFile } from '../intervention-file';
import { decodeSafetensors, encodeSafetensors } from '../safetensors';
import type { Tensor } from '../safetensors';
import { checkSameModel, moduleTensor, readCheckpoint } from './checkpoint-match';
import type { Checkpoint, OnnxFacts } from './checkpoint-match';
import { PROVENANCE_KEY, modelCardMarkdown } from './provenance';
import type { Evaluation, Provenance } from './provenance';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';
export const MODEL_CARD = 'README.md';

/** The ONNX model as the exporter needs it: LanguageModel satisfies this; tests pass plain objects. */
export interface SourceModel {
  facts: { modelType?: string; layers: number; hidden?: number; vocabSize: number };
  sites: readonly { id: string; kind: string; neurons: number }[];
  files: { dir: string };
}

export interface PeftIa3Options {
  checkpoint: string;
  out: string;
  strength?: number;
  provenance: Provenance;
  /** base_model_name_or_path in adapter_config.json; default: the checkpoint as given. */
  baseModel?: string;
  evaluation?: Evaluation;
  /** Checked between steps; an abort leaves nothing behind. */
  signal?: AbortSignal;
}

export interface PeftIa3Result {
  out: string;
  bytes: number;
  targetModules: string[];
  fanInFanOut: boolean;
}

/** Projection outputs, the sites IA3 can scale (kinds from engine/sites/naming). */
const OUTPUT_KINDS = new Set(['mlp.in', 'mlp.gate', 'mlp.up', 'mlp.out']);

/** Families whose MLP projections are transformers' Conv1D ([in, out] weights). */
const CONV1D_TYPES = new Set(['gpt2']);

export interface Ia3Target {
  module: string;
  /** Always false for aura-lens sites (projection outputs); true would scale the module's input. */
  feedforward: boolean;
  vector: Float32Array;
}

/** The adapter's contents without writing anything: config, tensors and the checks that decide them. */
export function planIa3(model: SourceModel, file: InterventionFile, ck: Checkpoint, strength?: number): { targets: Ia3Target[]; fanInFanOut: boolean } {
  refuseNonGains(file);
  checkInterventionFinite(file);
  const mlpSite = model.sites.find((s) => s.kind === 'mlp.up' || s.kind === 'mlp.in');
  const facts: OnnxFacts = { ...model.facts, ...(mlpSite && mlpSite.id.endsWith('gate_up_proj') === false ? { mlpSize: mlpSite.neurons } : {}) };
  checkSameModel(ck, facts, model.files.dir);
  const kinds = new Map(model.sites.map((s) => [s.id, s.kind]));
  const conv1d = CONV1D_TYPES.has(String(ck.config.model_type));
  const targets: Ia3Target[] = [];
  for (const [id, e] of effectiveGains(file, strength)) {
    const kind = kinds.get(id);
    if (kind === undefined) throw new AuraUserError(`intervention: the model has no site ${id}`);
    if (!OUTPUT_KINDS.has(kind)) {
      throw new AuraUserError(`intervention: site ${id} is a ${kind} tensor, not the output of an MLP projection; an IA3 adapter can only scale a module's input or output (use --format onnx)`);
    }
    const w = moduleTensor(ck, id, 'weight');
    if (!w) throw new AuraUserError(`--checkpoint ${ck.dir}: has no tensor ${id}.weight for the intervened module ${id}; expected the checkpoint the ONNX model was exported from`);
    if (w.tensor.shape.length !== 2) throw new AuraUserError(`--checkpoint ${ck.dir}: ${w.name} has shape [${w.tensor.shape}]; expected a 2-D projection weight`);
    const out = conv1d ? w.tensor.shape[1]! : w.tensor.shape[0]!;
    if (out !== e.gain.length) {
      throw new AuraUserError(`--checkpoint ${ck.dir}: ${w.name} has ${out} output features (shape [${w.tensor.shape}], ${conv1d ? 'Conv1D [in, out]' : 'Linear [out, in]'}) but the site has ${e.gain.length} neurons`);
    }
    targets.push({ module: id, feedforward: false, vector: e.gain });
  }
  return { targets, fanInFanOut: conv1d };
}

function refuseNonGains(file: InterventionFile): void {
  for (const [id, site] of Object.entries(file.sites)) {
    if (site.lo || site.hi) {
      throw new AuraUserError(`intervention: method ${file.method} acts only inside a range (sites["${id}"].lo/hi); IA3 multiplies every value by a fixed factor, so it cannot carry it (use --format onnx)`);
    }
    if (site.bias) {
      throw new AuraUserError(`intervention: method ${file.method} adds a bias (sites["${id}"].bias, an affine map); IA3 can only scale, so it carries gain-only methods such as aura, damp and det0 (use --format hf or onnx)`);
    }
  }
}

export function adapterConfig(targets: readonly Ia3Target[], fanInFanOut: boolean, baseModel: string): string {
  // The fields IA3Config and PeftConfig define, as save_pretrained writes them (sorted keys, indent 2).
  const config: Record<string, unknown> = {
    auto_mapping: null,
    base_model_name_or_path: baseModel,
    fan_in_fan_out: fanInFanOut,
    feedforward_modules: targets.filter((t) => t.feedforward).map((t) => t.module),
    inference_mode: true,
    init_ia3_weights: true,
    modules_to_save: null,
    peft_type: 'IA3',
    revision: null,
    target_modules: targets.map((t) => t.module),
    task_type: 'CAUSAL_LM',
  };
  return `${JSON.stringify(config, Object.keys(config).sort(), 2)}\n`;
}

export function adapterTensors(targets: readonly Ia3Target[], provenance: Provenance): Uint8Array {
  const tensors: Tensor[] = targets.map((t) => ({
    name: `base_model.model.${t.module}.ia3_l`,
    shape: t.feedforward ? [1, t.vector.length] : [t.vector.length, 1],
    data: t.vector,
  }));
  return encodeSafetensors(tensors, { format: 'pt', [PROVENANCE_KEY]: JSON.stringify(provenance) });
}

export async function exportPeftIa3(model: SourceModel, file: InterventionFile, o: PeftIa3Options): Promise<PeftIa3Result> {
  refuseSourceFolders(o.out, [['--checkpoint', o.checkpoint], ['--model', model.files.dir]]);
  const ck = readCheckpoint(o.checkpoint);
  const { targets, fanInFanOut } = planIa3(model, file, ck, o.strength);
  o.signal?.throwIfAborted();
  const files: [string, Uint8Array | string][] = [
    [ADAPTER_CONFIG, adapterConfig(targets, fanInFanOut, o.baseModel ?? o.checkpoint)],
    [ADAPTER_WEIGHTS, adapterTensors(targets, o.provenance)],
    [MODEL_CARD, modelCardMarkdown(o.provenance, { kind: 'peft-ia3', baseCheckpoint: o.baseModel ?? o.checkpoint, ...(o.evaluation ? { evaluation: o.evaluation } : {}) })],
  ];
  const bytes = writeFolderAtomically(o.out, files, (dir) => {
    // Read back what was written: a folder PEFT would fail on is never put in place.
    const st = decodeSafetensors(readFileSync(join(dir, ADAPTER_WEIGHTS)), join(dir, ADAPTER_WEIGHTS));
    if (st.tensors.size !== targets.length) throw new Error(`export: ${ADAPTER_WEIGHTS} read back with ${st.tensors.size} tensors, expected ${targets.length}`);
    JSON.parse(readFileSync(join(dir, ADAPTER_CONFIG), 'utf8'));
  }, o.signal);
  return { out: o.out, bytes, targetModules: targets.map((t) => t.module), fanInFanOut };
}

/** `--out` must not be (or contain) a folder the export reads: replacing it would delete the source. */
export function refuseSourceFolders(out: string, sources: [string, string][]): void {
  const target = canonical(out);
  for (const [flag, dir] of sources) {
    const src = canonical(dir);
    if (src === target || src.startsWith(target.endsWith(sep) ? target : target + sep)) {
      throw new AuraUserError(`--out ${out}: is ${src === target ? '' : 'a folder above '}the ${flag} folder ${dir}; write the export to another folder`);
    }
  }
}

function canonical(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return join(existsSync(parent) ? realpathSync(parent) : parent, basename(abs));
}

/**
 * Writes the folder under a temporary name next to `out`, verifies it, then puts it in place: a new `out`
 * by one rename; an existing adapter folder is moved aside first and removed after, so a crash leaves the
 * old folder or the new one (the aside copy keeps the old one recoverable). A non-empty folder that is not
 * an adapter is refused rather than replaced. Returns the bytes written.
 */
export function writeFolderAtomically(out: string, files: [string, Uint8Array | string][], verify: (dir: string) => void, signal?: AbortSignal): number {
  const abs = resolve(out);
  if (existsSync(abs)) {
    if (!statSync(abs).isDirectory()) throw new AuraUserError(`--out ${out}: is a file; expected a folder for the adapter`);
    const entries = readdirSync(abs);
    if (entries.length > 0 && !entries.includes(ADAPTER_CONFIG)) {
      throw new AuraUserError(`--out ${out}: is a folder that holds other files and no ${ADAPTER_CONFIG}; choose a new or empty folder`);
    }
  }
  const parent = dirname(abs);
  if (!existsSync(parent)) throw new AuraUserError(`--out ${out}: the folder ${parent} does not exist`);
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const staging = join(parent, `.${basename(abs)}.${tag}.export`);
  const aside = join(parent, `.${basename(abs)}.${tag}.old`);
  try {
    mkdirSync(staging);
  } catch (e) {
    throw new AuraUserError(`--out ${out}: cannot write in ${parent} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    let bytes = 0;
    for (const [name, data] of files) {
      signal?.throwIfAborted();
      writeFileSync(join(staging, name), data);
      bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    }
    verify(staging);
    signal?.throwIfAborted();
    const replacing = existsSync(abs);
    if (replacing) renameSync(abs, aside);
    renameSync(staging, abs);
    if (replacing) rmSync(aside, { recursive: true, force: true });
    return bytes;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
