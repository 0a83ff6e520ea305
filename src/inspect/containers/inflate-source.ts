import { pipeline, Readable } from 'node:stream';
import { createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { FileSource } from '../../core/file-source.js';
import { ZF_HEADER } from '../../discover/formats/compressed-head.js';
import { bunzip2Blocks } from './bzip2.js';
import { ContainerLimitError } from './errors.js';
import { unlz4Chunks } from './lz4.js';
import { unlzmaChunks } from './lzma.js';

/** The streams decoded incrementally here: every codec joblib writes, and raw deflate (zip method 8). */
export type StreamedCompression = 'gzip' | 'zlib' | 'zf' | 'bzip2' | 'xz' | 'lzma' | 'lz4' | 'deflate';

/**
 * Work per declared array byte, relative to zlib, measured on zero arrays (256 MiB: zlib ~0.3 s CPU, WASM liblzma
 * ~2.1 s, the pure-JS bzip2 ~3.5 s): the same time allows a seventh or a tenth of the array data. The pure-TS LZ4
 * decoder (lz4.ts), side by side with zlib on 64 MiB: zeros 1.4x, random 2-bit values 2.9x.
 */
const DATA_COST: Readonly<Record<StreamedCompression, number>> = {
  gzip: 1,
  zlib: 1,
  zf: 1,
  deflate: 1,
  bzip2: 10,
  xz: 7,
  lzma: 7,
  lz4: 3,
};

/** bzip2 decodes from memory (seek-bzip reads synchronously): compressed input up to this size. */
const MAX_BZIP2_INPUT = 192 << 20;

/** Bytes decompressed for one scanned file, shared by every nested stream of it. */
export interface DecompressBudget {
  /** Bytes that may still be produced, across all levels. */
  left: number;
  /**
   * Raw array bytes a loader copies and never parses (joblib's NumpyArrayWrapper data, `ByteSource.skipData`) that
   * may still be produced: they are skipped unstored and charged here, not to `left` or the ratio cap, so a genuine
   * multi-GB compressed joblib is read through while a bomb of undeclared bytes still stops at `left`. Undefined:
   * declared data counts like any other byte.
   */
  dataLeft?: number;
}

/** Recent output kept for reads a little behind the stream (the pickle reader's tail scan after STOP). */
const HISTORY = 8 << 20;
const OUT_CHUNK = 1 << 20;

/**
 * A decompressed stream seen as a forward-only FileSource, so the pickle VM's windowed reader (`ByteSource`)
 * reads it exactly as it reads a plain file: memory stays at the window plus a short history, never the stream.
 * Bytes skipped ahead (a zero run, a long payload) are produced and counted but never stored. The real end shows as
 * a short read (`ended`), the cap as `limitHit`. Python's `gzip.GzipFile`, `zlib` and
 * joblib's `numpy_pickle_utils` decompressors hand `pickle.load` the same bytes in the same order.
 */
export class InflateSource implements FileSource {
  /**
   * Unknown until the stream ends: the reader must not mistake the cap for the end (a length past it would read as
   * truncated data, a warning, instead of a limit hit), so the cap is enforced here, as `limitHit`.
   */
  readonly size = Number.MAX_SAFE_INTEGER;
  private readonly cap: number;
  /** Tells ByteSource that a short read is the end of the stream, not a file that shrank. */
  readonly openEnded = true;
  /** True once the cap stopped the stream with more output left: the rest was not checked. */
  limitHit = false;
  /** Which allowance stopped it: the cap on bytes that could hide code, or the one on declared array data. */
  limitKind: 'stream' | 'data' | undefined;
  /** Output bytes charged to the cap (all but declared array data). */
  counted = 0;
  /** Declared array data bytes produced. */
  dataProduced = 0;
  /** Ranges of the output declared raw array data, in order, not yet wholly produced. */
  private readonly declared: { from: number; to: number }[] = [];
  /** True once the decompressor reached the end of its data. */
  ended = false;
  /** Output bytes produced so far (read, skipped or kept). */
  produced = 0;
  private readonly out: AsyncIterator<Buffer>;
  private readonly stop: () => void;
  private readonly dataCost: number;
  /** Recent output chunks with their absolute start, oldest first, at most HISTORY bytes (plus one chunk). */
  private readonly recent: { at: number; data: Buffer }[] = [];
  private recentBytes = 0;

  constructor(
    readonly path: string,
    kind: StreamedCompression,
    input: FileSource,
    private readonly budget: DecompressBudget,
    cap: number,
  ) {
    this.cap = Math.min(cap, budget.left);
    this.dataCost = DATA_COST[kind];
    if (kind === 'gzip' || kind === 'zlib' || kind === 'zf' || kind === 'deflate') {
      const decoder =
        kind === 'gzip'
          ? createGunzip({ chunkSize: OUT_CHUNK })
          : kind === 'deflate'
            ? createInflateRaw({ chunkSize: OUT_CHUNK })
            : createInflate({ chunkSize: OUT_CHUNK });
      const chunks =
        kind === 'zf' ? zfBody(input.chunks(ZF_HEADER, input.size, 1 << 20)) : input.chunks(0, input.size, 1 << 20);
      // pipeline() carries a read error or corrupt data to the decoder, so iterating it rejects instead of hanging.
      const stream = pipeline(Readable.from(chunks), decoder, () => {});
      this.out = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      this.stop = () => stream.destroy();
    } else {
      const chunks = input.chunks(0, input.size, 1 << 20);
      const gen = kind === 'bzip2' ? bzip2Chunks(input) : kind === 'lz4' ? unlz4Chunks(chunks) : unlzmaChunks(chunks);
      this.out = gen;
      // Ending the generator runs its finally (the WASM decoder is freed).
      this.stop = () => void gen.return(undefined).catch(() => undefined);
    }
  }

  /** The next output chunk within the cap; undefined at the end or at the cap. */
  private async pull(): Promise<Buffer | undefined> {
    if (this.ended || this.limitHit) return undefined;
    const next = await this.out.next();
    if (next.done === true) {
      this.ended = true;
      return undefined;
    }
    const at = this.produced;
    const chunk = next.value.subarray(0, this.charge(at, next.value.length));
    this.produced += chunk.length;
    this.recent.push({ at, data: chunk });
    this.recentBytes += chunk.length;
    while (this.recent.length > 1 && this.recentBytes - this.recent[0]!.data.length >= HISTORY)
      this.recentBytes -= this.recent.shift()!.data.length;
    return chunk;
  }

  /** The reader will skip `[from, to)` as raw array data (`ByteSource.skipData`). */
  declareData(from: number, to: number): void {
    if (this.budget.dataLeft === undefined || to <= Math.max(from, this.produced)) return;
    this.declared.push({ from: Math.max(from, this.produced), to });
  }

  /**
   * Charge the output `[at, at + len)` to the cap or the data allowance, segment by segment; returns how much of it
   * fits. Anything short of `len` is a limit hit, and the stream stops there.
   */
  private charge(at: number, len: number): number {
    let p = at;
    const end = at + len;
    while (p < end) {
      while (this.declared.length > 0 && this.declared[0]!.to <= p) this.declared.shift();
      const d = this.declared[0];
      const inData = d !== undefined && d.from <= p;
      const segEnd = inData ? Math.min(end, d.to) : Math.min(end, d?.from ?? end);
      const want = segEnd - p;
      const room = inData ? Math.floor((this.budget.dataLeft ?? 0) / this.dataCost) : this.cap - this.counted;
      const got = Math.min(want, Math.max(0, room));
      if (inData) {
        this.budget.dataLeft = (this.budget.dataLeft ?? 0) - got * this.dataCost;
        this.dataProduced += got;
      } else {
        this.budget.left -= got;
        this.counted += got;
      }
      p += got;
      if (got < want) {
        this.limitHit = true;
        this.limitKind = inData ? 'data' : 'stream';
        break;
      }
    }
    return p - at;
  }

  /** Like readInto; a range already behind the history reads as empty (a stream cannot go back). */
  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < (this.recent[0]?.at ?? this.produced)) return Buffer.alloc(0);
    const target = Buffer.alloc(length);
    const got = await this.readInto(target, 0, offset, length);
    return target.subarray(0, got);
  }

  /** Bytes at `offset`: from the history if recent enough, else by decompressing forward (skipped bytes dropped). */
  async readInto(target: Buffer, at: number, offset: number, length: number): Promise<number> {
    const oldest = this.recent[0]?.at ?? this.produced;
    if (offset < oldest) throw new RangeError(`${this.path}: a decompressed stream cannot be read backwards`);
    let copied = 0;
    for (;;) {
      for (const c of this.recent) {
        const pos = offset + copied;
        if (copied >= length || pos >= c.at + c.data.length || pos < c.at) continue;
        copied += c.data.copy(target, at + copied, pos - c.at, Math.min(c.data.length, pos - c.at + length - copied));
      }
      if (copied >= length) return copied;
      if ((await this.pull()) === undefined) return copied;
    }
  }

  async *chunks(start = 0, end = Infinity, chunkSize = 1 << 20): AsyncIterable<Buffer> {
    for (let pos = start; pos < end;) {
      const b = await this.read(pos, Math.min(chunkSize, end - pos));
      if (b.length === 0) return;
      yield b;
      pos += b.length;
    }
  }

  close(): Promise<void> {
    this.stop();
    return Promise.resolve();
  }
}

/** A bzip2 file (or stream) read whole — the compressed bytes only, within MAX_BZIP2_INPUT — and decoded by block. */
async function* bzip2Chunks(input: FileSource): AsyncGenerator<Buffer> {
  const data = await input.read(0, Math.min(input.size, MAX_BZIP2_INPUT + 1));
  if (data.length > MAX_BZIP2_INPUT)
    throw new ContainerLimitError(`bzip2 input past ${MAX_BZIP2_INPUT} bytes is not decoded`);
  yield* bunzip2Blocks(data);
}

/** A ZF file's zlib data: `read_zfile` skips one space after the 19-byte length field (`zfDataStart`). */
async function* zfBody(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let first = true;
  for await (const c of chunks) {
    if (first && c.length > 0) {
      first = false;
      yield c[0] === 0x20 ? c.subarray(1) : c;
    } else yield c;
  }
}
