// What the always-on lag watch (lag-monitor.ts watchLag) writes to the output channel. A block while
// one of our tasks runs is ours to explain: logged at once, with the task. A block with nothing of
// ours running is VS Code's, another extension's, or unknown: one line per event made the channel
// unreadable (147 lines in 30 minutes of ordinary editing), so those are counted and summarised in
// at most one line per period.

export interface LagLogOptions {
  /** The summary period, in ms (one minute). */
  periodMs?: number;
  now?: () => number;
}

export class LagLog {
  private readonly periodMs: number;
  private readonly now: () => number;
  private windowStart: number;
  private count = 0;
  private longest = 0;
  private total = 0;

  constructor(
    private readonly write: (line: string) => void,
    o: LagLogOptions = {},
  ) {
    this.periodMs = o.periodMs ?? 60_000;
    this.now = o.now ?? Date.now;
    this.windowStart = this.now();
  }

  /** One period's longest block, `task` being what of ours was running then (undefined: nothing). */
  block(ms: number, task: string | null | undefined): void {
    if (task) {
      this.write(`the extension host's event loop was blocked for ${ms} ms while aura-lens was ${lowerFirst(task)}`);
    } else {
      this.count++;
      this.total += ms;
      this.longest = Math.max(this.longest, ms);
    }
    this.flush();
  }

  /** Writes the summary once its period is over (or now, `force`, at shutdown); nothing when there is nothing to say. */
  flush(force = false): void {
    const now = this.now();
    if (!force && now - this.windowStart < this.periodMs) return;
    if (this.count > 0) {
      const seconds = Math.max(1, Math.round((now - this.windowStart) / 1000));
      this.write(
        `the extension host's event loop was blocked ${this.count} time${this.count === 1 ? '' : 's'} in the last ${seconds} s with no aura-lens task running (longest ${round(this.longest)} ms, ${round(this.total)} ms in all): VS Code or another extension`,
      );
    }
    this.windowStart = now;
    this.count = 0;
    this.longest = 0;
    this.total = 0;
  }
}

const round = (v: number) => Math.round(v * 10) / 10;
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
