// What of a streaming preview crosses to the page: the whole snapshot when a run starts, ends, fails
// or gets its samples, and in between only each side's new text, numbered per run. A 180-token preview
// was 180 whole snapshots (~1 KB each, growing); now it is ~180 appends of a token each.
import type { HostMessage, PreviewSnapshot } from '../shared/protocol';

type Side = 'original' | 'intervened';
const SIDES: readonly Side[] = ['intervened', 'original'];

export class PreviewWire {
  /** What the page was last brought to (its snapshot plus the appends sent since). */
  private sent: (PreviewSnapshot & { seq: number }) | undefined;

  /** The messages that bring the page from what it was sent to `p`. */
  next(p: PreviewSnapshot): HostMessage[] {
    const s = this.sent;
    if (!s || s.runId !== p.runId || s.prompt !== p.prompt || s.done || p.done || p.error !== undefined || p.samples) return [this.full(p)];
    // Text that does not extend what was sent (a side restarted) cannot be an append.
    if (SIDES.some((side) => !p[side].startsWith(s[side]))) return [this.full(p)];
    const out: HostMessage[] = [];
    let seq = s.seq;
    for (const side of SIDES) {
      if (p[side].length === s[side].length) continue;
      out.push({ type: 'didAppendPreview', append: { runId: p.runId, seq: ++seq, side, text: p[side].slice(s[side].length) } });
    }
    this.sent = { ...p, seq };
    return out;
  }

  /** The whole snapshot, numbered with the last append sent for its run (a resync, or a reloaded page). */
  full(p: PreviewSnapshot): HostMessage {
    const seq = this.sent?.runId === p.runId ? this.sent.seq : 0;
    this.sent = { ...p, seq };
    return { type: 'didUpdatePreview', preview: { ...p, seq } };
  }

  /** The snapshot the page holds now (for a resync). */
  get current(): PreviewSnapshot | undefined {
    return this.sent;
  }
}
