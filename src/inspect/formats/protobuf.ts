import type { Need, ParseSteps, RandomAccess } from './source.js';
import { FormatError, need } from './source.js';

/** One protobuf field. Length-delimited values are not read: `start`/`end` say where they are. */
export interface PbField {
  readonly field: number;
  readonly wire: 0 | 1 | 2 | 5;
  /** Varint value (wire 0). */
  readonly value: bigint;
  /** Where the value's bytes are (wire 1, 2, 5). */
  readonly start: number;
  readonly end: number;
}

/** Deepest message nesting followed; ONNX subgraphs and TF functions nest, but never this deep in real models. */
export const MAX_PB_DEPTH = 64;

/** Longest field head: a tag and a length, 10-byte varints each. */
const FIELD_HEAD = 20;

/**
 * Iterate the fields of the message in [start, end) without reading length-delimited payloads, so a multi-GB
 * initializer costs nothing. Every length is checked against the enclosing message before it is used. A field head
 * that is not in memory is asked for by yielding a `Need`: the walker passes it up to its driver (`if (isNeed(f))
 * yield f;`) and the next field is read once it is loaded.
 */
export function* pbFields(src: RandomAccess, start: number, end: number): Generator<PbField | Need, void, void> {
  let p = start;
  while (p < end) {
    if (src.has?.(p, FIELD_HEAD) === false) yield { pos: p, len: Math.min(FIELD_HEAD, end - p) };
    const tagAt = p;
    const tag = readVarint(src, p, end);
    p = tag.next;
    const field = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    if (field === 0 || tag.value >> 3n > 0x1fffffffn) throw new FormatError(`invalid protobuf field number`, tagAt);
    switch (wire) {
      case 0: {
        const v = readVarint(src, p, end);
        yield { field, wire, value: v.value, start: p, end: v.next };
        p = v.next;
        break;
      }
      case 1:
      case 5: {
        const n = wire === 1 ? 8 : 4;
        if (p + n > end) throw new FormatError('truncated fixed-width protobuf field', p);
        yield { field, wire, value: 0n, start: p, end: p + n };
        p += n;
        break;
      }
      case 2: {
        const len = readVarint(src, p, end);
        if (len.value > BigInt(end - len.next))
          throw new FormatError(
            `protobuf field ${field} claims ${len.value} bytes but only ${end - len.next} remain`,
            p,
          );
        const s = len.next;
        const e = s + Number(len.value);
        yield { field, wire, value: 0n, start: s, end: e };
        p = e;
        break;
      }
      default:
        throw new FormatError(`unsupported protobuf wire type ${wire}`, tagAt);
    }
  }
}

export function readVarint(src: RandomAccess, p: number, end: number): { value: bigint; next: number } {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (p + i >= end) throw new FormatError('truncated protobuf varint', p);
    const b = src.read(p + i, 1)[0]!;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return { value, next: p + i + 1 };
  }
  throw new FormatError('protobuf varint longer than 10 bytes', p);
}

/** What `pbFields` yields that is a request for bytes, not a field. */
export function isNeed(f: PbField | Need): f is Need {
  return !('field' in f);
}

/** A string field's text, bounded: names and paths are short in every real model. */
export function* pbString(src: RandomAccess, f: PbField, max = 64 * 1024): ParseSteps<string> {
  if (f.wire !== 2) throw new FormatError(`protobuf field ${f.field} is not a string`, f.start);
  if (f.end - f.start > max)
    throw new FormatError(`string of ${f.end - f.start} bytes is past the ${max}-byte limit`, f.start, 'limit');
  yield* need(src, f.start, f.end - f.start);
  return src.read(f.start, f.end - f.start).toString('utf8');
}

export function checkDepth(depth: number, at: number): void {
  if (depth > MAX_PB_DEPTH) throw new FormatError(`messages nested deeper than ${MAX_PB_DEPTH}`, at, 'limit');
}

/** Only length-delimited fields can be sub-messages; anything else under a message field number is malformed. */
export function asMessage(f: PbField): PbField {
  if (f.wire !== 2) throw new FormatError(`protobuf field ${f.field} should be a message`, f.start);
  return f;
}
