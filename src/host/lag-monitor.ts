// Measures how long the event loop was blocked while long work runs, so the claim "never blocks the
// extension host for more than 50 ms" is a number in the log rather than a hope. A drift probe (a
// timer that notes how late it fires) sees every block longer than its period; perf_hooks'
// histogram is kept next to it for the percentiles.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const RESOLUTION_MS = 10;

export interface LagReport {
  /** Longest observed block of the event loop, in ms. */
  maxMs: number;
  p99Ms: number;
  samples: number;
  seconds: number;
}

export class LagMonitor {
  private readonly histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private maxDrift = 0;
  private samples = 0;
  private started = 0;

  constructor(private readonly periodMs = 10) {}

  start(): this {
    this.started = this.last = performance.now();
    this.histogram.enable();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.maxDrift = Math.max(this.maxDrift, now - this.last - this.periodMs);
      this.last = now;
      this.samples++;
    }, this.periodMs);
    // The probe must never be what keeps a process (or a test) alive.
    this.timer.unref();
    return this;
  }

  stop(): LagReport {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.histogram.disable();
    // The histogram's samples include its own timer period; what exceeds it is the lag.
    const lag = (ns: number) => (this.histogram.count > 0 ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);
    const report = {
      maxMs: round(Math.max(this.maxDrift, lag(this.histogram.max), 0)),
      p99Ms: round(lag(this.histogram.percentile(99))),
      samples: this.samples,
      seconds: round((performance.now() - this.started) / 1000),
    };
    this.histogram.reset();
    return report;
  }
}

/** Runs `work` under a lag monitor and hands back its result with the report. */
export async function measureLag<T>(work: () => Promise<T>): Promise<{ value: T; lag: LagReport }> {
  const monitor = new LagMonitor().start();
  try {
    const value = await work();
    return { value, lag: monitor.stop() };
  } catch (e) {
    monitor.stop();
    throw e;
  }
}

const round = (v: number) => Math.round(v * 10) / 10;
