// What a custom site (`--sites custom:TENSOR`) must be: a float activation shaped [batch, seq, neurons].
// An integer tensor (input_ids, a Shape or ArgMax output), a boolean mask or a weight made onnxruntime
// fail on the pooling nodes with a type error, or gave a width that was the weight's size. The type is
// checked here from the graph before any session is made; the shape by running the probe at two sizes.
import { UserError } from '../errors';
import { DataType } from '../onnx/proto';
import type { GraphIndex } from '../onnx/graph-index';
import type { NodeProto } from '../onnx/proto';

const FLOATS = new Set<number>([DataType.FLOAT, DataType.FLOAT16]);
const INT_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression']);
const BOOL_OPS = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);

/** The element type of `tensor` in scope `g`: declared (value_info, output, input), else implied by its producer. */
export function tensorElemType(g: GraphIndex, tensor: string): { type: number; from: string } | undefined {
  const vi = [...g.graph.valueInfo, ...g.graph.output, ...g.graph.input].find((v) => v.name === tensor);
  if (vi?.type?.value.case === 'tensorType' && vi.type.value.value.elemType) return { type: vi.type.value.value.elemType, from: 'its declared type' };
  const p = g.producers.get(tensor);
  if (!p) return undefined;
  const implied = producerType(p, tensor);
  return implied === undefined ? undefined : { type: implied, from: `the ${p.opType} node that makes it` };
}

function producerType(p: NodeProto, tensor: string): number | undefined {
  if (BOOL_OPS.has(p.opType)) return DataType.BOOL;
  if (INT_OPS.has(p.opType)) return DataType.INT64;
  if (p.opType === 'TopK' && p.output[1] === tensor) return DataType.INT64;
  if (p.opType === 'Cast') {
    const to = p.attribute.find((a) => a.name === 'to')?.i;
    return to === undefined ? undefined : Number(to);
  }
  if (p.opType === 'Constant') return p.attribute.find((a) => a.name === 'value')?.t?.dataType;
  return undefined;
}

function typeName(t: number): string {
  return (DataType[t] ?? `type ${t}`).toLowerCase();
}

/** Refuses, in one line, a custom site that is a weight or whose type is not float32/float16. */
export function checkCustomSiteTensor(g: GraphIndex, file: string, tensor: string, dims: number | undefined): void {
  const what = `--sites custom:${tensor}`;
  if (!g.producers.has(tensor) && !g.inputNames.has(tensor) && g.initializer(tensor)) {
    throw new UserError(`${what}: a weight (initializer) of ${file}, not an activation; name a node's output of shape [batch, seq, neurons]`);
  }
  const t = tensorElemType(g, tensor);
  if (t && !FLOATS.has(t.type)) {
    throw new UserError(`${what}: ${typeName(t.type)} by ${t.from}; a site must be a float32 or float16 activation of shape [batch, seq, neurons]`);
  }
  if (dims !== undefined && dims !== 3) throw new UserError(`${what}: has ${dims} dimensions; a site must be an activation of shape [batch, seq, neurons]`);
}

/**
 * A site's width must not depend on how many rows and tokens run: `one` is the width measured on one
 * token, `many` on 2 rows of 3 tokens (undefined when that run failed). A weight or any tensor whose
 * size does not grow with batch x seq gives a different width.
 */
export function checkCustomSiteWidth(tensor: string, one: number, many: number | undefined): void {
  if (many === one && one > 0) return;
  throw new UserError(
    `--sites custom:${tensor}: its size does not follow the batch and sequence (width ${one} on 1 token, ${many === undefined ? 'no fit' : many} on 2 x 3 tokens); a site must be an activation of shape [batch, seq, neurons]`,
  );
}
