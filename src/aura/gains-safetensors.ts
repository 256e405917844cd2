/**
 * Export of an intervention as safetensors for PyTorch: one F32 vector per site, named by its module
 * path, holding the factor to multiply the module's output by (already at the chosen strength).
 * A bias, when present, is a second tensor named `<module path>:bias` (":" cannot clash with a module path);
 * a transport map's range (version 2) adds `<module path>:lo` and `:hi`: apply the map only where
 * lo < x < hi, and leave x as it is elsewhere.
 */
import { checkInterventionFinite, effectiveGains } from './intervention-file';
import type { InterventionFile } from './intervention-file';
import { writeSafetensors } from './safetensors';
import type { Tensor } from './safetensors';
import { PROVENANCE_KEY } from './export/provenance';
import type { Provenance } from './export/provenance';

import { GAINS_FORMAT } from './intervention-binary';

export { GAINS_FORMAT };

export function gainTensors(file: InterventionFile, strength?: number, provenance?: Provenance): { tensors: Tensor[]; metadata: Record<string, string> } {
  const s = strength ?? file.params.strength;
  checkInterventionFinite(file);
  const tensors: Tensor[] = [];
  for (const [id, site] of effectiveGains(file, s)) {
    tensors.push({ name: id, shape: [site.gain.length], data: site.gain });
    if (site.bias) tensors.push({ name: `${id}:bias`, shape: [site.bias.length], data: site.bias });
    if (site.lo && site.hi) {
      tensors.push({ name: `${id}:lo`, shape: [site.lo.length], data: site.lo });
      tensors.push({ name: `${id}:hi`, shape: [site.hi.length], data: site.hi });
    }
  }
  const metadata: Record<string, string> = {
    format: GAINS_FORMAT,
    version: String(file.version),
    method: file.method,
    strength: String(s),
    pooling: file.params.pooling,
    model: file.model.name,
  };
  if (file.model.fingerprint !== undefined) metadata.fingerprint = file.model.fingerprint;
  // __metadata__ holds strings only: the provenance record as JSON text.
  if (provenance) metadata[PROVENANCE_KEY] = JSON.stringify(provenance);
  return { tensors, metadata };
}

/** Writes the gains atomically. Returns the file size in bytes. */
export async function writeGainsSafetensors(path: string, file: InterventionFile, strength?: number, provenance?: Provenance): Promise<number> {
  const { tensors, metadata } = gainTensors(file, strength, provenance);
  return writeSafetensors(path, tensors, metadata);
}
