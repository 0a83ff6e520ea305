import type { LZMAModule } from 'node-liblzma/wasm';
import { WasmLzmaStream, copyFromWasm, getModule, initModule } from 'node-liblzma/wasm';
import createLzma from 'node-liblzma/wasm/liblzma.js';
import { ContainerLimitError, StreamCutError, UnsupportedContentError } from './errors.js';
import { loadLzmaWasm } from './lzma-wasm.js';

/**
 * xz and LZMA_Alone (joblib `compress='xz'`/`'lzma'`, zip method 14) through liblzma compiled to WASM
 * (node-liblzma's WASM build: no native addon; its install script is denied in package.json). Loading the module is
 * async, so the analyser calls `loadLzmaDecoder` once up front; decoding is then synchronous like the other codecs.
 */

/**
 * Python's `lzma.LZMAFile` (which joblib reads through, `_detect_compressor` → `LZMACompressorWrapper`) reads
 * concatenated streams with `_compression.DecompressReader`: at each stream's end it starts a new FORMAT_AUTO
 * `LZMADecompressor` on the bytes left (`unused_data`), so .xz and LZMA_Alone streams may follow one another; bytes
 * that fail as a new stream (`trailing_error=LZMAError`) are ignored. liblzma's LZMA_CONCATENATED covers .xz only, so
 * each stream gets its own `lzma_auto_decoder`, as each gets its own decompressor in Python.
 */
const NO_FLAGS = 0;
const LZMA_RUN = 0;
const LZMA_FINISH = 3;
const LZMA_OK = 0;
const LZMA_STREAM_END = 1;
const LZMA_MEM_ERROR = 5;
const LZMA_MEMLIMIT_ERROR = 6;
/** Decoder memory bound: xz -9 needs ~65 MiB; an LZMA_Alone header may claim a 4 GiB dictionary. */
const MEMLIMIT = 128n * 1024n * 1024n;
const OUT_CHUNK = 1 << 16;
const IN_CHUNK = 1 << 20;
/** Output chunk of the streaming decoder: large enough that a long stream costs few chunks downstream. */
const STREAM_OUT_CHUNK = 1 << 20;

let loading: Promise<boolean> | undefined;
let ready = false;

/** Load the WASM decoder once; false when it cannot load (xz/lzma content is then reported as not checked). */
export function loadLzmaDecoder(): Promise<boolean> {
  // The glue's declaration file names a types module the package does not ship, so its result is typed here.
  const load = async (): Promise<LZMAModule> => (await createLzma({ wasmBinary: loadLzmaWasm() })) as LZMAModule;
  loading ??= initModule(load).then(
    () => (ready = true),
    () => false,
  );
  return loading;
}

/**
 * Decode .xz or LZMA_Alone streams (liblzma `lzma_auto_decoder`), stopping with `onLimit()` past `cap` output bytes.
 * `concatenated` (a file joblib opens with LZMAFile): stream after stream, as `DecompressReader.read` does; a later
 * stream that fails is where Python stops (ignored, or raising after the pickle read what came before), so the
 * output up to there is returned. Otherwise (a zip member, one stream to zipfile) bytes after the stream are refused.
 */
export function unlzmaCapped(data: Buffer, cap: number, onLimit: () => Error, concatenated = false): Buffer {
  if (!ready) throw new UnsupportedContentError('the xz/lzma decoder is not loaded');
  const module = getModule();
  const stream = new WasmLzmaStream(module);
  let inPtr = 0;
  let outPtr = 0;
  try {
    startDecoder(module, stream);
    // Input and output pass through fixed windows: the WASM heap holds the decoder state, never the whole file.
    inPtr = module._malloc(IN_CHUNK);
    outPtr = module._malloc(OUT_CHUNK);
    if (inPtr === 0 || outPtr === 0) throw new Error('out of decoder memory');
    let fed = 0;
    const chunks: Buffer[] = [];
    let total = 0;
    let ended = 0; // streams decoded to their end
    for (;;) {
      if (stream.availIn === 0 && fed < data.length) {
        const next = data.subarray(fed, fed + IN_CHUNK);
        module.HEAPU8.set(next, inPtr);
        stream.setInput(inPtr, next.length);
        fed += next.length;
      }
      stream.setOutput(outPtr, OUT_CHUNK);
      const last = fed === data.length && stream.availIn === 0;
      const ret = module._lzma_code(stream.ptr, last ? LZMA_FINISH : LZMA_RUN);
      const produced = OUT_CHUNK - stream.availOut;
      total += produced;
      if (total > cap) throw onLimit();
      if (produced > 0) chunks.push(Buffer.from(copyFromWasm(module, outPtr, produced)));
      const left = stream.availIn + (data.length - fed);
      if (ret === LZMA_STREAM_END) {
        ended++;
        if (left === 0) break;
        if (!concatenated) throw new Error(`${left} bytes follow the end of the xz/lzma stream`);
        // DecompressReader: a new decompressor on `unused_data` (the unread input stays in the window).
        module._lzma_end(stream.ptr);
        startDecoder(module, stream);
        continue;
      }
      if (ret === LZMA_MEMLIMIT_ERROR || ret === LZMA_MEM_ERROR)
        throw new ContainerLimitError(`the stream needs more than ${MEMLIMIT} bytes of decoder memory`);
      if (ret !== LZMA_OK) {
        if (ended > 0) break; // a later stream: trailing data to Python, or where LZMAFile raises mid-read
        throw new StreamCutError(`corrupt xz/lzma data (liblzma code ${ret})`, Buffer.concat(chunks, total));
      }
    }
    return Buffer.concat(chunks, total);
  } finally {
    if (inPtr !== 0) module._free(inPtr);
    if (outPtr !== 0) module._free(outPtr);
    module._lzma_end(stream.ptr);
    stream.free();
  }
}

function startDecoder(module: LZMAModule, stream: WasmLzmaStream): void {
  const init = module._lzma_auto_decoder(stream.ptr, MEMLIMIT, NO_FLAGS);
  if (init !== LZMA_OK) throw new Error(`liblzma refused to start (code ${init})`);
}

/**
 * A zip method-14 member (APPNOTE 5.8.8: version, properties size, LZMA properties, raw LZMA) as LZMA_Alone, the
 * way CPython's `zipfile.LZMADecompressor` feeds it to a raw LZMA1 decoder: the size is the directory's unless
 * the entry says an end marker terminates the stream (flag bit 1).
 */
export function zipLzmaToAlone(raw: Buffer, flags: number, size: number): Buffer {
  if (raw.length < 4) throw new Error('lzma member header is truncated');
  const propsSize = raw.readUInt16LE(2);
  if (propsSize !== 5 || raw.length < 4 + propsSize) throw new Error(`lzma member has ${propsSize} property bytes`);
  const header = Buffer.alloc(13, 0xff);
  raw.copy(header, 0, 4, 9);
  if (!(flags & 0x02)) header.writeBigUInt64LE(BigInt(size), 5);
  return Buffer.concat([header, raw.subarray(9)]);
}

/**
 * Decode .xz or LZMA_Alone streams as they are read: `input` in chunks, output yielded in chunks of at most
 * OUT_CHUNK bytes, so memory stays at the decoder state and one chunk whatever the stream inflates to (Python's
 * `lzma.LZMAFile`, which joblib reads through, is as incremental). Concatenated streams are read on as
 * unlzmaCapped reads them. Stopping early (`return()`) frees the decoder.
 */
export async function* unlzmaChunks(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (!ready) throw new UnsupportedContentError('the xz/lzma decoder is not loaded');
  const module = getModule();
  const stream = new WasmLzmaStream(module);
  let inPtr = 0;
  let outPtr = 0;
  try {
    startDecoder(module, stream);
    inPtr = module._malloc(IN_CHUNK);
    outPtr = module._malloc(STREAM_OUT_CHUNK);
    if (inPtr === 0 || outPtr === 0) throw new Error('out of decoder memory');
    const from = input[Symbol.asyncIterator]();
    let pending: Buffer | undefined;
    let inputDone = false;
    let ended = 0; // streams decoded to their end
    for (;;) {
      if (stream.availIn === 0 && !inputDone) {
        if (pending === undefined || pending.length === 0) {
          const next = await from.next();
          if (next.done === true) inputDone = true;
          else pending = next.value;
        }
        if (pending !== undefined && pending.length > 0) {
          const part = pending.subarray(0, IN_CHUNK);
          module.HEAPU8.set(part, inPtr);
          stream.setInput(inPtr, part.length);
          pending = pending.subarray(part.length);
        }
      }
      stream.setOutput(outPtr, STREAM_OUT_CHUNK);
      const last = inputDone && stream.availIn === 0;
      const ret = module._lzma_code(stream.ptr, last ? LZMA_FINISH : LZMA_RUN);
      const produced = STREAM_OUT_CHUNK - stream.availOut;
      if (produced > 0) yield Buffer.from(copyFromWasm(module, outPtr, produced));
      if (ret === LZMA_STREAM_END) {
        ended++;
        if (stream.availIn === 0 && (pending === undefined || pending.length === 0) && !inputDone) {
          const after = await from.next();
          if (after.done === true) inputDone = true;
          else pending = after.value;
        }
        if (stream.availIn === 0 && (pending === undefined || pending.length === 0)) return;
        // More bytes: LZMAFile's DecompressReader starts a new decompressor on them (see NO_FLAGS).
        module._lzma_end(stream.ptr);
        startDecoder(module, stream);
        continue;
      }
      if (ret === LZMA_MEMLIMIT_ERROR || ret === LZMA_MEM_ERROR)
        throw new ContainerLimitError(`the stream needs more than ${MEMLIMIT} bytes of decoder memory`);
      // A later stream that fails: trailing data to Python, or where LZMAFile raises after what was read.
      if (ret !== LZMA_OK && ended > 0) return;
      if (ret !== LZMA_OK) throw new Error(`corrupt xz/lzma data (liblzma code ${ret})`);
      // LZMA_OK with no input left, no output and no more input coming: a truncated stream.
      if (last && produced === 0) {
        if (ended > 0) return;
        throw new Error('xz/lzma stream is truncated');
      }
    }
  } finally {
    if (inPtr !== 0) module._free(inPtr);
    if (outPtr !== 0) module._free(outPtr);
    module._lzma_end(stream.ptr);
    stream.free();
  }
}
