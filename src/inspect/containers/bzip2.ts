import seekBzip from 'seek-bzip';
import { StreamCutError } from './errors.js';

/**
 * bzip2 (joblib `compress='bz2'`, zip method 12) through seek-bzip, a pure-JS synchronous decoder that bundles
 * with esbuild. Output goes to a sink that stops at `cap`; multistream like Python's `bz2.decompress`.
 * `onLimit` builds the error thrown past the cap; corrupt input throws an Error naming the problem.
 */
export function bunzip2Capped(data: Buffer, cap: number, onLimit: () => Error): Buffer {
  const sink = new CappedSink(cap, onLimit);
  const source = bufferSource(data);
  try {
    seekBzip.decode(source, sink, true);
  } catch (err) {
    if (err === sink.limitError) throw err;
    // seek-bzip throws plain strings or objects on corrupt data.
    const why = err instanceof Error ? err.message : typeof err === 'string' ? err : 'decoder error';
    throw new StreamCutError(`corrupt bzip2 data: ${why}`, sink.result());
  }
  return sink.result();
}

/** Output that grows by doubling up to `cap` bytes and throws the limit error past it. */
export class CappedSink {
  private buf = Buffer.alloc(1 << 16);
  private pos = 0;
  limitError: Error | undefined;
  constructor(
    private readonly cap: number,
    private readonly onLimit: () => Error,
  ) {}
  writeByte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(this.pos + 1);
    this.buf[this.pos++] = b;
  }
  private grow(need: number): void {
    if (need > this.cap) {
      this.limitError = this.onLimit();
      throw this.limitError;
    }
    let size = this.buf.length;
    while (size < need) size *= 2;
    const next = Buffer.alloc(Math.min(size, this.cap));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Most output one bzip2 block can produce (900k block entries, each run of 4 + 255 copies): the sink's bound. */
const MAX_BLOCK_OUTPUT = 48 << 20;

/**
 * Decode bzip2 block by block, yielding each block's output: Python's `bz2.BZ2File` (what joblib reads through)
 * is as incremental, and memory stays at one block (at most ~46 MiB) whatever the stream inflates to. This is
 * seek-bzip's own `decode` loop (version pinned in package.json), driven one block at a time; multistream.
 */
export function* bunzip2Blocks(data: Buffer): Generator<Buffer> {
  const source = bufferSource(data);
  const sink = new DrainedSink(MAX_BLOCK_OUTPUT);
  try {
    const bz = new seekBzip(source, sink);
    for (;;) {
      if (source.eof()) return;
      if (bz._init_block()) {
        bz._read_bunzip();
        yield sink.drain();
        continue;
      }
      const want = bz.reader.read(32) >>> 0;
      if (want !== bz.streamCRC) throw new Error('bad stream CRC');
      if (source.eof()) return;
      bz._start_bunzip(source, sink);
    }
  } catch (err) {
    const detail = err instanceof Error ? err.message : typeof err === 'string' ? err : 'decoder error';
    throw new Error(`corrupt bzip2 data: ${detail}`);
  }
}

/** A block's output, handed on and emptied after each block. */
class DrainedSink {
  private buf = Buffer.alloc(1 << 20);
  private pos = 0;
  constructor(private readonly max: number) {}
  writeByte(b: number): void {
    if (this.pos >= this.buf.length) {
      if (this.buf.length >= this.max) throw new Error('a block decodes past the bzip2 block size');
      const next = Buffer.alloc(Math.min(this.buf.length * 2, this.max));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    this.buf[this.pos++] = b;
  }
  drain(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }
}

/** seek-bzip's input over a buffer: reading past the end is truncation, never a run of undefined bytes. */
function bufferSource(data: Buffer) {
  let pos = 0;
  return {
    readByte(): number {
      if (pos >= data.length) throw new Error('bzip2 stream is truncated');
      return data[pos++]!;
    },
    read(buf: Uint8Array, off: number, len: number): number {
      const n = Math.min(len, data.length - pos);
      if (n <= 0) throw new Error('bzip2 stream is truncated');
      buf.set(data.subarray(pos, pos + n), off);
      pos += n;
      return n;
    },
    seek(p: number): void {
      pos = p;
    },
    eof(): boolean {
      return pos >= data.length;
    },
  };
}
