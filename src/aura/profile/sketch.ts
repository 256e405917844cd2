// Sketch mode for very large profiles: instead of every pooled response (texts x neurons floats), keep
// per class and per neuron a histogram over fixed bins. Histograms of shards merge by addition, and the
// AUROC computed from them comes with a proven bound on its distance to the exact AUROC.
//
// Bins. Neuron j has a range [lo_j, hi_j) fixed before counting (from a calibration batch, the same for
// every shard so their histograms add up), cut into B equal bins, plus an underflow bin (-inf, lo_j) and
// an overflow bin [hi_j, +inf): B + 2 bins in all, so no value is ever dropped. NaN goes to the overflow.
//
// The estimate. With p_b positives and n_b negatives in bin b (bins in increasing order), P = sum p_b,
// N = sum n_b:
//     AUROC_sketch = ( sum_b p_b * (n_0 + ... + n_{b-1}) + 1/2 * sum_b p_b * n_b ) / (P * N)
//
// The bound, and its proof. The exact AUROC (Mann–Whitney, ties counted 1/2) is
//     AUROC = (1 / (P N)) * sum over pairs (x+, x-) of s(x+, x-),  s = 1 if x+ > x-, 1/2 if equal, 0 if less.
// The bin index is a non-decreasing function of the value: x < y implies bin(x) <= bin(y) (underflow and
// overflow are the two ends, and floor((x - lo) / w) is monotone in floating point too, as subtraction
// of a constant and division by a positive constant are monotone under round-to-nearest). So for a
// pair in different bins, bin(x+) > bin(x-) implies x+ > x- (else bin(x+) <= bin(x-)), and the sketch
// counts it exactly as the exact AUROC does (1 or 0). Only pairs in the same bin have an unknown order:
// the sketch counts each as 1/2 while the truth s is in [0, 1], an error of at most 1/2 per pair. There
// are sum_b p_b * n_b such pairs, hence
//     |AUROC_sketch - AUROC| <= sum_b p_b * n_b / (2 * P * N).
// The bound is attained when every same-bin pair is ordered the same way (tested), so it cannot be
// tightened without more information. It is computed per neuron from the counts, and printed with the AUROC.
import { AuraUserError } from '../errors';

export interface SketchRange {
  /** Per neuron: the low end of the binned range and the bin width (> 0). */
  lo: Float64Array;
  width: Float64Array;
}

/**
 * The range of each neuron from a calibration sample ([rows, neurons] row-major): its min and max,
 * widened by `margin` of the span on each side so that most later values land inside. A neuron that is
 * constant in the sample gets a unit-wide range around its value.
 */
export function calibrate(values: Float32Array, neurons: number, bins: number, margin = 0.05): SketchRange {
  if (!Number.isInteger(bins) || bins < 1) throw new AuraUserError(`--sketch: expected a number of bins >= 1, got ${bins}`);
  const rows = values.length / neurons;
  const lo = new Float64Array(neurons).fill(Infinity);
  const hi = new Float64Array(neurons).fill(-Infinity);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < neurons; j++) {
      const v = values[r * neurons + j]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo[j]!) lo[j] = v;
      if (v > hi[j]!) hi[j] = v;
    }
  }
  const width = new Float64Array(neurons);
  for (let j = 0; j < neurons; j++) {
    if (!(hi[j]! >= lo[j]!)) {
      lo[j] = -0.5;
      hi[j] = 0.5;
    }
    const span = hi[j]! - lo[j]!;
    const pad = span > 0 ? span * margin : 0.5;
    // Snap the range outwards to a power-of-two grid 1/1024 of its size: shards on different hardware
    // whose calibration values differ in the last bits then (almost always) get the very same bins.
    const total = span + 2 * pad;
    const q = 2 ** (Math.floor(Math.log2(total)) - 10);
    const start = Math.floor((lo[j]! - pad) / q) * q;
    const end = Math.ceil((hi[j]! + pad) / q) * q;
    lo[j] = start;
    width[j] = (end - start) / bins;
  }
  return { lo, width };
}

/** Per class, per neuron counts over B + 2 bins; `add` rows, `merge` another sketch of the same range. */
export class NeuronSketch {
  /** [2 classes][neurons][bins + 2]: class 0 = negatives, 1 = positives. */
  readonly counts: Float64Array;

  constructor(
    readonly neurons: number,
    readonly bins: number,
    readonly range: SketchRange,
  ) {
    this.counts = new Float64Array(2 * neurons * (bins + 2));
  }

  /** The bin of value v for neuron j: 0 = underflow, 1..B inside, B + 1 = overflow (and NaN). */
  binOf(j: number, v: number): number {
    const t = (v - this.range.lo[j]!) / this.range.width[j]!;
    if (t < 0) return 0;
    if (!(t < this.bins)) return this.bins + 1;
    return 1 + Math.min(this.bins - 1, Math.floor(t));
  }

  /** Rows of a [rows, neurons] matrix with their labels (1 = positive). */
  add(values: Float32Array, labels: ArrayLike<number>): void {
    const n = this.neurons;
    const stride = this.bins + 2;
    for (let r = 0; r < labels.length; r++) {
      const base = (labels[r] ? 1 : 0) * n * stride;
      for (let j = 0; j < n; j++) this.counts[base + j * stride + this.binOf(j, values[r * n + j]!)]!++;
    }
  }

  /** Adds another sketch's counts (shards): only sketches over the very same bins can be added. */
  merge(other: NeuronSketch): void {
    if (other.neurons !== this.neurons || other.bins !== this.bins) throw new AuraUserError(`sketches differ in shape (${other.neurons}x${other.bins} vs ${this.neurons}x${this.bins})`);
    for (let j = 0; j < this.neurons; j++) {
      if (other.range.lo[j] !== this.range.lo[j] || other.range.width[j] !== this.range.width[j]) throw new AuraUserError(`sketches differ in the bins of neuron ${j}; shards must share one calibration`);
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
  }

  /** AUROC per neuron from the histograms, and the proven bound on its error (see the top of this file). */
  auroc(): { auroc: Float64Array; bound: Float64Array } {
    const n = this.neurons;
    const stride = this.bins + 2;
    const auroc = new Float64Array(n);
    const bound = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const neg = this.counts.subarray(j * stride, (j + 1) * stride);
      const pos = this.counts.subarray((n + j) * stride, (n + j + 1) * stride);
      let below = 0;
      let wins = 0;
      let same = 0;
      let P = 0;
      let N = 0;
      for (let b = 0; b < stride; b++) {
        wins += pos[b]! * below;
        same += pos[b]! * neg[b]!;
        below += neg[b]!;
        P += pos[b]!;
        N += neg[b]!;
      }
      if (P === 0 || N === 0) throw new AuraUserError('sketch: AUROC needs both toxic and non-toxic examples');
      auroc[j] = (wins + same / 2) / (P * N);
      bound[j] = same / (2 * P * N);
    }
    return { auroc, bound };
  }
}
