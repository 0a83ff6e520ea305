import { invalidUtf8At } from '../../core/utf8.js';
import type { FileSource } from '../../core/file-source.js';

/** A source that accounts raw array bytes the reader skips apart from the rest (containers/inflate-source.ts). */
export interface DataDeclaring {
  declareData(from: number, to: number): void;
}

/** Thrown when the stream ends in the middle of an opcode or its argument. */
export class TruncatedError extends Error {
  override readonly name = 'TruncatedError';
}

/** The truncation of a read of `n` bytes; `n` may be the Infinity of a u64 past 2^53 (`lengthText`). */
function needed(n: number): TruncatedError {
  return new TruncatedError(`needed ${lengthText(n)} bytes`);
}

/** Bytes kept buffered ahead of each opcode: more than any one opcode reads (a 1 MiB text line, a 1 MiB nested peek). */
export const LOOKAHEAD = (2 << 20) + 64;
const WINDOW = 2 * LOOKAHEAD;

/**
 * A forward-only byte source over a Buffer, or over a file region read through the async FileSource in a fixed
 * window. The VM is synchronous: it asks `wants()` between opcodes and its driver awaits `refill()` (drive.ts), so a
 * multi-GB stream is read in bounded chunks through the one I/O edge, and long payloads are skipped, never read.
 */
export class ByteSource {
  private buf: Buffer;
  /** Absolute offset of buf[0]. */
  private base: number;
  /** Index of the next byte in buf. */
  private p = 0;
  /** Valid bytes in buf. */
  private len: number;
  private readonly file: FileSource | undefined;
  /** Absolute end of the readable region; for a stream, its cap until a short read shows the real end. */
  private last: number;
  /** A decompressed stream: its length is known only when it ends, so a short read ends it, not an error. */
  private readonly openEnded: boolean;
  /** The file, when it accounts skipped array data separately (a decompressed stream). */
  private readonly declared: DataDeclaring | undefined;

  private constructor(
    buf: Buffer,
    base: number,
    len: number,
    end: number,
    file: FileSource | undefined,
    openEnded = false,
  ) {
    this.buf = buf;
    this.base = base;
    this.len = len;
    this.last = end;
    this.file = file;
    this.openEnded = openEnded;
    const d = file as Partial<DataDeclaring> | undefined;
    this.declared = typeof d?.declareData === 'function' ? (d as DataDeclaring) : undefined;
  }

  get end(): number {
    return this.last;
  }

  /** A source over `data[start, end)`. */
  static fromBuffer(data: Buffer, start = 0, end = data.length): ByteSource {
    const s = new ByteSource(data, 0, end, end, undefined);
    s.p = start;
    return s;
  }

  /**
   * A source over a file region `[start, end)`; nothing is read until the driver refills it. A decompressed stream
   * (`openEnded`, containers/inflate-source.ts) has no known size and ends at its first short read.
   */
  static fromFile(file: FileSource, start = 0, end = file.size): ByteSource {
    return new ByteSource(Buffer.alloc(0), start, 0, Math.min(end, file.size), file, isOpenEnded(file));
  }

  get pos(): number {
    return this.base + this.p;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Whether fewer than `n` bytes (LOOKAHEAD by default) are buffered ahead while the file has more. */
  wants(n = LOOKAHEAD): boolean {
    return this.file !== undefined && this.len - this.p < n && this.base + this.len < this.end;
  }

  /** Slide the window to the current position and fill it from the file (one bounded read). */
  async refill(): Promise<void> {
    if (this.file === undefined) return;
    const keep = Math.max(0, this.len - this.p);
    const from = this.pos + keep;
    const want = Math.min(WINDOW - keep, this.end - from);
    // One window for the whole run, slid in place and read into: a new buffer per refill outlived the scavenges and
    // piled up in the old generation until a full GC (53 MiB of array buffers at peak on a 65 MB stream). Nothing
    // outside keeps a view of it: a file source hands out copies only (`region` is for in-memory sources).
    if (this.buf.length < keep + want) {
      const window = Buffer.allocUnsafe(Math.min(WINDOW, this.end - this.pos));
      this.buf.copy(window, 0, this.p, this.len);
      this.buf = window;
    } else this.buf.copyWithin(0, this.p, this.len);
    const got = want > 0 ? await this.file.readInto(this.buf, keep, from, want) : 0;
    if (got < want && !this.openEnded) throw new Error(`${this.file.path} shrank while being read (at byte ${from})`);
    if (got < want) this.last = from + got;
    this.base = this.pos;
    this.p = 0;
    this.len = keep + got;
  }

  /** Make `n` bytes available at buf[p]; false if the stream has fewer left. */
  private ensure(n: number): boolean {
    if (this.p + n <= this.len) return true;
    if (this.file !== undefined && this.pos + n <= this.end) {
      // The driver keeps LOOKAHEAD bytes buffered between opcodes; a read past them is a bug, not a short file.
      throw new RangeError(`read of ${n} bytes at ${this.pos} past the buffered window`);
    }
    return false;
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  peek(): number {
    if (!this.ensure(1)) return -1;
    return this.buf[this.p]!;
  }

  /** Up to `n` next bytes without consuming them. */
  peekBytes(n: number): Buffer {
    const k = Math.min(n, this.remaining);
    if (k <= 0 || !this.ensure(k)) return Buffer.alloc(0);
    return Buffer.from(this.buf.subarray(this.p, this.p + k));
  }

  u8(): number {
    if (!this.ensure(1)) throw new TruncatedError('stream ended');
    return this.buf[this.p++]!;
  }

  u16(): number {
    if (!this.ensure(2)) throw new TruncatedError('stream ended');
    const v = this.buf.readUInt16LE(this.p);
    this.p += 2;
    return v;
  }

  u32(): number {
    if (!this.ensure(4)) throw new TruncatedError('stream ended');
    const v = this.buf.readUInt32LE(this.p);
    this.p += 4;
    return v;
  }

  i32(): number {
    if (!this.ensure(4)) throw new TruncatedError('stream ended');
    const v = this.buf.readInt32LE(this.p);
    this.p += 4;
    return v;
  }

  /** An unsigned 64-bit length; values past 2^53 come back as Infinity (always out of bounds; see `lengthText`). */
  u64(): number {
    if (!this.ensure(8)) throw new TruncatedError('stream ended');
    const v = this.buf.readBigUInt64LE(this.p);
    this.p += 8;
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Infinity : Number(v);
  }

  f64be(): number {
    if (!this.ensure(8)) throw new TruncatedError('stream ended');
    const v = this.buf.readDoubleBE(this.p);
    this.p += 8;
    return v;
  }

  /** `n` bytes as a copy (callers only ask for small, bounded sizes). */
  bytes(n: number): Buffer {
    if (n > this.remaining || !this.ensure(n)) throw needed(n);
    const out = Buffer.from(this.buf.subarray(this.p, this.p + n));
    this.p += n;
    return out;
  }

  /**
   * Whether the next `n` bytes decode with Python's `surrogatepass` UTF-8, checked in place without consuming them;
   * undefined when they are not all in the window (the driver keeps LOOKAHEAD bytes buffered, so any payload up to
   * that size can be checked).
   */
  utf8Ahead(n: number): boolean | undefined {
    if (n > this.remaining || this.p + n > this.len) return undefined;
    return invalidUtf8At(this.buf.subarray(this.p, this.p + n), true) === -1;
  }

  /**
   * The next `n` bytes decoded as UTF-8 with `surrogatepass`, not consumed; undefined when Python could not decode
   * them. Node's decoder turns every bad sequence (and every encoded surrogate) into U+FFFD, so only text holding one
   * is checked again.
   */
  peekUtf8(n: number): string | undefined {
    if (n > this.remaining || !this.ensure(n)) throw needed(n);
    const out = this.buf.toString('utf8', this.p, this.p + n);
    if (out.includes('\uFFFD') && invalidUtf8At(this.buf.subarray(this.p, this.p + n), true) !== -1) return undefined;
    return out;
  }

  /** `n` bytes decoded as UTF-8 (lossy, for naming) straight from the window. */
  text(n: number): string {
    if (n > this.remaining || !this.ensure(n)) throw needed(n);
    const out = this.buf.toString('utf8', this.p, this.p + n);
    this.p += n;
    return out;
  }

  /** Skip `n` bytes without reading them into memory. */
  skip(n: number): void {
    if (!(n <= this.remaining)) throw needed(n);
    if (this.p + n <= this.len) {
      this.p += n;
      return;
    }
    const abs = this.pos + n;
    this.base = abs;
    this.p = 0;
    this.len = 0;
  }

  /**
   * Skip `n` bytes that the loader copies as raw array data and never parses (joblib's array bytes, legacy torch
   * storages). A decompressed stream is told (`declareData`), so it can charge them to its data allowance rather
   * than to the budget for bytes that could hide code.
   */
  skipData(n: number): void {
    if (n > 0 && n <= this.remaining) this.declared?.declareData(this.pos, this.pos + n);
    this.skip(n);
  }

  /** Bytes up to (not including) the next `\n`, which is consumed; undefined when none within `max`. */
  line(max: number): Buffer | undefined {
    for (let i = 0; ; i++) {
      if (i > max) return undefined;
      if (!this.ensure(i + 1)) return undefined;
      if (this.buf[this.p + i] === 0x0a) {
        const out = Buffer.from(this.buf.subarray(this.p, this.p + i));
        this.p += i + 1;
        return out;
      }
    }
  }

  /**
   * Consume the buffered bytes through the next `\n` (`ended`), or all of them when none is buffered: a text line
   * longer than the window, read on over refills. `last` is the last byte of the line consumed here, if any.
   */
  skipLinePart(): { readonly ended: boolean; readonly last: number | undefined } {
    const i = this.buf.subarray(this.p, this.len).indexOf(0x0a);
    const stop = i < 0 ? this.len : this.p + i;
    const last = stop > this.p ? this.buf[stop - 1] : undefined;
    this.p = i < 0 ? this.len : stop + 1;
    return { ended: i >= 0, last };
  }

  /** `n` bytes at an absolute position of an in-memory source (no copy); undefined for file sources. */
  region(abs: number, n: number): Buffer | undefined {
    if (this.file !== undefined || abs < this.base || abs + n > this.base + this.len) return undefined;
    return this.buf.subarray(abs - this.base, abs - this.base + n);
  }

  /** Move to an absolute position at or after the current one. */
  seek(abs: number): void {
    if (abs < this.pos) throw new RangeError('ByteSource only moves forward');
    this.skip(abs - this.pos);
  }
}

/** A decompressed stream (containers/inflate-source.ts): no known size, and it reads forward only. */
export function isOpenEnded(file: FileSource): boolean {
  return (file as { readonly openEnded?: boolean }).openEnded === true;
}

/** A length `u64` read, for a message: past 2^53 it is Infinity, which a reader should see as the huge count it was. */
export function lengthText(n: number): string {
  return Number.isFinite(n) ? String(n) : `over ${Number.MAX_SAFE_INTEGER}`;
}
