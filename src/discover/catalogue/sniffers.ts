import { inflatesToPickle, sniffCompression } from '../formats/compressed-head.js';
import { looksLikeOnnx } from '../formats/onnx-head.js';
import { sniffPickleStream } from '../formats/pickle-head.js';
import { looksLikeTar } from '../formats/tar-head.js';

/** What a content sniffer sees: the first bytes, the file size, and what the name alone claims. */
export interface SniffInput {
  readonly head: Buffer;
  readonly size: number;
  readonly claimed: string | undefined;
  /** Where the headerless-pickle test notes a head it could not decide (detect.ts `SniffProbe`). */
  readonly probe?: { pickleUndecided: boolean } | undefined;
}

/**
 * One content test of a catalogue entry. Detection runs every test of every entry by ascending `order`; the first
 * that passes names the format. Orders follow the loaders' own precedence (e.g. the torch legacy magic is itself a
 * pickle, so it is tested before the generic pickle header).
 */
export interface Sniff {
  readonly order: number;
  readonly test: (input: SniffInput) => boolean;
}

const latin = (h: Buffer, a: number, b: number) => h.subarray(a, b).toString('latin1');
const startsWith = (h: Buffer, magic: readonly number[]) =>
  h.length >= magic.length && magic.every((b, i) => h[i] === b);

export const isGguf = ({ head }: SniffInput) => latin(head, 0, 4) === 'GGUF';
export const isNpy = ({ head }: SniffInput) => latin(head, 0, 6) === '\x93NUMPY';

const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] as const;
/** HDF5 may sit after a user block of 512, 1024, 2048… bytes (h5py's `userblock_size`). */
export const isHdf5 = ({ head }: SniffInput) =>
  [0, 512, 1024, 2048].some((off) => head.length >= off + 8 && startsWith(head.subarray(off), HDF5_SIGNATURE));

export const isTflite = ({ head }: SniffInput) => head.length >= 8 && latin(head, 4, 8) === 'TFL3';
/** torch/csrc/jit/mobile/file_format.h `getFileFormat`: the mobile flatbuffer's identifier `PTMF` at byte 4. */
export const isTorchMobileFlatbuffer = ({ head }: SniffInput) => head.length >= 8 && latin(head, 4, 8) === 'PTMF';
export const isZip = ({ head }: SniffInput) =>
  startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]);
/**
 * Cosmopolitan's Actually Portable Executable (what llamafile builds on): a file that is at once a DOS/PE, ELF and
 * Mach-O program and a shell script, whose first bytes are `MZqFpD='` (`jartsr='` in builds made without the PE
 * header). ape/ape.S writes them; a model file never starts so.
 */
export const isApe = ({ head }: SniffInput) => ["MZqFpD='", "jartsr='"].includes(latin(head, 0, 8));
export const isLfsPointer = ({ head }: SniffInput) => latin(head, 0, 40) === 'version https://git-lfs.github.com/spec/';

/** torch's legacy MAGIC_NUMBER (torch/serialization.py). */
const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/**
 * torch.save's legacy format: a file whose first pickle is the magic number. `_legacy_save` pickles it with the
 * caller's `pickle_protocol` (`L…L\n` text for 0–1, PROTO 2–3 then LONG1, PROTO 4–5 then a FRAME then LONG1), and
 * `_legacy_load` compares the VALUE `pickle.load` returns, then runs the next pickle: any int opcode spelling that
 * number is the legacy format, whatever the file is called.
 */
export const isTorchLegacyPickle = ({ head }: SniffInput) => firstPickleInt(head) === TORCH_LEGACY_MAGIC;

/** Opcodes `pickle.load` runs between the others without changing the value the pickle returns. */
const PROTO = 0x80;
const FRAME = 0x95;
const PUT = 0x70;
const BINPUT = 0x71;
const LONG_BINPUT = 0x72;
const MEMOIZE = 0x94;
const STOP = 0x2e;

/**
 * The int the first pickle returns when it is one int opcode, with PROTO and FRAME anywhere and the memo opcodes
 * after the int (what `_pickle.c` `load` runs: `load_proto` accepts a PROTO at any point and any number of times,
 * `load_frame` only opens a frame, PUT/BINPUT/LONG_BINPUT/MEMOIZE store the top of the stack in the memo and need
 * one there). Undefined for anything else.
 */
function firstPickleInt(head: Buffer): bigint | undefined {
  let value: bigint | undefined;
  for (let at = 0, ops = 0; at < head.length && ops < 64; ops++) {
    const op = head[at]!;
    if (op === STOP) return value;
    if (op === PROTO) {
      if (at + 1 >= head.length || head[at + 1]! > 5) return undefined;
      at += 2;
    } else if (op === FRAME) at += 9;
    else if (value !== undefined && (op === BINPUT || op === LONG_BINPUT || op === MEMOIZE))
      at += op === BINPUT ? 2 : op === LONG_BINPUT ? 5 : 1;
    else if (value !== undefined && op === PUT) {
      // load_put: the memo key is a decimal line (a negative one raises).
      const nl = head.indexOf(0x0a, at + 1);
      if (nl < 0 || nl - at > 80 || !/^\d+$/.test(head.toString('latin1', at + 1, nl))) return undefined;
      at = nl + 1;
    } else if (value === undefined) {
      const read = intOpcode(head, at);
      if (read === undefined) return undefined;
      ({ value, end: at } = read);
    } else return undefined;
  }
  return undefined;
}

/** The value of the int opcode at `at` and where it ends, if it is one `firstPickleInt` reads. */
function intOpcode(head: Buffer, at: number): { value: bigint; end: number } | undefined {
  const op = head[at];
  if (op === 0x8a || op === 0x8b) {
    // LONG1 / LONG4: little-endian two's complement (pickle.decode_long).
    const lenAt = at + 1;
    if (lenAt + (op === 0x8a ? 1 : 4) > head.length) return undefined;
    const n = op === 0x8a ? head[lenAt]! : head.readInt32LE(lenAt);
    const start = lenAt + (op === 0x8a ? 1 : 4);
    const end = start + n;
    if (n < 0 || n > 64 || end > head.length) return undefined;
    return { value: decodeLong(head.subarray(start, end)), end };
  }
  if (op === 0x49 || op === 0x4c) {
    // INT / LONG text: `_pickle.c` load_int/load_long read it with base 0 (strtol, PyLong_FromString).
    const nl = head.indexOf(0x0a, at + 1);
    if (nl < 0 || nl - at > 80) return undefined;
    const value = intText(head.toString('latin1', at + 1, nl), op === 0x4c);
    return value === undefined ? undefined : { value, end: nl + 1 };
  }
  return undefined;
}

function decodeLong(bytes: Buffer): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]!);
  return bytes.length > 0 && bytes[bytes.length - 1]! & 0x80 ? v - (1n << BigInt(8 * bytes.length)) : v;
}

/**
 * Python's int(text, 0) (`PyLong_FromString` with base 0), what `_pickle.c` load_long runs, and load_int for a value
 * past a C long (its `strtol` overflows first): ASCII whitespace around, a sign, then `0x`/`0o`/`0b` digits, zeros,
 * or decimal digits with no leading zero; one `_` only between digits or after the base prefix.
 */
const PYTHON_INT =
  /^[ \t\n\v\f\r]*([+-]?)(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|0(?:_?0)*|[1-9](?:_?[0-9])*)[ \t\n\v\f\r]*$/;

/** The value of INT/LONG text; a LONG's `L` is dropped only just before the newline, as load_long does. */
function intText(text: string, long: boolean): bigint | undefined {
  const m = PYTHON_INT.exec(long && text.endsWith('L') ? text.slice(0, -1) : text);
  if (m === null) return undefined;
  const v = BigInt(m[2]!.replace(/_/g, ''));
  return m[1] === '-' ? -v : v;
}

/** pickle.load accepts a PROTO opcode for protocols 2–5 as the first byte pair. */
export const hasPickleProto = ({ head }: SniffInput) =>
  head[0] === 0x80 && head.length > 1 && head[1]! >= 2 && head[1]! <= 5;
/** joblib.dump writes `joblib.numpy_pickle` wrapper classes into its pickle. */
/**
 * A name joblib.dump's compressed output goes under: `.joblib`, and `.pkl`/`.pickle`, which sklearn's docs and most
 * projects pass to `joblib.dump(model, 'model.pkl', compress=…)`. joblib.load picks the codec by the magic alone
 * (`numpy_pickle_utils._detect_compressor`), so a bz2, xz, LZMA_Alone or LZ4 stream under such a name is joblib's.
 */
export const namesJoblibDump = ({ claimed }: SniffInput) => claimed === 'joblib' || claimed === 'pickle';
export const namesJoblib = ({ head, claimed }: SniffInput) =>
  claimed === 'joblib' || latin(head, 0, head.length).includes('joblib.numpy_pickle');

/**
 * safetensors' shape: a u64 little-endian header length over 1, then a JSON object; the length, or undefined. The
 * object may follow JSON whitespace: `SafeTensors::read_metadata` leaves its `starts_with('{')` check commented out
 * and serde_json skips space, tab, LF and CR.
 */
function safetensorsLength(head: Buffer): bigint | undefined {
  let at = 8;
  while (at < head.length && (head[at] === 0x20 || head[at] === 0x09 || head[at] === 0x0a || head[at] === 0x0d)) at++;
  if (head.length < 10 || head[at] !== 0x7b /* { */) return undefined;
  const n = head.readBigUInt64LE(0);
  return n > 1n ? n : undefined;
}

/** safetensors: the shape, with the header inside the file. */
export const isSafetensors = ({ head, size }: SniffInput) => {
  const n = safetensorsLength(head);
  return n !== undefined && n + 8n <= BigInt(size);
};

/**
 * A safetensors file whose header length runs past its end, when its name says safetensors: cut short (an interrupted
 * download) or damaged, not disguised; the inspector says what is wrong. Tried after every pickle test (a pickle
 * named `.safetensors` with `{` at byte 8 is a pickle: torch.load would unpickle it).
 */
export const isDamagedSafetensors = ({ head, claimed }: SniffInput) =>
  claimed === 'safetensors' && safetensorsLength(head) !== undefined;

export const isTar = ({ head }: SniffInput) => looksLikeTar(head);

/** A Sigstore bundle's `mediaType` (bundle v0.1, v0.2, v0.3: `application/vnd.dev.sigstore.bundle…+json`). */
const SIGSTORE_BUNDLE_MEDIA_TYPE = /^[ \t\n\r]*\{[^]*?"mediaType"\s*:\s*"application\/vnd\.dev\.sigstore\.bundle/;

/** JSON's insignificant whitespace (RFC 8259 `ws`): what may come before a bundle's opening brace. */
const isJsonSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Whether a file's first bytes look like a Sigstore bundle: a JSON object whose `mediaType` is a bundle's. Only a
 * hint that a file no name claims may be a model signature (model_signing writes its signature wherever `--signature`
 * says: `signature.sig`, `<model>.sig`): a Python file may open with the same dict literal and run anything after
 * it, so discovery keeps such a file's format (`DiscoveredFile.sigstoreHead`) and only the signatures stage, which
 * parses the whole file, decides it is one. Most files fail on their first byte, before any decoding.
 */
export function hasSigstoreBundleHead(head: Buffer): boolean {
  let i = 0;
  while (i < head.length && isJsonSpace(head[i]!)) i++;
  return head[i] === 0x7b && SIGSTORE_BUNDLE_MEDIA_TYPE.test(latin(head, i, head.length));
}

/** Members of the pre-1.0 torch.save tar format. */
const TORCH_TAR_MEMBERS = new Set(['sys_info', 'pickle', 'storages', 'tensors']);
export const isTorchLegacyTar = (input: SniffInput) =>
  isTar(input) && TORCH_TAR_MEMBERS.has(latin(input.head, 0, 100).replace(/\0.*$/s, '').replace(/^\.\//, ''));

export const isGzip = ({ head }: SniffInput) => head[0] === 0x1f && head[1] === 0x8b;
export const inflatesToAPickle = ({ head }: SniffInput) => inflatesToPickle(head);
/** An LZ4 frame (joblib's 'lz4' compressor: `joblib.load` reads it whatever the name, with python-lz4 installed). */
export const isLz4 = ({ head }: SniffInput) => sniffCompression(head) === 'lz4';
export const isBzip2 = ({ head }: SniffInput) => latin(head, 0, 3) === 'BZh';
/** xz, and LZMA_Alone (joblib's 'lzma' compressor, which joblib.load reads whatever the name): the xz family. */
export const isXz = ({ head }: SniffInput) =>
  startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]) || sniffCompression(head) === 'lzma';
export const isOnnx = ({ head, size }: SniffInput) => looksLikeOnnx(head, size);
export const isHeaderlessPickle = ({ head, size, probe }: SniffInput) => {
  const verdict = sniffPickleStream(head, head.length >= size, size);
  if (verdict === 'more' && probe) probe.pickleUndecided = true;
  return verdict === 'pickle';
};
