// Measures how long the extension host's event loop was blocked, so "never blocks for more than
// 50 ms" is a number in the log rather than a hope. perf_hooks.monitorEventLoopDelay samples on a
// timer inside libuv; a block shows up as one long interval, recorded when the timer next fires.
// That last part matters: a block right before the measurement stops (handling a big result, firing
// the events that redraw the panel) is only recorded once the loop turns again, so stop() waits for
// one more timer period before it reads the histogram. The first monitor missed exactly those blocks
// (it logged 4-179 ms while the host stood still for 520-541 ms after a profile).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';

/** The sampling period, in ms; what a sample exceeds it by is the delay. */
const RESOLUTION_MS = 5;

export interface LagReport {
  /** Longest observed block of the event loop, in ms. */
  maxMs: number;
  p99Ms: number;
  samples: number;
  seconds: number;
}

export class LagMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private started = 0;

  start(): this {
    this.started = performance.now();
    this.histogram.reset();
    this.histogram.enable();
    return this;
  }

  /** Reads the delays so far and keeps measuring (for a watchdog). */
  peek(): LagReport {
    const h = this.histogram;
    const lag = (ns: number) => (h.count > 0 ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);
    return { maxMs: round(lag(h.max)), p99Ms: round(lag(h.percentile(99))), samples: h.count, seconds: round((performance.now() - this.started) / 1000) };
  }

  /** Waits one sampling period, so a block that just ended is recorded, then stops and reports. */
  async stop(): Promise<LagReport> {
    await new Promise((r) => setTimeout(r, RESOLUTION_MS * 2));
    const report = this.peek();
    this.histogram.disable();
    return report;
  }
}

/** Runs `work` under a lag monitor and hands back its result with the report. */
export async function measureLag<T>(work: () => Promise<T>): Promise<{ value: T; lag: LagReport }> {
  const monitor = new LagMonitor().start();
  try {
    const value = await work();
    return { value, lag: await monitor.stop() };
  } catch (e) {
    await monitor.stop();
    throw e;
  }
}

/**
 * Always on while the extension runs: every `periodMs` it reads the longest block of the period and
 * reports it when it passes `thresholdMs`, with what was running, so blocks outside any measured
 * job (a save, a panel redraw) are seen too. Cheap: one libuv timer and a histogram.
 */
export function watchLag(report: (maxMs: number) => void, o: { thresholdMs?: number; periodMs?: number } = {}): { dispose(): void } {
  const threshold = o.thresholdMs ?? 50;
  const monitor = new LagMonitor().start();
  const timer = setInterval(() => {
    const { maxMs } = monitor.peek();
    monitor.start();
    if (maxMs > threshold) report(maxMs);
  }, o.periodMs ?? 1000);
  // The watchdog must never be what keeps a process (or a test) alive.
  timer.unref();
  return {
    dispose() {
      clearInterval(timer);
      void monitor.stop();
    },
  };
}

const round = (v: number) => Math.round(v * 10) / 10;
