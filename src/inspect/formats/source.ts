import type { FileSource } from '../../core/file-source.js';

/** A parse error at a byte offset: becomes a ModelParseFailure finding, never an exception out of an analyser. */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** `limit`: the input went past an analysis bound rather than being malformed. */
    readonly kind: 'malformed' | 'limit' = 'malformed',
  ) {
    super(message);
    this.name = 'FormatError';
  }
}

/**
 * Random access to a file's bytes for the format parsers (headers read at offsets). Reads past the end throw
 * FormatError, so truncation is always reported. The pickle VM's sequential reader is `pickle/source.ts`'s ByteSource.
 */
export interface RandomAccess {
  readonly size: number;
  /** `len` bytes at `pos`; the caller bounds `len` before asking. */
  read(pos: number, len: number): Buffer;
  /**
   * Whether `[pos, pos + len)` (clipped to the file) can be read now. Absent: always (bytes in memory). A file
   * window answers false until its driver has loaded the range (`need`).
   */
  has?(pos: number, len: number): boolean;
}

/** What a parser asks its driver for: make `[pos, pos + len)` readable, then resume. */
export interface Need {
  readonly pos: number;
  readonly len: number;
}

/**
 * Format parsers are written once, as generators that yield a `Need` before reading bytes that may not be in memory.
 * Over a buffer nothing is ever needed and `driveSync` runs them to the end; over a file, `driveAsync` awaits each
 * range through the scan's FileSource. Like the pickle VM (`pickle/drive.ts`): synchronous parsing, async I/O edge.
 */
export type ParseSteps<T> = Generator<Need, T, void>;

/** Yield until `[pos, pos + len)` can be read. Call right before the reads it covers: a later need may evict it. */
export function* need(src: RandomAccess, pos: number, len: number): ParseSteps<void> {
  if (src.has !== undefined && !src.has(pos, len)) yield { pos, len };
}

/** `len` bytes at `pos`, loaded first when they are not in memory. The caller bounds `len` before asking. */
export function* readAt(src: RandomAccess, pos: number, len: number): ParseSteps<Buffer> {
  yield* need(src, pos, len);
  return src.read(pos, len);
}

/** Run a parser over bytes in memory. */
export function driveSync<T>(steps: ParseSteps<T>): T {
  const r = steps.next();
  if (!r.done) throw new Error('a format parser over a file must be driven by driveAsync');
  return r.value;
}

/** Run a parser over a file window, loading each range it needs with an awaited, bounded read. */
export async function driveAsync<T>(steps: ParseSteps<T>, win: FileWindow): Promise<T> {
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done) return r.value;
    await win.load(r.value.pos, r.value.len);
  }
}

export function bufferSource(data: Buffer): RandomAccess {
  return {
    size: data.length,
    read(pos, len) {
      if (pos < 0 || len < 0 || pos + len > data.length) throw new FormatError(`unexpected end of file`, pos);
      return data.subarray(pos, pos + len);
    },
  };
}

/** Bytes loaded per need unless the need is larger: small headers cost one read, and memory stays flat. */
export const WINDOW = 64 * 1024;

interface Slot {
  readonly pos: number;
  readonly buf: Buffer;
}

/**
 * A file's bytes for the format parsers, read through the scan's FileSource (so `result.io` counts them). Two
 * windows are kept, the newest first: a parser that scans forward from a chunk (HDF5 candidates) or returns from a
 * nested message (protobuf) finds its previous window still there. Loads allocate new buffers, so a Buffer a parser
 * holds stays valid after later loads.
 */
export class FileWindow implements RandomAccess {
  private slots: Slot[] = [];

  constructor(
    private readonly file: FileSource,
    private readonly windowSize = WINDOW,
  ) {}

  get size(): number {
    return this.file.size;
  }

  has(pos: number, len: number): boolean {
    const [start, end] = this.clip(pos, len);
    return start >= end || this.slotFor(start, end) !== undefined;
  }

  read(pos: number, len: number): Buffer {
    if (pos < 0 || len < 0 || pos + len > this.size) throw new FormatError(`unexpected end of file`, pos);
    if (len === 0) return Buffer.alloc(0); // nothing to load: `has` says so too
    const slot = this.slotFor(pos, pos + len);
    // A parser that reads without `need` first is a bug, not a short file: it surfaces as CPX003, never as clean.
    if (slot === undefined) throw new Error(`read of ${len} bytes at ${pos} before they were loaded`);
    return slot.buf.subarray(pos - slot.pos, pos - slot.pos + len);
  }

  async load(pos: number, len: number): Promise<void> {
    const [start, end] = this.clip(pos, len);
    if (start >= end || this.slotFor(start, end) !== undefined) return;
    const want = Math.min(this.size, start + Math.max(end - start, this.windowSize)) - start;
    const buf = await this.file.read(start, want);
    if (buf.length < want)
      throw new FormatError('unexpected end of file (the file shrank while being read)', start + buf.length);
    this.slots = [{ pos: start, buf }, ...this.slots.slice(0, 1)];
  }

  private clip(pos: number, len: number): [number, number] {
    const start = Math.max(0, Math.min(pos, this.size));
    return [start, Math.max(start, Math.min(pos + len, this.size))];
  }

  private slotFor(start: number, end: number): Slot | undefined {
    for (const s of this.slots) if (start >= s.pos && end <= s.pos + s.buf.length) return s;
    return undefined;
  }
}

/** A bounded little-endian reader: every length is checked against the bytes left before it is used. */
export class Cursor {
  constructor(
    readonly src: RandomAccess,
    public pos = 0,
  ) {}

  get left(): number {
    return this.src.size - this.pos;
  }

  /** Whether the next `len` bytes must be loaded before they can be read: a cheap test for tight loops. */
  wants(len: number): boolean {
    return this.src.has?.(this.pos, len) === false;
  }

  /** Yield until the next `len` bytes (or what is left of the file) can be read. */
  need(len: number): ParseSteps<void> {
    return need(this.src, this.pos, len);
  }

  bytes(len: number): Buffer {
    if (!Number.isSafeInteger(len) || len < 0 || len > this.left)
      throw new FormatError(`needs ${len} bytes but only ${this.left} are left`, this.pos);
    const b = this.src.read(this.pos, len);
    this.pos += len;
    return b;
  }

  skip(len: number | bigint): void {
    if (typeof len === 'bigint') {
      if (len > BigInt(this.left)) throw new FormatError(`needs ${len} bytes but only ${this.left} are left`, this.pos);
      len = Number(len);
    }
    if (len < 0 || len > this.left)
      throw new FormatError(`needs ${len} bytes but only ${this.left} are left`, this.pos);
    this.pos += len;
  }

  u8(): number {
    return this.bytes(1)[0]!;
  }
  u16(): number {
    return this.bytes(2).readUInt16LE(0);
  }
  u32(): number {
    return this.bytes(4).readUInt32LE(0);
  }
  i32(): number {
    return this.bytes(4).readInt32LE(0);
  }
  u64(): bigint {
    return this.bytes(8).readBigUInt64LE(0);
  }
  i64(): bigint {
    return this.bytes(8).readBigInt64LE(0);
  }
}

/** A count or length read from a file, checked against what the rest of the file can hold and a hard cap. */
export function checkedCount(
  value: bigint | number,
  what: string,
  offset: number,
  opts: { readonly left: number; readonly minItemBytes: number; readonly cap: number },
): number {
  const v = BigInt(value);
  if (v < 0n) throw new FormatError(`${what} is negative (${v})`, offset);
  // Past the file first: no loader reads that (a parse failure), while a cap refuses what a loader may well read.
  if (v * BigInt(opts.minItemBytes) > BigInt(opts.left))
    throw new FormatError(`${what} is ${v} but only ${opts.left} bytes are left in the file`, offset);
  if (v > BigInt(opts.cap)) throw new FormatError(`${what} is ${v}, past the limit of ${opts.cap}`, offset, 'limit');
  return Number(v);
}

/**
 * A string as C code and CPython's `zipfile.ZipInfo` read it: the characters before its first NUL (ggml's
 * `gguf_get_key` returns `c_str()`; ZipInfo cuts a stored member name there).
 */
export function cutAtNul(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}
