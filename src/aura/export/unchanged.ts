// An intervention that changes nothing (strength 0, or every gain 1 and every shift 0) folded into the
// model gives back the original model: at 2.35 GB of weights that is a 2.4 GB copy written for nothing,
// so the export is refused with the reason before anything is read or written.

/**
 * Why folding these per-site gains and shifts would write a copy of the original model, or undefined
 * when one of them changes a weight. y = gain*x + bias inside (lo, hi), x outside: gain 1 and bias 0
 * leave x as it is whatever the range.
 */
export function unchangedExportReason(gains: Iterable<Float32Array>, biases: Iterable<Float32Array | undefined> = []): string | undefined {
  for (const g of gains) if (g.some((x) => x !== 1)) return undefined;
  for (const b of biases) if (b?.some((x) => x !== 0)) return undefined;
  return 'the intervention changes nothing (every gain is 1 and no shift, as at strength 0): the ONNX export would be a copy of the original model; raise the strength first';
}
