// A sketch profile (`profile --sketch BINS`) keeps per-class histograms and AUROCs, not each example's
// responses: what needs the responses (a transport map, the bootstrap and permutation statistics, a
// held-out split) is refused in one line instead of failing on a missing responses/ folder.
import { AuraUserError } from '../errors';
import type { ProfileManifest } from './store';

/** Throws unless the profile in `dir` holds responses; `need` says what wanted them. */
export function requireResponses(dir: string, m: ProfileManifest, need: string): void {
  if (!m.sketch) return;
  throw new AuraUserError(
    `${dir}: a sketch profile (--sketch ${m.sketch.bins}) holds histograms and AUROCs, not each example's responses, which ${need} needs; profile again without --sketch for it`,
  );
}
