/**
 * LZ4 frames (joblib `compress='lz4'`, the `.lz4` extension), decoded as python-lz4's `lz4.frame.LZ4FrameFile`
 * reads them for `joblib.load` (`compressor.LZ4CompressorWrapper`; the frame format is lz4's `lz4frame.c`
 * `LZ4F_decompress`): a frame header, blocks of at most the declared maximum size (compressed, or stored when the
 * size's high bit is set), an end mark; then another frame or a skippable one, as Python's `DecompressReader` goes on
 * reading concatenated streams. Pure TypeScript; output comes one block (at most 4 MiB) at a time.
 *
 * Checksums (header, block, content) are not verified: a stream lz4 would refuse for one is read here all the same,
 * so what it holds is still judged. Bytes after a frame that start no frame end the data.
 */

export const LZ4_FRAME_MAGIC = 0x184d2204;
/** Skippable frames: magic 0x184D2A50–0x184D2A5F, a 4-byte size, then that many bytes nobody reads. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE = 0x184d2a50;
/** Matches reach at most this far back (the LZ4 block format's 16-bit offset). */
const WINDOW = 64 << 10;
/** The frame header's block maximum sizes (BD bits 4–6: 4 → 64 KiB … 7 → 4 MiB). */
const BLOCK_MAX: Readonly<Record<number, number>> = { 4: 64 << 10, 5: 256 << 10, 6: 1 << 20, 7: 4 << 20 };

interface Frame {
  readonly blockMax: number;
  readonly independent: boolean;
  readonly blockChecksum: boolean;
  readonly contentChecksum: boolean;
}

/** Incremental frame decoder: `push` compressed bytes, take the decoded blocks, `finish` at the end of the input. */
class Lz4FrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private frame: Frame | undefined;
  /** The last WINDOW bytes of output in the current frame, for blocks that reference the previous ones. */
  private history: Buffer = Buffer.alloc(0);
  /** Bytes of a skippable frame still to skip. */
  private skip = 0;
  /** Set when bytes after a frame start no frame: the rest is ignored. */
  private done = false;
  private started = false;

  /** The blocks the bytes so far complete, decoded one at a time as the caller takes them. */
  *push(chunk: Buffer): Generator<Buffer> {
    if (this.done) return;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (let got = this.step(); got !== undefined; got = this.step()) if (got.length > 0) yield got;
  }

  /** At the end of the input: a frame cut short is an error, as `LZ4FrameFile` raises EOFError. */
  finish(): void {
    if (this.done || (this.frame === undefined && this.skip === 0 && this.pending.length === 0 && this.started)) return;
    throw new RangeError('LZ4 stream ended before the end of its frame');
  }

  /** Decode what the pending bytes allow: a block's output (possibly empty), or undefined when more input is needed. */
  private step(): Buffer | undefined {
    if (this.done) return undefined;
    if (this.skip > 0) {
      const n = Math.min(this.skip, this.pending.length);
      this.skip -= n;
      this.pending = this.pending.subarray(n);
      return this.skip > 0 ? undefined : Buffer.alloc(0);
    }
    if (this.frame === undefined) return this.header();
    const f = this.frame;
    if (this.pending.length < 4) return undefined;
    const word = this.pending.readUInt32LE(0);
    if (word === 0) {
      // End mark, then the optional content checksum.
      const end = 4 + (f.contentChecksum ? 4 : 0);
      if (this.pending.length < end) return undefined;
      this.pending = this.pending.subarray(end);
      this.frame = undefined;
      this.history = Buffer.alloc(0);
      return Buffer.alloc(0);
    }
    const stored = (word & 0x80000000) !== 0;
    const size = word & 0x7fffffff;
    if (size > f.blockMax) throw new RangeError(`LZ4 block of ${size} bytes is past the frame's ${f.blockMax}`);
    const end = 4 + size + (f.blockChecksum ? 4 : 0);
    if (this.pending.length < end) return undefined;
    const body = this.pending.subarray(4, 4 + size);
    this.pending = this.pending.subarray(end);
    const out = stored ? Buffer.from(body) : decodeBlock(body, f.independent ? undefined : this.history, f.blockMax);
    if (!f.independent) {
      const joined = this.history.length + out.length <= WINDOW ? Buffer.concat([this.history, out]) : undefined;
      this.history = joined ?? Buffer.from(Buffer.concat([this.history.subarray(-WINDOW), out]).subarray(-WINDOW));
    }
    return out;
  }

  /** A frame header (or a skippable frame's), `LZ4F_decodeHeader`. */
  private header(): Buffer | undefined {
    const p = this.pending;
    if (p.length < 4) return undefined;
    const magic = p.readUInt32LE(0);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE && this.started) {
      if (p.length < 8) return undefined;
      this.skip = p.readUInt32LE(4);
      this.pending = p.subarray(8);
      return Buffer.alloc(0);
    }
    if (magic !== LZ4_FRAME_MAGIC) {
      if (!this.started) throw new RangeError('not an LZ4 frame');
      this.done = true;
      return undefined;
    }
    if (p.length < 7) return undefined;
    const flg = p[4]!;
    const bd = p[5]!;
    if (flg >> 6 !== 1) throw new RangeError(`LZ4 frame version ${flg >> 6} is not 1`);
    const blockMax = BLOCK_MAX[(bd >> 4) & 7];
    if (blockMax === undefined) throw new RangeError(`LZ4 frame block size code ${(bd >> 4) & 7} is invalid`);
    const length = 6 + (flg & 0x08 ? 8 : 0) + (flg & 0x01 ? 4 : 0) + 1;
    if (p.length < length) return undefined;
    this.frame = {
      blockMax,
      independent: (flg & 0x20) !== 0,
      blockChecksum: (flg & 0x10) !== 0,
      contentChecksum: (flg & 0x04) !== 0,
    };
    this.started = true;
    this.pending = p.subarray(length);
    return Buffer.alloc(0);
  }
}

/**
 * One LZ4 block (`LZ4_decompress_safe_usingDict`): sequences of a token (literal and match length nibbles, 15
 * extended by 255-runs), literals, a 16-bit offset back into the output (or the previous blocks' last 64 KiB) and a
 * match of length + 4, copied forward byte by byte in effect (an offset below the length repeats the pattern).
 */
function decodeBlock(src: Buffer, prefix: Buffer | undefined, max: number): Buffer {
  const base = prefix?.length ?? 0;
  const out = Buffer.allocUnsafe(base + max);
  if (prefix) prefix.copy(out, 0);
  let ip = 0;
  let op = base;
  const bad = (why: string) => new RangeError(`corrupt LZ4 block: ${why}`);
  const length = (n: number): number => {
    if (n !== 15) return n;
    for (let b = 255; b === 255; n += b) {
      if (ip >= src.length) throw bad('length runs past the block');
      b = src[ip++]!;
    }
    return n;
  };
  while (ip < src.length) {
    const token = src[ip++]!;
    const lit = length(token >> 4);
    if (ip + lit > src.length || op + lit > out.length) throw bad('literals run past the block');
    // Short runs by hand: a Buffer.copy call costs more than copying a few bytes (most sequences are short).
    if (lit < 32) for (let i = 0; i < lit; i++) out[op++] = src[ip++]!;
    else {
      src.copy(out, op, ip, ip + lit);
      ip += lit;
      op += lit;
    }
    if (ip === src.length) break;
    if (ip + 2 > src.length) throw bad('offset cut short');
    const offset = src.readUInt16LE(ip);
    ip += 2;
    if (offset === 0 || offset > op) throw bad('offset outside the output');
    const match = length(token & 15) + 4;
    if (op + match > out.length) throw bad('match runs past the block size');
    // Copy in runs of whole periods: the bytes behind `op` repeat with period `offset`, so a run may double.
    const from = op - offset;
    if (match < 32) {
      for (let i = 0; i < match; i++) out[op + i] = out[from + i]!;
      op += match;
      continue;
    }
    for (let left = match, period = offset; left > 0;) {
      const n = Math.min(period, left);
      out.copy(out, op, from, from + n);
      op += n;
      left -= n;
      period += n;
    }
  }
  return Buffer.from(out.subarray(base, op));
}

/** Decode an LZ4 frame stream whole, stopping with `onLimit()` past `cap` output bytes. */
export function unlz4Capped(data: Buffer, cap: number, onLimit: () => Error): Buffer {
  const d = new Lz4FrameDecoder();
  const chunks: Buffer[] = [];
  let total = 0;
  for (const c of d.push(data)) {
    total += c.length;
    if (total > cap) throw onLimit();
    chunks.push(c);
  }
  d.finish();
  return Buffer.concat(chunks);
}

/** Decode an LZ4 frame stream as its input arrives, one block at a time. */
export async function* unlz4Chunks(input: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  const d = new Lz4FrameDecoder();
  for await (const chunk of input) yield* d.push(chunk);
  d.finish();
}
