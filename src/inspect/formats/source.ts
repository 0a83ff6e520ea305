import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileOpener } from '../../core/file-source.js';

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

const WINDOW = 64 * 1024;

/** Positioned reads through a small window cache: memory stays flat whatever the file size. `read` counts bytes. */
export function fdSource(fd: number, size: number, counted: (bytes: number) => void = () => {}): RandomAccess {
  let winPos = 0;
  let win: Buffer = Buffer.alloc(0);
  const fill = (pos: number, len: number): Buffer => {
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(fd, buf, got, len - got, pos + got);
      if (n <= 0) throw new FormatError('unexpected end of file (the file shrank while being read)', pos + got);
      got += n;
    }
    counted(got);
    return buf;
  };
  return {
    size,
    read(pos, len) {
      if (pos < 0 || len < 0 || pos + len > size) throw new FormatError(`unexpected end of file`, pos);
      if (pos >= winPos && pos + len <= winPos + win.length) return win.subarray(pos - winPos, pos - winPos + len);
      if (len > WINDOW / 2) return fill(pos, len);
      winPos = pos;
      win = fill(pos, Math.min(WINDOW, size - pos));
      return win.subarray(0, len);
    },
  };
}

/**
 * Open a file for positioned reads and run a synchronous parser over it. The open and the bytes read are reported
 * to `io` (the scan's opener), so `result.io` counts what the format analysers read too.
 */
export async function withFile<T>(
  abs: string,
  size: number,
  fn: (src: RandomAccess) => T,
  io?: Pick<FileOpener, 'record'>,
): Promise<T> {
  const fh = await open(abs, 'r');
  let bytes = 0;
  try {
    return fn(fdSource(fh.fd, size, (n) => (bytes += n)));
  } finally {
    io?.record('plugins', 1, bytes);
    await fh.close();
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
  if (v > BigInt(opts.cap)) throw new FormatError(`${what} is ${v}, past the limit of ${opts.cap}`, offset, 'limit');
  if (v * BigInt(opts.minItemBytes) > BigInt(opts.left))
    throw new FormatError(`${what} is ${v} but only ${opts.left} bytes are left in the file`, offset);
  return Number(v);
}
