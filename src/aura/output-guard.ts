// Every path a command writes is checked before anything is read or computed: an output never lands on
// one of the command's own inputs, inside the model folder, or inside a profile folder (an export over
// model.onnx, a fit over a profile's manifest.json, a CSV over the prompts file were all possible), and
// an existing file is replaced only when it is the same kind of file and aura-lens wrote it.
import { closeSync, existsSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { AuraUserError } from './errors';
import { PROFILE_FORMAT } from './profile/store';

/** The kinds of file aura-lens writes, each recognised by what it writes into it. */
export type OutputKind = 'intervention' | 'gains-safetensors' | 'onnx-export' | 'sweep-csv' | 'k8s-job' | 'sbatch';

/** Marks an ONNX export as aura-lens's (a metadata_props key), so a later export may replace it. */
export const ONNX_EXPORT_MARK = 'aura-lens.export';

const KIND_TEXT: Record<OutputKind, string> = {
  intervention: 'an aura-lens intervention file',
  'gains-safetensors': 'an aura-lens gains safetensors file',
  'onnx-export': 'an ONNX model exported by aura-lens',
  'sweep-csv': 'a sweep CSV written by aura-lens',
  'k8s-job': 'a Kubernetes Job written by aura-lens',
  sbatch: 'an sbatch script written by aura-lens',
};

export interface OutputInputs {
  /** Files and folders the command reads, with what they are ("the intervention file it reads"). */
  inputs?: { path: string; what: string }[];
  /** Model folders the command reads: nothing is written inside them. */
  modelDirs?: string[];
}

/**
 * Checks a file output (`flag` names it in messages). Throws a one-line AuraUserError when it is an
 * input, inside a model or profile folder, a folder or special file, or an existing file that is not
 * `kind` as aura-lens writes it.
 */
export function guardOutputFile(flag: string, path: string, kind: OutputKind, ctx: OutputInputs = {}): void {
  const real = realTarget(path);
  refusePlaces(flag, path, real, ctx);
  let st;
  try {
    st = statSync(real);
  } catch {
    return; // nothing there yet
  }
  if (st.isDirectory()) throw new AuraUserError(`${flag} ${path}: is a folder; expected a file path`);
  if (!st.isFile()) throw new AuraUserError(`${flag} ${path}: is not a regular file (a device, FIFO or socket); expected a file path`);
  if (!isKind(real, kind)) throw new AuraUserError(`${flag} ${path}: exists and is not ${KIND_TEXT[kind]}; remove it yourself or choose another path`);
}

/**
 * Checks a folder output (a profile, a merge, the demo's folder): not an input, not inside a model
 * folder or inside another profile folder. What the folder may already hold is checked by the writer
 * (profile/folder.ts).
 */
export function guardOutputFolder(flag: string, path: string, ctx: OutputInputs = {}): void {
  const real = realTarget(path);
  refusePlaces(flag, path, real, ctx);
  for (const m of ctx.modelDirs ?? []) {
    const dir = realTarget(m);
    if (inside(dir, real)) throw new AuraUserError(`${flag} ${path}: holds the model folder ${m}; choose a folder outside it`);
  }
}

function refusePlaces(flag: string, path: string, real: string, ctx: OutputInputs): void {
  for (const i of ctx.inputs ?? []) {
    const r = realTarget(i.path);
    if (r === real) throw new AuraUserError(`${flag} ${path}: is ${i.what}; write the output to another path`);
    if (isFolder(r) && inside(real, r)) throw new AuraUserError(`${flag} ${path}: is inside ${i.what} (${i.path}); write the output outside it`);
  }
  for (const m of ctx.modelDirs ?? []) {
    const dir = realTarget(m);
    if (real === dir || inside(real, dir)) throw new AuraUserError(`${flag} ${path}: is inside the model folder ${m}; write the output outside it`);
  }
  for (let d = dirname(real); ; d = dirname(d)) {
    if (isProfileFolder(d)) throw new AuraUserError(`${flag} ${path}: is inside the aura-lens profile folder ${d}; write the output outside it`);
    if (dirname(d) === d) break;
  }
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest (it may not exist yet). */
function realTarget(path: string): string {
  const abs = resolve(path);
  const rest: string[] = [];
  for (let d = abs; ; d = dirname(d)) {
    try {
      return join(realpathSync(d), ...rest.reverse());
    } catch {
      if (dirname(d) === d) return abs;
      rest.push(basename(d));
    }
  }
}

/** Whether `p` lies strictly inside `dir`. */
function inside(p: string, dir: string): boolean {
  return p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

function isFolder(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isProfileFolder(dir: string): boolean {
  const m = join(dir, 'manifest.json');
  if (!existsSync(m)) return false;
  try {
    return (JSON.parse(readFileSync(m, 'utf8')) as { format?: unknown }).format === PROFILE_FORMAT;
  } catch {
    return false;
  }
}

function head(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

function isKind(file: string, kind: OutputKind): boolean {
  try {
    switch (kind) {
      case 'intervention':
        return /^\s*\{\s*"format"\s*:\s*"aura-lens\.intervention"/.test(head(file, 256).toString('utf8'));
      case 'gains-safetensors': {
        const h = head(file, 8);
        if (h.length < 8) return false;
        const n = Number(h.readBigUInt64LE(0));
        if (n > 100 * 1024 ** 2) return false;
        const meta = (JSON.parse(head(file, 8 + n).subarray(8).toString('utf8')) as { __metadata__?: { format?: unknown } }).__metadata__;
        return meta?.format === 'aura-lens.gains';
      }
      case 'onnx-export':
        // metadata_props come after the graph in the file: the mark is near its end.
        return tail(file, 64 * 1024).includes(ONNX_EXPORT_MARK);
      case 'sweep-csv':
        return head(file, 64).toString('utf8').startsWith('method,control,strength,');
      case 'k8s-job':
        return (JSON.parse(readFileSync(file, 'utf8')) as { metadata?: { labels?: Record<string, unknown> } }).metadata?.labels?.['app.kubernetes.io/name'] === 'aura-lens';
      case 'sbatch':
        return /^#!\/bin\/bash\n# aura-lens: /.test(head(file, 64).toString('utf8'));
    }
  } catch {
    return false;
  }
}

function tail(file: string, n: number): string {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(Math.min(n, size));
    readSync(fd, b, 0, b.length, size - b.length);
    return b.toString('latin1');
  } finally {
    closeSync(fd);
  }
}
