import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gunzipSync, inflateSync } from 'node:zlib';
import seekBzip from 'seek-bzip';
import lzmaPure from 'lzma-purejs';
import { ContainerLimitError, UnsupportedContentError } from './errors.js';

export type Compression = 'gzip' | 'zlib' | 'bzip2' | 'xz' | 'lzma';

/** Which single-stream compression a buffer starts with, if any. */
export function sniffCompression(head: Buffer): Compression | undefined {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  // zlib: CMF 0x78 with a valid FCHECK; joblib's default compressor writes it bare.
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]!) % 31 === 0) return 'zlib';
  // legacy .lzma (LZMA_Alone, joblib's 'lzma'): properties byte 0x5d (lc=3 lp=0 pb=2), a dictionary size of 2^n or
  // 2^n + 2^(n-1), and an uncompressed size that is unknown (all 0xff) or below 2^40. `5d 00` never starts a pickle.
  if (head.length >= 13 && head[0] === 0x5d && head[1] === 0x00 && lzmaAloneHeader(head)) return 'lzma';
  return undefined;
}

function lzmaAloneHeader(head: Buffer): boolean {
  const dict = head.readUInt32LE(1);
  if (dict < 4096) return false;
  const top = 2 ** Math.floor(Math.log2(dict));
  if (dict !== top && dict !== top + top / 2) return false;
  const lo = head.readUInt32LE(5);
  const hi = head.readUInt32LE(9);
  return (lo === 0xffffffff && hi === 0xffffffff) || hi < 0x100;
}

export interface DecompressLimits {
  readonly maxOutput: number;
  readonly maxRatio: number;
}

/** Decompress a whole stream with a hard output cap; past the cap (size or ratio) is a ContainerLimitError. */
export function decompress(kind: Compression, data: Buffer, lim: DecompressLimits): Buffer {
  const cap = Math.min(lim.maxOutput, Math.max(1 << 20, data.length * lim.maxRatio));
  const limit = (): ContainerLimitError =>
    new ContainerLimitError(`${kind} stream decompresses past ${cap} bytes (limit on size and ratio)`);
  try {
    switch (kind) {
      case 'gzip':
        return gunzipSync(data, { maxOutputLength: cap });
      case 'zlib':
        return inflateSync(data, { maxOutputLength: cap });
      case 'bzip2': {
        const out = new CappedSink(cap, limit);
        seekBzip.decode(new StrictSource(data, kind), out, true);
        return out.result();
      }
      case 'lzma': {
        const out = new CappedSink(cap, limit);
        lzmaPure.decompressFile(new StrictSource(data, kind), out);
        return out.result();
      }
      case 'xz':
        return xzDecompress(data, cap, limit);
    }
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw limit();
    if (err instanceof ContainerLimitError || err instanceof UnsupportedContentError || err instanceof Error) throw err;
    // seek-bzip and lzma-purejs throw plain strings or objects on corrupt data.
    throw new Error(`corrupt ${kind} data: ${describe(err)}`);
  }
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return 'decoder error';
}

/** Byte source for the pure-JS decoders: reading past the end is a truncation error, never a run of junk bytes. */
class StrictSource {
  pos = 0;
  constructor(
    private readonly data: Buffer,
    private readonly kind: string,
  ) {}
  readByte(): number {
    if (this.pos >= this.data.length) throw new Error(`${this.kind} stream is truncated`);
    return this.data[this.pos++] as number;
  }
  read(buf: Uint8Array, off: number, len: number): number {
    const n = Math.min(len, this.data.length - this.pos);
    if (n <= 0) throw new Error(`${this.kind} stream is truncated`);
    buf.set(this.data.subarray(this.pos, this.pos + n), off);
    this.pos += n;
    return n;
  }
  eof(): boolean {
    return this.pos >= this.data.length;
  }
  seek(pos: number): void {
    this.pos = pos;
  }
}

/** Output that grows by doubling up to `cap` bytes and throws the limit error past it. */
class CappedSink {
  private buf = Buffer.alloc(1 << 16);
  pos = 0;
  constructor(
    private readonly cap: number,
    private readonly limit: () => Error,
  ) {}
  writeByte(b: number): void {
    if (this.pos >= this.buf.length) this.grow(this.pos + 1);
    this.buf[this.pos++] = b;
  }
  write(chunk: Uint8Array, off = 0, len = chunk.length): number {
    if (this.pos + len > this.buf.length) this.grow(this.pos + len);
    this.buf.set(chunk.subarray(off, off + len), this.pos);
    this.pos += len;
    return len;
  }
  private grow(need: number): void {
    if (need > this.cap) throw this.limit();
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

interface XzExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  create_context(): number;
  destroy_context(ptr: number): void;
  supply_input(ptr: number, len: number): void;
  get_next_output(ptr: number): number;
}

/** The slice of the WebAssembly global used here (@types/node leaves it out without the DOM lib). */
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const WASM = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let xzModule: object | undefined;

/**
 * The xz-embedded WebAssembly decoder shipped inside xz-decompress, driven synchronously. The package only
 * exposes an async web stream, so its embedded module is compiled here and fed chunk by chunk, which bounds
 * output at `cap`; xz-embedded itself bounds the dictionary it allocates.
 */
function loadXz(): object {
  if (xzModule) return xzModule;
  let b64: string | undefined;
  try {
    const file = createRequire(import.meta.url).resolve('xz-decompress');
    b64 = /data:application\/wasm;base64,([A-Za-z0-9+/=]+)/.exec(readFileSync(file, 'latin1'))?.[1];
  } catch {
    b64 = undefined;
  }
  if (b64 === undefined) throw new UnsupportedContentError('the xz decoder (xz-decompress) is not available');
  const mod = new WASM.Module(Buffer.from(b64, 'base64'));
  xzModule = mod;
  return mod;
}

function xzDecompress(data: Buffer, cap: number, limit: () => Error): Buffer {
  const x = new WASM.Instance(loadXz(), {}).exports as XzExports;
  const ptr = x.create_context();
  const m32 = (): Uint32Array => new Uint32Array(x.memory.buffer, ptr);
  const bufSize = m32()[0]!;
  const inStart = m32()[1]!;
  const outStart = m32()[4]!;
  const out = new CappedSink(cap, limit);
  let pos = 0;
  let idle = 0;
  try {
    for (;;) {
      let h = m32();
      if (h[2] === h[3]) {
        // inPos === inSize: feed the next chunk (an empty chunk once the input is used up).
        const n = Math.min(bufSize, data.length - pos);
        new Uint8Array(x.memory.buffer).set(data.subarray(pos, pos + n), inStart);
        pos += n;
        x.supply_input(ptr, n);
      }
      const rc = x.get_next_output(ptr);
      if (rc !== 0 && rc !== 1) throw new Error(`corrupt or truncated xz data (xz-embedded error ${rc})`);
      h = m32();
      const produced = h[5]!;
      out.write(new Uint8Array(x.memory.buffer, outStart, produced));
      h[5] = 0;
      if (rc === 1) return out.result();
      idle = produced === 0 && pos >= data.length && h[2] === h[3] ? idle + 1 : 0;
      if (idle > 2) throw new Error('xz stream is truncated');
    }
  } finally {
    x.destroy_context(ptr);
  }
}
