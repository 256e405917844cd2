/**
 * Recognises what an intervention path holds before it is read as JSON: a safetensors export of an
 * intervention (aura-lens export --format safetensors) is turned back into the file's JSON shape, any
 * other safetensors or binary file is named in one line. Raw bytes never reach a message: a JSON parse
 * error quotes the token it choked on, and a NUL or escape sequence must not go to a terminal, log or toast.
 */
import { AuraUserError } from './errors';
import { INTERVENTION_FORMAT } from './intervention-schema';
import { decodeSafetensors } from './safetensors';

/** Written in the `format` metadata of a gains safetensors export. */
export const GAINS_FORMAT = 'aura-lens.gains';

const SUFFIXES = ['bias', 'lo', 'hi'] as const;

/** The safetensors layout: 8-byte little-endian header length, then a JSON header opening with "{". */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b;
}

/** True when the bytes are not text a JSON file could hold (a NUL, another C0 control, or bad UTF-8). */
export function isBinary(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 64 * 1024);
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.length === bytes.length ? head : trimPartialUtf8(head));
    return false;
  } catch {
    return true;
  }
}

function trimPartialUtf8(b: Uint8Array): Uint8Array {
  let end = b.length;
  // Back off at most 3 continuation bytes and their lead, which the 64 KiB cut may have split.
  for (let k = 0; k < 4 && end > 0 && (b[end - 1]! & 0xc0) === 0x80; k++) end--;
  if (end > 0 && b[end - 1]! >= 0xc0) end--;
  return b.subarray(0, end);
}

/** A description of binary content for a one-line message: its first bytes in hex. */
export function describeBinary(bytes: Uint8Array): string {
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (bytes[0] === 0x08 || bytes[0] === 0x0a || bytes[0] === 0x12) return `binary data (first bytes ${hex}; an ONNX model or another protobuf?)`;
  return `binary data (first bytes ${hex})`;
}

/**
 * The intervention a gains safetensors export carries, in the JSON shape `parseIntervention` validates.
 * The export holds the factors at the strength it was made with, so they come back at strength 1;
 * what it does not store (the data counts, k, alpha, AUROCs) comes back empty.
 */
export function interventionJsonFromSafetensors(bytes: Uint8Array, path: string): unknown {
  const st = decodeSafetensors(bytes, path);
  if (st.metadata.format !== GAINS_FORMAT) {
    const what = st.metadata.format ? `format ${JSON.stringify(st.metadata.format).slice(0, 60)}` : 'no aura-lens metadata';
    throw new AuraUserError(
      `${path}: a safetensors file with ${st.tensors.size} tensors and ${what}, not an intervention; expected the JSON file aura-lens fit writes or an aura-lens export --format safetensors of one`,
    );
  }
  const sites: Record<string, Record<string, unknown>> = {};
  const parts: [string, string, Float32Array, number[]][] = [];
  for (const [name, t] of st.tensors) {
    const colon = name.lastIndexOf(':');
    const suffix = colon >= 0 ? name.slice(colon + 1) : '';
    if (colon >= 0 && !(SUFFIXES as readonly string[]).includes(suffix)) {
      throw new AuraUserError(`${path}: tensor ${JSON.stringify(name).slice(0, 80)} is not a site's gain, :bias, :lo or :hi`);
    }
    parts.push([colon >= 0 ? name.slice(0, colon) : name, colon >= 0 ? suffix : 'gain', t.data, t.shape]);
  }
  for (const [id, kind, data, shape] of parts) {
    if (shape.length !== 1) throw new AuraUserError(`${path}: tensor ${JSON.stringify(id)}${kind === 'gain' ? '' : `:${kind}`} has shape [${shape}]; expected one vector per site`);
    const site = (sites[id] ??= {});
    site[kind] = Array.from(data);
    if (kind === 'gain') site.neurons = data.length;
  }
  for (const [id, site] of Object.entries(sites)) {
    if (site.gain === undefined) throw new AuraUserError(`${path}: site ${JSON.stringify(id)} has a :${Object.keys(site)[0]} tensor but no gain tensor`);
  }
  const m = st.metadata;
  const ranged = Object.values(sites).some((s) => s.lo !== undefined);
  return {
    format: INTERVENTION_FORMAT,
    version: m.version === '2' || ranged ? 2 : 1,
    model: m.fingerprint !== undefined ? { name: m.model ?? 'unknown', fingerprint: m.fingerprint } : { name: m.model ?? 'unknown' },
    method: m.method || 'aura',
    params: { strength: 1, pooling: m.pooling === 'mean' ? 'mean' : 'max', k: null, alpha: null },
    data: { positives: 0, negatives: 0, source: `${path} (safetensors export at strength ${m.strength ?? '?'})` },
    sites,
  };
}
