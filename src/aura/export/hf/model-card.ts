// What a folded checkpoint carries besides its weights: a model card (README.md, replacing the base
// checkpoint's, since the folder is no longer that model) and the export's provenance record.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelCardMarkdown } from '../provenance';
import type { Evaluation, Provenance } from '../provenance';

export const HF_PROVENANCE_FILE = 'aura-lens-export.json';

/** Written into the staging folder before it is verified and renamed into place. */
export function writeHfExtras(dir: string, o: { provenance: Provenance; checkpoint: string; baseModel?: string; evaluation?: Evaluation }): void {
  writeFileSync(join(dir, 'README.md'), modelCardMarkdown(o.provenance, { kind: 'hf', baseCheckpoint: o.baseModel ?? o.checkpoint, ...(o.evaluation ? { evaluation: o.evaluation } : {}) }));
  writeFileSync(join(dir, HF_PROVENANCE_FILE), JSON.stringify(o.provenance, null, 2) + '\n');
}
