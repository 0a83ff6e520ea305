/**
 * Recognise an ONNX ModelProto from its first bytes. ONNX has no magic number; serializers write fields in
 * number order, so a model starts with `ir_version` (field 1, varint) followed by other ModelProto fields.
 * Every field seen in the head must be a ModelProto field with the right wire type and a length that fits.
 */
const VARINT_FIELDS = new Set([1, 5]);
const LEN_FIELDS = new Set([2, 3, 4, 6, 7, 8, 14, 20, 25]);
const MAX_IR_VERSION = 64;

export function looksLikeOnnx(head: Buffer, size: number): boolean {
  if (head.length < 4 || head[0] !== 0x08) return false;
  let p = 0;
  let fields = 0;
  let sawBody = false;
  while (p < head.length) {
    const tag = readVarint(head, p);
    if (!tag) break;
    const field = Number(tag.value >> 3n);
    const wire = Number(tag.value & 7n);
    p = tag.next;
    if (fields === 0) {
      if (field !== 1 || wire !== 0) return false;
    }
    if (wire === 0 && VARINT_FIELDS.has(field)) {
      const v = readVarint(head, p);
      if (!v) break;
      if (field === 1 && (v.value < 1n || v.value > BigInt(MAX_IR_VERSION))) return false;
      p = v.next;
    } else if (wire === 2 && LEN_FIELDS.has(field)) {
      const len = readVarint(head, p);
      if (!len) break;
      if (BigInt(len.next) + len.value > BigInt(size)) return false;
      if (field === 7 || field === 8) sawBody = true;
      p = len.next + Number(len.value);
    } else {
      return false;
    }
    fields++;
  }
  // A file wholly in view must parse to its end and hold a graph or opset imports.
  if (head.length >= size) return p === size && sawBody;
  return fields >= 2;
}

function readVarint(b: Buffer, p: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (p + i >= b.length) return undefined;
    const byte = b[p + i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: p + i + 1 };
    shift += 7n;
  }
  return undefined;
}
