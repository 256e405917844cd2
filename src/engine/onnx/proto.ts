// Thin helpers over the onnx-buf protobuf classes: decode/encode models, read attributes and
// tensors, make nodes. onnx-buf (protobuf-es v2) keeps unknown fields on re-encode, so IR-10 GenAI
// models survive a rewrite, which the older onnx-proto package does not guarantee.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProtoSchema,
  AttributeProto_AttributeType,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  TensorProtoSchema,
  TensorProto_DataLocation,
  TensorProto_DataType,
  TypeProtoSchema,
  TypeProto_TensorSchema,
  TensorShapeProtoSchema,
  TensorShapeProto_DimensionSchema,
  ValueInfoProtoSchema,
  OperatorSetIdProtoSchema,
} from 'onnx-buf';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from 'onnx-buf';

export type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto };
export { TensorProto_DataType as DataType, TensorProto_DataLocation as DataLocation };

export function decodeModel(bytes: Uint8Array): ModelProto {
  return fromBinary(ModelProtoSchema, bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}

export function cloneModel(model: ModelProto): ModelProto {
  return decodeModel(encodeModel(model));
}

export function emptyGraph(name: string): GraphProto {
  return create(GraphProtoSchema, { name });
}

/** Opset of the default ("" or "ai.onnx") domain, which decides where ops take their axes. */
export function defaultOpset(model: ModelProto): number {
  for (const o of model.opsetImport) {
    if (o.domain === '' || o.domain === 'ai.onnx') return Number(o.version);
  }
  return 1;
}

export function ensureOpsetDomain(model: ModelProto, domain: string, version: number): void {
  if (model.opsetImport.some((o) => o.domain === domain)) return;
  model.opsetImport.push(create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }));
}

export function attr(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

export function attrInt(node: NodeProto, name: string, dflt: number): number {
  const a = attr(node, name);
  return a?.i !== undefined ? Number(a.i) : dflt;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = attr(node, name);
  return a ? a.ints.map(Number) : undefined;
}

export function attrGraph(node: NodeProto, name: string): GraphProto | undefined {
  return attr(node, name)?.g;
}

type AttrValue = number | number[] | string | TensorProto | GraphProto | { float: number };

function makeAttr(name: string, v: AttrValue): AttributeProto {
  const T = AttributeProto_AttributeType;
  if (typeof v === 'number') return create(AttributeProtoSchema, { name, type: T.INT, i: BigInt(v) });
  if (typeof v === 'string') {
    return create(AttributeProtoSchema, { name, type: T.STRING, s: new TextEncoder().encode(v) });
  }
  if (Array.isArray(v)) return create(AttributeProtoSchema, { name, type: T.INTS, ints: v.map(BigInt) });
  if ('float' in v && typeof v.float === 'number') {
    return create(AttributeProtoSchema, { name, type: T.FLOAT, f: v.float });
  }
  if ('dims' in v) return create(AttributeProtoSchema, { name, type: T.TENSOR, t: v as TensorProto });
  return create(AttributeProtoSchema, { name, type: T.GRAPH, g: v as GraphProto });
}

export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attrs: Record<string, AttrValue> = {},
  domain = '',
): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: inputs,
    output: outputs,
    name,
    domain,
    attribute: Object.entries(attrs).map(([k, v]) => makeAttr(k, v)),
  });
}

/** dims: numbers are fixed, strings are symbolic (`batch_size`). */
export function makeValueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  const shape = create(TensorShapeProtoSchema, {
    dim: dims.map((d) =>
      create(TensorShapeProto_DimensionSchema, {
        value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
      }),
    ),
  });
  const tensorType = create(TypeProto_TensorSchema, { elemType, shape });
  return create(ValueInfoProtoSchema, {
    name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }),
  });
}

export function valueInfoDims(v: ValueInfoProto): (number | string)[] | undefined {
  const t = v.type?.value;
  if (t?.case !== 'tensorType' || !t.value.shape) return undefined;
  return t.value.shape.dim.map((d) =>
    d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : '?',
  );
}

export function valueInfoElemType(v: ValueInfoProto): number | undefined {
  const t = v.type?.value;
  return t?.case === 'tensorType' ? t.value.elemType : undefined;
}

export function makeTensor(name: string, dataType: number, dims: number[], raw: Uint8Array): TensorProto {
  return create(TensorProtoSchema, {
    name,
    dataType,
    dims: dims.map(BigInt),
    rawData: raw as Uint8Array<ArrayBuffer>,
  });
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const f = Float32Array.from(values);
  return makeTensor(name, TensorProto_DataType.FLOAT, dims, new Uint8Array(f.buffer));
}

export function int64Tensor(name: string, dims: number[], values: (number | bigint)[]): TensorProto {
  const b = BigInt64Array.from(values.map((v) => BigInt(v)));
  return makeTensor(name, TensorProto_DataType.INT64, dims, new Uint8Array(b.buffer));
}

export function tensorDims(t: TensorProto): number[] {
  return t.dims.map(Number);
}

export function isExternal(t: TensorProto): boolean {
  return t.dataLocation === TensorProto_DataLocation.EXTERNAL;
}

export function externalEntry(t: TensorProto, key: string): string | undefined {
  return t.externalData.find((e) => e.key === key)?.value;
}

/** Bits per element of the ONNX data types a weight can have (onnx.proto's TensorProto.DataType numbers). */
const ELEMENT_BITS: Record<number, number> = { 1: 32, 2: 8, 3: 8, 4: 16, 5: 16, 6: 32, 7: 64, 9: 8, 10: 16, 11: 64, 12: 32, 13: 64, 16: 16, 17: 8, 18: 8, 19: 8, 20: 8, 21: 4, 22: 4 };

/**
 * The byte length of an external tensor. `length` is optional in ONNX's external-data spec and
 * torch.onnx.export (one file per tensor) leaves it out: then it is what the shape and type imply.
 */
export function externalLength(t: TensorProto): number {
  const stored = externalEntry(t, 'length');
  if (stored !== undefined) return Number(stored);
  const bits = ELEMENT_BITS[t.dataType] ?? 0;
  return Math.ceil((tensorDims(t).reduce((a, b) => a * b, 1) * bits) / 8);
}
