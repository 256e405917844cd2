import { AuraUserError } from './errors';
import type { SiteAuroc } from './experts';

/**
 * `fit --sites ID,...`: the neurons an intervention may change, as a per-site 0/1 mask (1 = may be
 * chosen). Sites outside the list are all 0, so a method picks no experts there and leaves them alone.
 * Combined with another mask (--max-q, --min-auroc) by AND. An unknown id is a user error listing
 * the profile's sites, as a typo would otherwise silently give an empty intervention.
 */
export function restrictToSites(sites: readonly SiteAuroc[], ids: readonly string[], other?: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const known = new Set(sites.map((s) => s.siteId));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new AuraUserError(`--sites: ${unknown.join(', ')} not in the profile; its sites are ${[...known].join(', ')}`);
  if (ids.length === 0) throw new AuraUserError('--sites: expected site ids separated by commas');
  const wanted = new Set(ids);
  return new Map(
    sites.map((s) => {
      const prev = other?.get(s.siteId);
      return [s.siteId, Uint8Array.from(s.auroc, (_, i) => (wanted.has(s.siteId) && (!prev || prev[i]) ? 1 : 0))];
    }),
  );
}
