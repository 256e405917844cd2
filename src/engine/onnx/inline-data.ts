// Moves external weights into the graph so a rewritten model stands alone as one .onnx file.
import { DataLocation } from './proto';
import { tensorBytes } from './tensor-data';
import type { GraphProto, ModelProto, TensorProto } from './proto';
import { isExternal } from './proto';

/** Protobuf messages cannot exceed 2 GiB; stay clear of it. */
export const MAX_INLINE_BYTES = 1.9 * 1024 ** 3;

export function inlineExternalData(model: ModelProto, dir: string): number {
  let total = 0;
  for (const t of tensorsOf(model.graph!)) {
    if (isExternal(t)) {
      t.rawData = tensorBytes(t, dir) as Uint8Array<ArrayBuffer>;
      t.externalData = [];
      t.dataLocation = DataLocation.DEFAULT;
    }
    total += t.rawData.length;
  }
  return total;
}

function* tensorsOf(g: GraphProto): Generator<TensorProto> {
  yield* g.initializer;
  for (const n of g.node) {
    for (const a of n.attribute) {
      if (a.t) yield a.t;
      if (a.g) yield* tensorsOf(a.g);
      for (const sub of a.graphs) yield* tensorsOf(sub);
    }
  }
}
