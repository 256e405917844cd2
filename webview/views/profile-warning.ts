// The small-profile warning, shown on every result that comes from the profile (summary, table,
// neuron detail, preview, evaluation, sweep): a reader who looks at one card alone still sees it.
import { smallProfileWarning } from '../../src/shared/small-profile';
import { h, setText, show } from './dom';
import type { ExpertsSnapshot } from '../../src/shared/protocol';

/** The host's warning if it sent one, else the page's own rule on the class sizes; and the split-half verdict when unstable. */
export function profileWarning(e: ExpertsSnapshot | null): string | undefined {
  if (!e) return undefined;
  const small = e.warning ?? smallProfileWarning(e.positives, e.negatives);
  // An unstable expert set (docs/statistics.md) is said beside a small-profile warning, not instead of it.
  const unstable = e.stats?.stability?.warning;
  return small && unstable ? `${small} ${unstable}` : (small ?? unstable);
}

export interface WarningBanner {
  el: HTMLElement;
  update(e: ExpertsSnapshot | null): void;
}

export function warningBanner(doc: Document): WarningBanner {
  const text = h(doc, 'span', {});
  const el = h(doc, 'p', { class: 'profile-warning', role: 'note', testid: 'small-profile-warning', hidden: true }, h(doc, 'span', { 'aria-hidden': 'true' }, '⚠ '), text);
  return {
    el,
    update(e) {
      const w = profileWarning(e);
      show(el, w !== undefined);
      setText(text, w ?? '');
    },
  };
}
