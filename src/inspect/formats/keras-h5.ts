import type { ModelAnalyser } from '../analyser.js';
import type { JsonValue } from './json.js';
import { isObject } from './json.js';
import { configOf } from './config-json.js';
import { checkLegacyConfig } from './keras-custom-objects.js';
import { analyseWith, Findings, runParser } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { bufferSource, driveSync, FormatError, need, readAt } from './source.js';
import { registerMemberFormat } from '../content/member-formats.js';
import { findHdf5Superblock, HDF5_SIGNATURE, hdf5SignatureOffsets } from '../../discover/formats/hdf5-head.js';
import { findHdf5External } from './hdf5-external.js';

/**
 * Legacy Keras `.h5` models keep their architecture as JSON in the root group's `model_config` attribute (and the
 * training setup in `training_config`). HDF5 stores an attribute's string value contiguously — inline in the object
 * header (fixed-length) or as one global-heap object (variable-length) — and never compresses attributes, so the
 * JSON text is always present as one run of bytes.
 *
 * HEURISTIC, documented as such: rather than walking HDF5 structures, this scans the whole file (in chunks, with
 * bounded memory) for JSON objects — every `{` followed by a `"` starts a candidate, text is balanced with string
 * awareness and parsed strictly — and checks each one that holds a Keras `class_name`. This finds the config wherever
 * the HDF5 layout puts it (escaped keys included, since candidates do not depend on key spelling). It cannot see a
 * config stored in a way HDF5 does not produce for attributes (e.g. split across heap objects); a file that names
 * `model_config` but yields no readable config is reported, never passed as clean.
 */
export const MAX_H5_CONFIG = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const MARKER = Buffer.from('model_config');
/** Chunks overlap by this much, so a link message across a chunk boundary is still seen whole. */
const OVERLAP = 4096;
/** External references reported per file. */
const MAX_EXTERNAL = 20;

export function* kerasH5Steps(src: RandomAccess, out: Findings): ParseSteps<void> {
  yield* checkSuperblock(src);
  let sawMarker = false;
  let configs = 0;
  let tooDeep = 0;
  let externals = 0;
  let budget = 4 * src.size + MAX_H5_CONFIG; // bytes spent on candidates: linear in the file whatever it holds
  let pos = 0;
  while (pos < src.size) {
    const chunk = yield* readAt(src, pos, Math.min(CHUNK + OVERLAP, src.size - pos));
    if (!sawMarker && chunk.includes(MARKER)) sawMarker = true;
    for (const e of findHdf5External(chunk, CHUNK)) {
      if (externals++ >= MAX_EXTERNAL) break;
      out.add(
        'CPI114',
        e.kind === 'external-link'
          ? `an HDF5 external link at byte ${pos + e.at} points to ${JSON.stringify(e.target)}; h5py follows it when Keras reads the weights, so loading reads another file on the host. Do not load it; re-save the weights without links.`
          : `a dataset at byte ${pos + e.at} keeps its data in external files; loading the weights reads files outside the model. Do not load it; re-save the weights inside the file.`,
        { offset: pos + e.at, kind: e.kind, ...(e.target !== undefined ? { target: e.target } : {}) },
      );
    }
    let next = pos + Math.min(CHUNK, chunk.length);
    for (let i = chunk.indexOf(0x7b); i >= 0 && i < CHUNK; i = chunk.indexOf(0x7b, i + 1)) {
      const start = pos + i;
      if (!(yield* startsObject(src, start))) continue;
      const { end, scanned } = yield* balancedEnd(src, start);
      budget -= scanned;
      if (budget < 0) throw new FormatError('too many JSON-like candidates in the file', start, 'limit');
      if (end === 'limit') {
        out.add(
          'CPI051',
          `JSON text at byte ${start} runs past the ${MAX_H5_CONFIG}-byte limit for a model config; it was not checked.`,
          { offset: start, limit: MAX_H5_CONFIG },
        );
        out.incomplete = true;
        continue;
      }
      if (end < 0) continue;
      const text = (yield* readAt(src, start, end - start)).toString('utf8');
      // As a config file is read (config-json.ts): not JSON is undefined, deeper values skipped and reported below.
      const parsed = configOf(text);
      if (parsed?.deep !== undefined) {
        // json.loads reads nesting up to Python's recursion limit (about 1000 levels on 3.11, more on later
        // versions), so a layer that wraps its bytecode in deep lists still loads: unread is reported, never passed,
        // and a config around it is still checked.
        const deepAt = start + Buffer.byteLength(text.slice(0, parsed.deep.offset));
        out.add(
          'CPI051',
          `JSON text at byte ${start} nests deeper than ${MAX_H5_JSON_DEPTH} levels; json.loads reads it, but the part past that depth (from byte ${deepAt}) was not checked for a model config. Do not load it until you know why it nests this deep.`,
          { offset: start, limit: MAX_H5_JSON_DEPTH, deepAt },
          undefined,
          'error',
        );
        out.incomplete = true;
        tooDeep++;
        if (hasClassName(parsed.value, 0)) checkLegacyConfig(parsed.value, out, `JSON at byte ${start}`);
        next = end;
        break;
      }
      if (parsed === undefined || !hasClassName(parsed.value, 0)) continue;
      configs++;
      checkLegacyConfig(parsed.value, out, `JSON at byte ${start}`);
      next = end; // skip everything inside this object
      break;
    }
    pos = next;
  }
  // A config too deep to read is already reported as unread; the marker alone says no more.
  if (sawMarker && configs === 0 && tooDeep === 0) {
    out.add(
      'CPI050',
      'the file has a model_config attribute but no readable Keras config JSON was found; it was not checked and is not known to be safe. Re-save the model in the .keras format.',
      { check: 'model_config' },
    );
    out.incomplete = true;
  }
}

/** `kerasH5Steps` over bytes in memory. */
export function parseKerasH5(src: RandomAccess, out: Findings): void {
  driveSync(kerasH5Steps(src, out));
}

/** H5FD_locate_signature's search over the offsets discovery probes (hdf5-head.ts), each loaded before it is read. */
function* locateSignature(src: RandomAccess): ParseSteps<number | undefined> {
  for (const o of hdf5SignatureOffsets(src.size))
    if (o + 8 <= src.size && (yield* readAt(src, o, 8)).equals(HDF5_SIGNATURE)) return o;
  return undefined;
}

/** The superblock's signature and end-of-file address: the HDF5 library refuses a file shorter than it says. */
function* checkSuperblock(src: RandomAccess): ParseSteps<void> {
  const base = yield* locateSignature(src);
  if (base === undefined) throw new FormatError('no HDF5 signature', 0);
  // The superblock's fixed part up to its end-of-file address: at most 28 + 3 * 8 bytes past the signature.
  yield* need(src, base, 8 + 28 + 3 * 8);
  const version = src.read(base + 8, 1)[0]!;
  // v0/v1: offset/length sizes at 13/14, then base, free-space, EOF addresses after 24 (v0) or 28 (v1) bytes.
  // v2/v3: sizes at 9/10, then base, extension and EOF addresses from byte 12.
  const sizeAt = version <= 1 ? base + 13 : base + 9;
  if (version > 3) throw new FormatError(`unknown HDF5 superblock version ${version}`, base + 8);
  const offsetSize = src.read(sizeAt, 1)[0]!;
  if (![2, 4, 8].includes(offsetSize)) throw new FormatError(`bad HDF5 offset size ${offsetSize}`, sizeAt);
  const baseAddressAt = version === 0 ? base + 24 : version === 1 ? base + 28 : base + 12;
  const eofAt = baseAddressAt + 2 * offsetSize;
  const address = (at: number): bigint => {
    const raw = src.read(at, offsetSize);
    return offsetSize === 8 ? raw.readBigUInt64LE(0) : BigInt(raw.readUIntLE(0, offsetSize));
  };
  const eof = address(eofAt);
  const undefinedAddress = eof === (1n << BigInt(8 * offsetSize)) - 1n;
  // H5Fsuper.c `H5F__super_read`: the stored end-of-file address is absolute ("Account for the stored EOA being
  // absolute offset"), so a file written with a user block states its whole size. When the superblock sits elsewhere
  // than its stored base address (bytes put before the file), the library moves the end by the same amount
  // (`udata.stored_eof -= (sblock->base_addr - super_addr)`), then refuses a file shorter than that end.
  const end = eof - address(baseAddressAt) + BigInt(base);
  if (!undefinedAddress && end > BigInt(src.size))
    throw new FormatError(`the superblock says the file is ${end} bytes but it has ${src.size}`, eofAt);
}

/** `{`, optional whitespace, then `"` (an object with a key) — or `}` for an empty object, which cannot matter. */
function* startsObject(src: RandomAccess, at: number): ParseSteps<boolean> {
  const look = yield* readAt(src, at, Math.min(64, src.size - at));
  for (let i = 1; i < look.length; i++) {
    const b = look[i]!;
    if (b === 0x22) return true;
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return false;
  }
  return false;
}

/** End offset of the balanced object starting at `at`, -1 when a byte JSON cannot hold comes first. */
function* balancedEnd(src: RandomAccess, at: number): ParseSteps<{ end: number | 'limit'; scanned: number }> {
  let depth = 0;
  let inString = false;
  let escaped = false;
  let step = 256; // most candidates in binary data die within a few bytes: read little first
  for (let pos = at; pos < src.size;) {
    const buf = yield* readAt(src, pos, Math.min(step, src.size - pos));
    step = Math.min(step * 4, 64 * 1024);
    for (let i = 0; i < buf.length; i++) {
      const b = buf[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) inString = false;
        else if (b < 0x20) return { end: -1, scanned: pos + i - at };
      } else if (b === 0x22) inString = true;
      else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        depth--;
        if (depth === 0) return { end: pos + i + 1, scanned: pos + i + 1 - at };
      } else if (b < 0x20 ? b !== 0x09 && b !== 0x0a && b !== 0x0d : b > 0x7e)
        return { end: -1, scanned: pos + i - at };
    }
    pos += buf.length;
    if (pos - at > MAX_H5_CONFIG) return { end: 'limit', scanned: pos - at };
  }
  return { end: -1, scanned: src.size - at };
}

/** Nesting read per candidate; deeper values are skipped and reported as unread (`deep`), not taken for non-JSON. */
const MAX_H5_JSON_DEPTH = 512; // configOf's depth, named in the message

function hasClassName(v: JsonValue, depth: number): boolean {
  if (depth > 4) return false;
  if (Array.isArray(v)) return v.some((x) => hasClassName(x, depth + 1));
  if (!isObject(v)) return false;
  if (typeof v.class_name === 'string') return true;
  return Object.values(v).some((x) => hasClassName(x, depth + 1));
}

/**
 * A file named `.h5`/`.hdf5` that content detection took for another format: Keras hands the path to h5py, which
 * finds the superblock after a user block whatever that block holds (a GGUF or zip head). Read as HDF5 when a
 * signature is there; otherwise the detected format's analyser speaks.
 */
function* namedH5Steps(src: RandomAccess, out: Findings): ParseSteps<void> {
  if ((yield* locateSignature(src)) !== undefined) yield* kerasH5Steps(src, out);
}

export const kerasH5Analyser: ModelAnalyser = {
  name: 'keras-h5',
  formats: ['keras-h5'],
  analyze: (file, ctx) =>
    analyseWith(file, 'the HDF5 file', file.format === 'keras-h5' ? kerasH5Steps : namedH5Steps, ctx.files),
};

/** The user-block offsets discovery sniffs an HDF5 file at whatever its name (catalogue/sniffers.ts `isHdf5`). */
const SNIFFED_UP_TO = 2048;

/**
 * An HDF5 file inside an archive (a Keras `.h5` in a model bundle or a release `.tar.gz`): extracted and handed to
 * `keras.models.load_model` (h5py), it is read as the same file outside the archive is. Judged as HDF5 when a member
 * named `.h5`/`.hdf5` has a superblock at any offset the HDF5 library searches (`namedH5Steps`), or any member has
 * one where discovery sniffs a top-level file.
 */
registerMemberFormat({
  format: 'keras-h5',
  claimsName: (name) => /\.(h5|hdf5)$/i.test(name),
  judge(data, name, where) {
    const at = findHdf5Superblock(data.length, (o) => data.subarray(o, o + HDF5_SIGNATURE.length));
    if (at === undefined || (at > SNIFFED_UP_TO && !/\.(h5|hdf5)$/i.test(name))) return undefined;
    const out = new Findings(where.path, 'keras-h5', where.member);
    runParser(bufferSource(data), out, 'the HDF5 file', parseKerasH5);
    return { findings: out.list, decompressed: 0, readsAllOfIt: false };
  },
});
