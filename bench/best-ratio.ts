// How the end-to-end benchmark turns whole-pipeline runs at several thread counts into one ratio: each
// side's best (at whichever thread count it came from), over the same turns on both sides, and per turn
// the same ratio at those two thread counts, for the spread.
import type { Spread } from './spread';
import { spread } from './spread';

export interface PipelineRun {
  turn: number;
  threads: number;
  seconds: number;
  forwardS: number;
}

export interface BestRatio {
  /** Their best over ours: above 1, aura-lens is faster. */
  value: number;
  auraLensThreads: number;
  theirThreads: number;
  auraLensSeconds: number;
  theirSeconds: number;
  turns: number;
  perTurn: Spread;
}

/** Only runs of turns below `turns` count on either side, so neither gets a best of more tries. */
export function bestRatio(ours: readonly PipelineRun[], theirs: readonly PipelineRun[], key: 'seconds' | 'forwardS', turns: number): BestRatio {
  const pick = (runs: readonly PipelineRun[], who: string): PipelineRun => {
    const pool = runs.filter((r) => r.turn < turns);
    if (!pool.length) throw new Error(`bestRatio: ${who} has no run in the first ${turns} turns`);
    return pool.reduce((a, b) => (b[key] < a[key] ? b : a));
  };
  const a = pick(ours, 'aura-lens');
  const b = pick(theirs, 'the baseline');
  const perTurn: number[] = [];
  for (let t = 0; t < turns; t++) {
    const x = ours.find((r) => r.turn === t && r.threads === a.threads);
    const y = theirs.find((r) => r.turn === t && r.threads === b.threads);
    if (x && y) perTurn.push(y[key] / x[key]);
  }
  return { value: b[key] / a[key], auraLensThreads: a.threads, theirThreads: b.threads, auraLensSeconds: a[key], theirSeconds: b[key], turns, perTurn: spread(perTurn) };
}
