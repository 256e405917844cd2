// The intervention folded into an ONNX model file that loads anywhere without aura-lens.
//
// A model that came with external data (and any model past protobuf's 2 GB) is written the same way:
// `model.onnx` plus its own data file `model.onnx.<hash>.data` next to it, the weights copied in
// chunks from the source, never the source's data referenced and never a graph without its weights.
// Both files are written under temporary names and loaded by onnxruntime BEFORE they replace anything:
// the data file's name is new (content-addressed), so renaming it first and the graph second swaps
// the export atomically, and the data file of the export it replaced is removed afterwards.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { StringStringEntryProtoSchema } from 'onnx-buf';
import { AuraUserError } from '../errors';
import { atomicWriteFile } from '../atomic-write';
import { ONNX_EXPORT_MARK } from '../output-guard';
import { DataLocation, decodeModel, encodeModel, externalEntry, externalLength, isExternal } from '../../engine/onnx/proto';
import { MAX_INLINE_BYTES, inlineExternalData } from '../../engine/onnx/inline-data';
import { ort } from '../../engine/ort-session';
import type { GraphProto, ModelProto, TensorProto } from '../../engine/onnx/proto';
import { DEFERRED_LOCATION } from '../../engine/fold';
import type { Intervention, LanguageModel } from '../../engine/model';
import { PROVENANCE_KEY } from './provenance';
import type { Provenance } from './provenance';

export interface OnnxExportResult {
  bytes: number;
  intoWeights: string[];
  asNodes: string[];
  /** The data file written next to the graph, when the export uses external data. */
  dataFile?: string;
}

/** Folded models with inline weights up to this size stay one file (well under protobuf's 2 GB limit). */
const INLINE_EXPORT_MAX = Math.min(256 * 1024 ** 2, MAX_INLINE_BYTES);
/** Tensors this small stay inside the graph. */
const MIN_EXTERNAL_BYTES = 1024;
const ALIGN = 4096;

export interface OnnxExportOptions {
  /**
   * Loads the written graph (a temporary path next to its data) and throws the one-line reason it does
   * not load. Default: onnxruntime in this process, which is right for the CLI (nothing else loaded);
   * a process that holds the live model verifies in another process (a second copy of the weights).
   */
  verify?: (graphPath: string) => Promise<void>;
}

/** `provenance` goes into the model's metadata_props (key aura_lens.provenance, JSON), replacing an older one. */
export async function exportFoldedOnnx(model: LanguageModel, factors: Intervention, out: string, provenance?: Provenance, o: OnnxExportOptions = {}): Promise<OnnxExportResult> {
  if (!out.endsWith('.onnx')) throw new AuraUserError(`--out ${out}: expected a path ending in .onnx for --format onnx`);
  refuseSourceFiles(model, out);
  // No Inf or NaN may reach a weight (issue 10, item 4): name the site and index instead.
  for (const [id, f] of factors) {
    for (const name of ['gain', 'bias', 'lo', 'hi'] as const) {
      const a = f[name];
      const i = a ? a.findIndex((x) => !Number.isFinite(x)) : -1;
      if (i >= 0) throw new AuraUserError(`intervention: sites[${JSON.stringify(id)}].${name}[${i}] is ${a![i]}; expected a number finite in float32`);
    }
  }
  const report = model.fold(factors);
  if (provenance) {
    report.model.metadataProps = [...report.model.metadataProps.filter((e) => e.key !== PROVENANCE_KEY), entry(PROVENANCE_KEY, JSON.stringify(provenance))];
  }
  // Recognised by a later export to the same path (output-guard.ts): only our own exports are replaced.
  report.model.metadataProps = [...report.model.metadataProps.filter((e) => e.key !== ONNX_EXPORT_MARK), entry(ONNX_EXPORT_MARK, 'folded intervention')];
  const weights = weightBytes(report.model.graph!);
  // One self-contained file for a small model whose weights were inline; otherwise external data, so the
  // weights stream from the source to the export and are never held in JS (nor serialised) at once.
  if (!sourceHadExternal(model) && weights <= INLINE_EXPORT_MAX) {
    for (const t of tensors(report.model.graph!)) {
      if (!isDeferred(t)) continue;
      t.rawData = deferredBytes(report.deferred, t) as Uint8Array<ArrayBuffer>;
      t.externalData = [];
      t.dataLocation = DataLocation.DEFAULT;
    }
    inlineExternalData(report.model, model.weightsDir);
    const bytes = encodeModel(report.model);
    if (!o.verify) {
      await verifyLoads(bytes, out);
      return { bytes: await atomicWriteFile(out, bytes), intoWeights: report.intoWeights, asNodes: report.asNodes };
    }
    const verify = o.verify;
    return { bytes: await atomicWriteFile(out, bytes, (temp) => refusedAs(out, verify(temp))), intoWeights: report.intoWeights, asNodes: report.asNodes };
  }
  const { bytes, dataFile } = await writeWithExternalData(report.model, report.deferred, model.weightsDir, out, o.verify);
  return { bytes, intoWeights: report.intoWeights, asNodes: report.asNodes, dataFile };
}

/** Writing the export over the model being read would destroy the source (and mid-write, the export). */
function refuseSourceFiles(model: LanguageModel, out: string): void {
  const target = resolve(out);
  const real = existsSync(target) ? realpathSync(target) : join(existsSync(dirname(target)) ? realpathSync(dirname(target)) : dirname(target), basename(target));
  if (model.sourceFiles.includes(real)) {
    throw new AuraUserError(`--out ${out}: is a file of the model being exported (${model.files.main}); write the export to another path`);
  }
}

function sourceHadExternal(model: LanguageModel): boolean {
  return model.sourceFiles.length > (model.files.withPast ? 2 : 1);
}

function weightBytes(g: GraphProto): number {
  let n = 0;
  for (const t of tensors(g)) n += isExternal(t) ? externalLength(t) : t.rawData.length;
  return n;
}

/** The export, loaded by onnxruntime from where it is about to be written: a model it refuses is never written. */
async function verifyLoads(source: Uint8Array | string, out: string): Promise<void> {
  let session: ort.InferenceSession | undefined;
  try {
    session = typeof source === 'string' ? await ort.InferenceSession.create(source, { logSeverityLevel: 4 }) : await ort.InferenceSession.create(source, { logSeverityLevel: 4 });
  } catch (e) {
    throw new Error(`export ${out}: onnxruntime refused the folded model, nothing was written (${(e as Error).message.split('\n')[0]})`);
  } finally {
    await session?.release();
  }
}

/** The verifier's reason in verifyLoads's words. */
async function refusedAs(out: string, check: Promise<void>): Promise<void> {
  try {
    await check;
  } catch (e) {
    throw new Error(`export ${out}: onnxruntime refused the folded model, nothing was written (${(e as Error).message.split('\n')[0]})`);
  }
}

async function writeWithExternalData(model: ModelProto, deferred: Map<string, () => Uint8Array>, sourceDir: string, out: string, verify?: (graphPath: string) => Promise<void>): Promise<{ bytes: number; dataFile: string }> {
  const dir = dirname(resolve(out));
  const base = basename(out);
  const staging = join(dir, `.${base}.${process.pid}.${randomBytes(4).toString('hex')}.export`);
  try {
    mkdirSync(staging);
  } catch (e) {
    throw new AuraUserError(`--out ${out}: cannot write in ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    const tmpData = join(staging, 'data');
    const hash = copyWeights(model, deferred, sourceDir, tmpData);
    const dataFile = `${base}.${hash.slice(0, 12)}.data`;
    relocate(model.graph!, dataFile);
    renameSync(tmpData, join(staging, dataFile));
    const graph = encodeModel(model);
    const tmpGraph = join(staging, base);
    writeAll(tmpGraph, graph);
    await (verify ? refusedAs(out, verify(tmpGraph)) : verifyLoads(tmpGraph, out));
    const previous = previousDataFiles(out);
    renameSync(join(staging, dataFile), join(dir, dataFile));
    renameSync(tmpGraph, resolve(out));
    for (const f of previous) if (f !== dataFile) rmSync(join(dir, f), { force: true });
    return { bytes: graph.length + statSync(join(dir, dataFile)).size, dataFile: join(dir, dataFile) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Data files of an export this one replaces: named in its graph, with this export's naming. */
function previousDataFiles(out: string): string[] {
  if (!existsSync(out)) return [];
  try {
    const old = decodeModel(readGraphOnly(out));
    const names = new Set<string>();
    for (const t of tensors(old.graph!)) {
      const loc = isExternal(t) ? externalEntry(t, 'location') : undefined;
      if (loc && loc.startsWith(`${basename(out)}.`) && loc.endsWith('.data') && !loc.includes('/')) names.add(loc);
    }
    return [...names];
  } catch {
    return [];
  }
}

function readGraphOnly(file: string): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = new Uint8Array(size);
    let got = 0;
    while (got < size) got += readSync(fd, buf, got, size - got, got);
    return buf;
  } finally {
    closeSync(fd);
  }
}

function isDeferred(t: TensorProto): boolean {
  return isExternal(t) && externalEntry(t, 'location') === DEFERRED_LOCATION;
}

/** A folded weight's bytes, made now (one tensor at a time) and checked against the size its placeholder declared. */
function deferredBytes(deferred: Map<string, () => Uint8Array>, t: TensorProto): Uint8Array {
  const make = deferred.get(t.name);
  if (!make) throw new Error(`export: no bytes for the folded tensor ${t.name}`);
  const b = make();
  if (b.length !== externalLength(t)) throw new Error(`export: folded tensor ${t.name} has ${b.length} bytes, expected ${externalLength(t)}`);
  return b;
}

/**
 * Copies every sizeable tensor's bytes (from the source's external data, from the graph, or folded now)
 * into `file`; returns the sha256 of the file. A folded weight is made just before it is written and
 * dropped after, so the export holds one tensor of folded weights at a time.
 */
function copyWeights(model: ModelProto, deferred: Map<string, () => Uint8Array>, sourceDir: string, file: string): string {
  const fd = openSync(file, 'w');
  const hash = createHash('sha256');
  let offset = 0;
  const put = (b: Uint8Array) => {
    let done = 0;
    while (done < b.length) done += writeSync(fd, b, done, b.length - done);
    hash.update(b);
    offset += b.length;
  };
  try {
    for (const t of tensors(model.graph!)) {
      const inline = !isExternal(t);
      if (inline && t.rawData.length < MIN_EXTERNAL_BYTES) continue;
      const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
      if (pad) put(new Uint8Array(pad));
      const at = offset;
      const length = inline ? t.rawData.length : externalLength(t);
      if (inline) put(t.rawData);
      else if (isDeferred(t)) put(deferredBytes(deferred, t));
      else copyRange(join(sourceDir, externalEntry(t, 'location')!), Number(externalEntry(t, 'offset') ?? 0), length, put);
      t.rawData = new Uint8Array(0);
      t.dataLocation = DataLocation.EXTERNAL;
      t.externalData = [entry('location', ''), entry('offset', String(at)), entry('length', String(length))];
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function copyRange(file: string, offset: number, length: number, put: (b: Uint8Array) => void): void {
  const fd = openSync(file, 'r');
  const chunk = new Uint8Array(Math.min(length, 64 * 1024 ** 2));
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, length - done), offset + done);
      if (n === 0) throw new AuraUserError(`${file}: external data ends early`);
      put(chunk.subarray(0, n));
      done += n;
    }
  } finally {
    closeSync(fd);
  }
}

function relocate(g: GraphProto, dataFile: string): void {
  for (const t of tensors(g)) {
    if (isExternal(t) && externalEntry(t, 'location') === '') {
      t.externalData = t.externalData.map((e) => (e.key === 'location' ? entry('location', dataFile) : e));
    }
  }
}

function writeAll(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    let done = 0;
    while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function entry(key: string, value: string) {
  return create(StringStringEntryProtoSchema, { key, value });
}

function* tensors(g: GraphProto): Generator<TensorProto> {
  yield* g.initializer;
  for (const n of g.node) {
    for (const a of n.attribute) {
      if (a.t) yield a.t;
      if (a.g) yield* tensors(a.g);
      for (const sub of a.graphs) yield* tensors(sub);
    }
  }
}
