/**
 * `export --format hf`: the intervention folded into the user's Hugging Face checkpoint, written as a
 * complete folder that transformers, vLLM, TGI and llama.cpp's convert_hf_to_gguf load as the model
 * itself. Only maps that are linear in the site's value fold: gains (AurA, Damp, Det0, per-site gains)
 * and affine maps (Linear-AcT, Mean-AcT) where the projection has or may be given a bias.
 */
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { AuraUserError } from '../../errors';
import { checkInterventionFinite, effectiveGains, validateAgainstModel } from '../../intervention-file';
import { readCheckpoint, readTensorBytes, SINGLE_FILE, INDEX_FILE } from './checkpoint';
import { checkSameModel, checkSameWeights } from './compat';
import { TORCH_NAME, isFloatDtype } from './dtype';
import { biasSwitch, siteTensors } from './families';
import { addSiteToFolds, foldBias, foldWeight } from './fold';
import { writeCheckpointFolder } from './writer';
import type { InterventionFile } from '../../intervention-file';
import type { OnnxModelFacts } from './compat';
import type { FloatDtype } from './dtype';
import type { BiasFold, WeightFold } from './fold';
import type { OutShard, OutTensor } from './writer';

export type { OnnxModelFacts } from './compat';
export type HfDtype = 'keep' | 'float32' | 'float16' | 'bfloat16';
export const HF_DTYPES: readonly HfDtype[] = ['keep', 'float32', 'float16', 'bfloat16'];
const DTYPE_OF: Record<Exclude<HfDtype, 'keep'>, FloatDtype> = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' };

export interface HfExportOptions {
  intervention: InterventionFile;
  /** Path of the intervention file, for messages. */
  interventionPath?: string;
  strength?: number;
  model: OnnxModelFacts;
  /** The ONNX model's folder: --out may not be it or inside it. */
  modelDir?: string;
  checkpoint: string;
  out: string;
  dtype?: HfDtype;
  /** Adds files (model card, provenance) to the folder before it is verified and renamed into place. */
  extraFiles?: (dir: string) => Promise<void>;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface HfExportResult {
  out: string;
  bytes: number;
  files: string[];
  /** Weight and bias tensors rewritten, and biases added (zeros before the fold). */
  folded: string[];
  created: string[];
  dtype: string;
  configChanges: Record<string, unknown>;
}

export async function exportHfCheckpoint(o: HfExportOptions): Promise<HfExportResult> {
  const ivPath = o.interventionPath ?? 'intervention file';
  await refuseOverlap(o.out, o.checkpoint, o.modelDir, o.interventionPath);
  const dtype = o.dtype ?? 'keep';
  if (!HF_DTYPES.includes(dtype)) throw new AuraUserError(`--dtype: expected keep, float32, float16 or bfloat16, got "${dtype}"`);
  const q = o.model.quantized;
  if (q) {
    // The checkpoint's float weights are not what the quantized model computes with, and cannot be
    // checked against its integers: the gains fitted to one would land, unchecked, on another model.
    throw new AuraUserError(`export --format hf: ${q.site} is computed by the quantized ${q.opType} node '${q.node}' (integer weights), which no float checkpoint tensor is; export --format onnx (folds into the quantized model's scales) or json instead`);
  }
  const iv = o.intervention;
  checkInterventionFinite(iv, ivPath);
  for (const [id, s] of Object.entries(iv.sites)) {
    if (id.startsWith('custom:')) throw new AuraUserError(`${ivPath}: sites[${JSON.stringify(id)}] is a custom site (a graph tensor, not a module's output), which no checkpoint tensor holds; export --format onnx instead`);
    if (s.lo || s.hi) {
      throw new AuraUserError(`${ivPath}: sites[${JSON.stringify(id)}] is a range-limited map (lo/hi, version 2, method ${iv.method}): it applies only inside (lo, hi), which no weight can express, so it cannot fold into a checkpoint; export --format onnx or json instead`);
    }
  }
  validateAgainstModel(iv, o.model.sites, o.model.fingerprint, ivPath);

  const ckpt = await readCheckpoint(o.checkpoint);
  checkSameModel(ckpt, o.model);
  const modelType = ckpt.config.model_type as string;
  const factors = effectiveGains(iv, o.strength);
  const plans = [...factors.keys()].map((id) => siteTensors(ckpt, modelType, id, iv.sites[id]!.neurons));
  const ref = await o.model.referenceWeight?.();
  const refPlan = ref && plans.find((p) => p.site === ref.site);
  if (ref && refPlan) await checkSameWeights(refPlan, ref.values, ref.dtype);

  const weights = new Map<string, WeightFold>();
  const biases = new Map<string, BiasFold>();
  for (const p of plans) addSiteToFolds(p, factors.get(p.site)!, weights, biases);

  // Biases the checkpoint lacks: only a nonzero shift needs one; a family with a bias switch gets the
  // switch and zero biases for every module it covers, as transformers will then expect them all.
  const configChanges: Record<string, unknown> = {};
  const created = new Map<string, { like: string; length: number }>();
  const needBias = plans.filter((p) => !p.bias && biases.get(p.biasName)!.shift.some((x) => x !== 0));
  if (needBias.length > 0) {
    const sw = biasSwitch(modelType);
    if (!sw) {
      throw new AuraUserError(`export --format hf: ${needBias[0]!.site} has no bias in the checkpoint and transformers' ${modelType} MLP cannot have one, so the ${iv.method} shift (an affine map) cannot fold; use a gains-only method, or export --format onnx`);
    }
    const layers = Number(ckpt.config.num_hidden_layers);
    for (let i = 0; i < layers; i++) {
      for (const m of sw.modules(i)) {
        if (ckpt.tensors.has(`${m}.bias`)) continue;
        const w = ckpt.tensors.get(`${m}.weight`);
        if (!w) throw new AuraUserError(`--checkpoint: no tensor ${m}.weight, which ${sw.key}: true would give a bias`);
        created.set(`${m}.bias`, { like: w.name, length: w.shape[0]! });
      }
    }
    configChanges[sw.key] = true;
  }
  const target = dtype === 'keep' ? undefined : DTYPE_OF[dtype];
  if (target) configChanges.torch_dtype = TORCH_NAME[target];

  const folded: string[] = [];
  const outType = (d: string): string => (target && isFloatDtype(d) ? target : d);
  const shards: OutShard[] = ckpt.shards.map((s) => {
    const tensors: OutTensor[] = [];
    for (const t of s.tensors) {
      const wf = weights.get(t.name);
      const bf = biases.get(t.name);
      const dt = outType(t.dtype);
      if ((wf || bf) && !isFloatDtype(t.dtype)) throw new AuraUserError(`--checkpoint: ${t.name} is ${t.dtype}; only F32, F16 and BF16 weights can be folded (quantized checkpoints cannot)`);
      const from = t.dtype as FloatDtype;
      if (wf) {
        folded.push(t.name);
        tensors.push({ name: t.name, dtype: dt, shape: t.shape, make: async () => foldWeight(t.name, await readTensorBytes(t), from, t.shape, wf, dt as FloatDtype) });
      } else if (bf) {
        folded.push(t.name);
        tensors.push({ name: t.name, dtype: dt, shape: t.shape, make: async () => foldBias(t.name, await readTensorBytes(t), from, bf, dt as FloatDtype) });
      } else tensors.push({ name: t.name, dtype: dt, shape: t.shape, source: t });
      // A created bias goes right after its weight, in the weight's shard and dtype.
      const moduleBias = t.name.endsWith('.weight') ? `${t.name.slice(0, -'.weight'.length)}.bias` : undefined;
      const c = moduleBias ? created.get(moduleBias) : undefined;
      if (moduleBias && c) {
        const cb = biases.get(moduleBias);
        const zero: BiasFold = { gain: new Float32Array(c.length).fill(1), shift: new Float32Array(c.length), owner: new Array(c.length).fill(undefined) };
        tensors.push({ name: moduleBias, dtype: dt, shape: [c.length], make: async () => foldBias(moduleBias, undefined, from, cb ?? zero, dt as FloatDtype) });
      }
    }
    return { file: s.file, tensors, metadata: s.metadata };
  });

  const config = { ...ckpt.config, ...configChanges };
  const r = await writeCheckpointFolder(o.out, {
    ckpt,
    shards,
    config,
    skip: (name) => name === SINGLE_FILE || name === INDEX_FILE || name.endsWith('.safetensors') || /^pytorch_model.*\.bin(\.index\.json)?$/.test(name) || name.startsWith('.'),
    ...(o.extraFiles ? { extraFiles: o.extraFiles } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return { out: o.out, bytes: r.bytes, files: r.files, folded, created: [...created.keys()], dtype: target ? TORCH_NAME[target] : 'keep', configChanges };
}

/** --out may be neither the checkpoint or the model, nor inside either, nor hold either (it is replaced). */
async function refuseOverlap(out: string, checkpoint: string, modelDir?: string, interventionPath?: string): Promise<void> {
  const real = async (p: string): Promise<string> => {
    // --out may not exist yet: resolve its nearest existing parent, so symlinks are seen through.
    const abs = resolve(p);
    try {
      return await realpath(abs);
    } catch {
      const parent = resolve(abs, '..');
      return parent === abs ? abs : `${await real(parent)}${sep}${abs.slice(parent.length + 1)}`;
    }
  };
  const o = await real(out);
  const within = (a: string, b: string): boolean => a === b || a.startsWith(b.endsWith(sep) ? b : b + sep);
  for (const [flag, p] of [['--checkpoint', checkpoint], ['--model', modelDir]] as const) {
    if (!p) continue;
    const q = await real(p);
    if (within(o, q)) throw new AuraUserError(`--out ${out}: is ${o === q ? '' : 'inside '}the ${flag} folder ${p}; write the folded checkpoint to a new folder`);
    if (within(q, o)) throw new AuraUserError(`--out ${out}: holds the ${flag} folder ${p}, which replacing it would delete; write the folded checkpoint to a new folder`);
  }
  if (interventionPath && within(await real(interventionPath), o)) {
    throw new AuraUserError(`--out ${out}: holds the intervention file ${interventionPath}, which replacing it would delete; write the folded checkpoint to a new folder`);
  }
}
