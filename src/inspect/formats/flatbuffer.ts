import type { ParseSteps, RandomAccess } from './source.js';
import { FormatError, readAt } from './source.js';

/**
 * Flatbuffer tables (TFLite, PyTorch Mobile) read with every offset checked against the file; each read loads its
 * bytes first. A field whose vtable slot lies past the file is a parse failure, not an absent field.
 */
export class Flat {
  constructor(readonly src: RandomAccess) {}
  *u32(at: number): ParseSteps<number> {
    if (at < 0 || at + 4 > this.src.size) throw new FormatError('flatbuffer offset out of bounds', at);
    return (yield* readAt(this.src, at, 4)).readUInt32LE(0);
  }
  /** Absolute position of a table field's data, or undefined when the field is absent. */
  *field(table: number, index: number): ParseSteps<number | undefined> {
    const vtable = table - (yield* readAt(this.src, table, 4)).readInt32LE(0);
    if (vtable < 0 || vtable + 4 > this.src.size) throw new FormatError('flatbuffer vtable out of bounds', table);
    const vsize = (yield* readAt(this.src, vtable, 2)).readUInt16LE(0);
    const slot = 4 + 2 * index;
    if (slot + 2 > vsize) return undefined;
    const off = (yield* readAt(this.src, vtable + slot, 2)).readUInt16LE(0);
    return off === 0 ? undefined : table + off;
  }
  /** A table's u32 (or uint) field, 0 when absent (the schema's default for every field read here). */
  *u32Field(table: number, index: number): ParseSteps<number> {
    const at = yield* this.field(table, index);
    return at === undefined ? 0 : yield* this.u32(at);
  }
  /** Follow a uoffset stored at `at`. */
  *deref(at: number): ParseSteps<number> {
    const target = at + (yield* this.u32(at));
    if (target >= this.src.size) throw new FormatError('flatbuffer offset out of bounds', at);
    return target;
  }
  /** The string a uoffset at `at` points to, at most `max` bytes. */
  *string(at: number, max = 4096): ParseSteps<string> {
    const s = yield* this.deref(at);
    const len = yield* this.u32(s);
    if (len > max) throw new FormatError(`flatbuffer string of ${len} bytes is past the limit`, s, 'limit');
    if (s + 4 + len > this.src.size) throw new FormatError('flatbuffer string runs past the file', s);
    return (yield* readAt(this.src, s + 4, len)).toString('utf8');
  }
  /** A table's string field ('' when absent), at most `max` bytes. */
  *stringField(table: number, index: number, max: number): ParseSteps<string> {
    const at = yield* this.field(table, index);
    return at === undefined ? '' : yield* this.string(at, max);
  }
}
