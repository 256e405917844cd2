// The page's side of a streaming preview: a numbered append extends the snapshot of its run only when it
// is the next one; anything else is stale (an older run: dropped) or a gap (ask the host for the whole
// snapshot), never text spliced in the wrong place.
import type { PreviewAppend, PreviewSnapshot } from '../../src/shared/protocol';

export type AppendOutcome = { kind: 'applied'; preview: PreviewSnapshot } | { kind: 'stale' } | { kind: 'gap' };

export function applyAppend(current: PreviewSnapshot | null, a: PreviewAppend): AppendOutcome {
  if (current && (a.runId < current.runId || (a.runId === current.runId && a.seq <= (current.seq ?? 0)))) return { kind: 'stale' };
  if (!current || a.runId !== current.runId || current.done || a.seq !== (current.seq ?? 0) + 1) return { kind: 'gap' };
  return { kind: 'applied', preview: { ...current, [a.side]: current[a.side] + a.text, seq: a.seq } };
}
