// The webview's part of the budgets lane (bench/budgets.ts runs it in a child process: it needs the
// DOM types, which the Node program does not have). A million neurons in the experts table, on
// happy-dom (much slower than a browser's DOM, so a ceiling): the first render's CPU time, and the
// 95th percentile and slowest frame of a fresh page's 200-frame scroll run (big jumps and wheel
// steps). Prints one JSON line: [{ name, guards, budgetMs, runs }].
//   node --import tsx bench/budgets-webview.ts [--reps 5]
import { ROW_HEIGHT } from '../webview/views/experts-table';
import { bigExperts, intervention, modelOf, mountPage } from '../test/helpers/page';

const i = process.argv.indexOf('--reps');
const REPS = i === -1 ? 5 : Number(process.argv[i + 1]);
if (!Number.isInteger(REPS) || REPS < 1) {
  console.error(`--reps: expected a positive integer, got ${process.argv[i + 1]}`);
  process.exit(1);
}
const cpuMs = (since: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};
const N = 1_000_000;
const experts = bigExperts(N, true);

function pageRun(): { firstCpuMs: number; frames: number[] } {
  const p = mountPage();
  try {
    const c0 = process.cpuUsage();
    p.fromHost({ type: 'didChangeModel', model: modelOf(experts) });
    p.fromHost({ type: 'didChangeExperts', experts });
    p.fromHost({ type: 'didChangeIntervention', intervention: intervention() });
    const firstCpuMs = cpuMs(c0);
    const scroller = p.root.querySelector('.scroller') as HTMLElement;
    const frames: number[] = [];
    let seed = 5;
    const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
    for (let f = 0; f < 200; f++) {
      const target = f % 2 ? Math.floor(rnd() * N) * ROW_HEIGHT : scroller.scrollTop + 120;
      const t = performance.now();
      const c = process.cpuUsage();
      scroller.scrollTop = target;
      scroller.dispatchEvent(new p.win.Event('scroll') as unknown as Event);
      // The smaller of CPU time (which counts V8's GC helper threads) and wall time (which counts the
      // machine's other processes): both bound the page's own work from above.
      frames.push(Math.min(cpuMs(c), performance.now() - t));
    }
    return { firstCpuMs, frames: frames.sort((a, b) => a - b) };
  } finally {
    void p.close();
  }
}

const first: number[] = [];
const p95: number[] = [];
const worst: number[] = [];
for (let r = 0; r < REPS; r++) {
  const { firstCpuMs, frames } = pageRun();
  first.push(firstCpuMs);
  p95.push(frames[Math.floor(frames.length * 0.95)]!);
  worst.push(frames.at(-1)!);
}
console.log(
  JSON.stringify([
    { name: 'webview 1M: first render (CPU)', guards: 'the experts table and histogram appear within a second of a million neurons arriving', budgetMs: 1000, runs: first },
    { name: 'webview 1M: scroll frame p95', guards: 'fast scrolling through a million rows stays smooth', budgetMs: 50, runs: p95 },
    { name: 'webview 1M: slowest scroll frame', guards: 'no scroll frame does work proportional to the million (rebuilt rows, collections)', budgetMs: 50, runs: worst },
  ]),
);
process.exit(0);
