import type { JsonValue } from './json.js';
import { isObject } from './json.js';
import type { PbField } from './protobuf.js';
import { isNeed, pbFields } from './protobuf.js';
import { bufferSource, FormatError } from './source.js';

/** What a `TensorFlowOpLayer` builds: the NodeDef's op, and the `output_stream` attr PrintV2 writes to. */
export interface NodeDefOp {
  readonly op: string;
  readonly outputStream?: string;
}

/** Longest serialized NodeDef read: an op layer's holds a name, a few inputs and small attrs. */
const MAX_NODE_DEF_BYTES = 1 << 20;

/**
 * The op of a `TensorFlowOpLayer` `node_def`, as tf_keras `TensorFlowOpLayer.__init__` reads it: a dict is
 * `json_format.MessageToDict` output (attr bytes base64), parsed back with `json_format.ParseDict`; anything else is
 * TF 2.0's serialized NodeDef, `node_def.encode('utf-8')` then `NodeDef.FromString`. Undefined when it cannot be read.
 */
export function nodeDefOp(nodeDef: JsonValue | undefined): NodeDefOp | undefined {
  if (typeof nodeDef === 'string') return serializedNodeDefOp(Buffer.from(nodeDef, 'utf8'));
  if (!isObject(nodeDef) || typeof nodeDef.op !== 'string') return undefined;
  const stream =
    isObject(nodeDef.attr) && isObject(nodeDef.attr.output_stream) ? nodeDef.attr.output_stream.s : undefined;
  return {
    op: nodeDef.op,
    ...(typeof stream === 'string' ? { outputStream: Buffer.from(stream, 'base64').toString('utf8') } : {}),
  };
}

/**
 * node_def.proto `NodeDef`: `op` is field 2, `attr` field 5 (map entries: key 1, `AttrValue` 2, whose `s` is field 2).
 * As protobuf's parser does, the last occurrence of a singular field (and of a map key) wins. Bounded by
 * MAX_NODE_DEF_BYTES and two levels of nesting; a message pbFields cannot walk is unreadable.
 */
function serializedNodeDefOp(data: Buffer): NodeDefOp | undefined {
  if (data.length > MAX_NODE_DEF_BYTES) return undefined;
  try {
    let op: string | undefined;
    let outputStream: string | undefined;
    for (const f of fieldsOf(data, 0, data.length)) {
      if (f.field === 2 && f.wire === 2) op = text(data, f);
      if (f.field !== 5 || f.wire !== 2) continue;
      const entry = mapEntry(data, f);
      if (entry.key === 'output_stream') outputStream = entry.stream;
    }
    return op === undefined ? undefined : { op, ...(outputStream !== undefined ? { outputStream } : {}) };
  } catch (err) {
    if (err instanceof FormatError) return undefined;
    throw err;
  }
}

/** One `attr` map entry: its key, and its AttrValue's `s` when that is set. */
function mapEntry(data: Buffer, entry: PbField): { key?: string; stream?: string } {
  let key: string | undefined;
  let stream: string | undefined;
  for (const f of fieldsOf(data, entry.start, entry.end)) {
    if (f.field === 1 && f.wire === 2) key = text(data, f);
    if (f.field !== 2 || f.wire !== 2) continue;
    for (const v of fieldsOf(data, f.start, f.end)) if (v.field === 2 && v.wire === 2) stream = text(data, v);
  }
  return { ...(key !== undefined ? { key } : {}), ...(stream !== undefined ? { stream } : {}) };
}

/** The fields of an in-memory message (a buffer source never asks for bytes). */
function fieldsOf(data: Buffer, start: number, end: number): PbField[] {
  return [...pbFields(bufferSource(data), start, end)].filter((f): f is PbField => !isNeed(f));
}

const text = (data: Buffer, f: PbField): string => data.subarray(f.start, f.end).toString('utf8');
