// Bootstrap intervals: one weighted pass per resample over each neuron's sorted order (what
// neuronUncertainty does) against the naive way, which materialises every resample and sorts it again
// (aurocPerNeuron's radix sort per resample). Prints the ratio measured in the same run.
// Run: node --import tsx bench/bootstrap.ts [neurons] [examples] [resamples]
import { aurocPerNeuron } from '../src/aura/auroc';
import { mulberry32 } from '../src/aura/random';
import { bootstrapCounts, neuronUncertainty } from '../src/aura/stats/uncertainty';

const n = Number(process.argv[2] ?? 256);
const examples = Number(process.argv[3] ?? 2000);
const B = Number(process.argv[4] ?? 200);
const P = Math.floor(examples / 3);
const Q = examples - P;
const rng = mulberry32(1);
const pos = Float32Array.from({ length: P * n }, () => Math.round((rng() + 0.05) * 100) / 100);
const neg = Float32Array.from({ length: Q * n }, () => Math.round(rng() * 100) / 100);

let t = performance.now();
neuronUncertainty(pos, neg, n, { resamples: B });
const fast = performance.now() - t;

t = performance.now();
const counts = bootstrapCounts(P, Q, B, 0);
for (const w of counts) {
  const rp = new Float32Array(P * n);
  const rq = new Float32Array(Q * n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < P; i++) for (let c = 0; c < w[i]!; c++) rp.set(pos.subarray(i * n, (i + 1) * n), a++ * n);
  for (let j = 0; j < Q; j++) for (let c = 0; c < w[P + j]!; c++) rq.set(neg.subarray(j * n, (j + 1) * n), b++ * n);
  aurocPerNeuron(rp, rq, n);
}
const naive = performance.now() - t;
console.log(`bootstrap ${B} resamples, ${n} neurons, ${P}+${Q} examples: sorted-order passes ${fast.toFixed(0)} ms, re-sorting each resample ${naive.toFixed(0)} ms, ratio ${(naive / fast).toFixed(2)}x`);
