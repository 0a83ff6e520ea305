import { readSync } from 'node:fs';

/** Thrown when the stream ends in the middle of an opcode or its argument. */
export class TruncatedError extends Error {
  override readonly name = 'TruncatedError';
}

/**
 * A forward-only byte source over a Buffer or a file descriptor. File sources keep a fixed window, so a
 * multi-GB stream is read in constant memory; long payloads are skipped, never materialised.
 */
export class ByteSource {
  private buf: Buffer;
  /** Absolute offset of buf[0]. */
  private base: number;
  /** Index of the next byte in buf. */
  private p = 0;
  /** Valid bytes in buf. */
  private len: number;
  private readonly fd: number | undefined;
  /** Absolute end of the readable region. */
  readonly end: number;

  private constructor(buf: Buffer, base: number, len: number, end: number, fd: number | undefined) {
    this.buf = buf;
    this.base = base;
    this.len = len;
    this.end = end;
    this.fd = fd;
  }

  /** A source over `data[start, end)`. */
  static fromBuffer(data: Buffer, start = 0, end = data.length): ByteSource {
    const s = new ByteSource(data, 0, end, end, undefined);
    s.p = start;
    return s;
  }

  /** A source over a file region `[start, end)`, read through a window of `window` bytes. */
  static fromFd(fd: number, start: number, end: number, window = 1 << 20): ByteSource {
    const s = new ByteSource(Buffer.allocUnsafe(window), start, 0, end, fd);
    return s;
  }

  get pos(): number {
    return this.base + this.p;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Make `n` bytes available at buf[p]; false if the stream has fewer left. */
  private ensure(n: number): boolean {
    if (this.p + n <= this.len) return true;
    if (this.fd === undefined || this.pos + n > this.end) return false;
    // Slide the window: keep the unread tail, refill the rest.
    const keep = this.len - this.p;
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(n);
      this.buf.copy(bigger, 0, this.p, this.len);
      this.buf = bigger;
    } else {
      this.buf.copy(this.buf, 0, this.p, this.len);
    }
    this.base += this.p;
    this.p = 0;
    this.len = keep;
    const want = Math.min(this.buf.length - keep, this.end - (this.base + keep));
    let got = 0;
    while (got < want) {
      const r = readSync(this.fd, this.buf, keep + got, want - got, this.base + keep + got);
      if (r <= 0) break;
      got += r;
    }
    this.len = keep + got;
    return this.p + n <= this.len;
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

  /** An unsigned 64-bit length; values past 2^53 come back as Infinity (always out of bounds). */
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
    if (n > this.remaining || !this.ensure(n)) throw new TruncatedError(`needed ${n} bytes`);
    const out = Buffer.from(this.buf.subarray(this.p, this.p + n));
    this.p += n;
    return out;
  }

  /** `n` bytes decoded as UTF-8 (lossy, for naming) straight from the window. */
  text(n: number): string {
    if (n > this.remaining || !this.ensure(n)) throw new TruncatedError(`needed ${n} bytes`);
    const out = this.buf.toString('utf8', this.p, this.p + n);
    this.p += n;
    return out;
  }

  /** Skip `n` bytes without reading them into memory. */
  skip(n: number): void {
    if (!(n <= this.remaining)) throw new TruncatedError(`needed ${n} bytes`);
    if (this.p + n <= this.len) {
      this.p += n;
      return;
    }
    const abs = this.pos + n;
    this.base = abs;
    this.p = 0;
    this.len = 0;
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

  /** Move to an absolute position at or after the current one. */
  seek(abs: number): void {
    if (abs < this.pos) throw new RangeError('ByteSource only moves forward');
    this.skip(abs - this.pos);
  }
}
