import type { ModelAnalyser } from '../analyser.js';
import { isObject, parseJson } from './json.js';
import type { JsonValue, WideInteger } from './json.js';
import { codeNote } from '../../core/code-shape.js';
import { listedWithMore } from '../../core/plural.js';
import type { Findings } from './report.js';
import { analyseWith, FirstOfEach, registerReadMember } from './report.js';
import type { ParseSteps, RandomAccess } from './source.js';
import { Cursor, driveSync, FormatError } from './source.js';
import { memberIs } from '../content/member-formats.js';
import { trimEndRun } from '../../core/linear-text.js';

/** The reference loader's cap on the header (safetensors `MAX_HEADER_SIZE`). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/**
 * Bits per element of every dtype the safetensors library knows (its `Dtype` enum and `bitsize`; each checked with
 * safetensors 0.8 `safe_open`, which also takes the AMD FP8 variants `F8_E4M3FNUZ` and `F8_E5M2FNUZ`).
 */
const DTYPE_BITS: Readonly<Record<string, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/** The largest `usize` of the 64-bit machines the loader runs on: serde_json reads a larger integer as a float. */
const USIZE_MAX = (1n << 64n) - 1n;

interface Range {
  readonly name: string;
  readonly begin: bigint;
  readonly end: bigint;
}

/**
 * Validate a safetensors file the way the reference loader does: header length, JSON, dtypes, shapes × dtype size
 * = byte ranges, ranges inside the data section, sorted without overlap or gap, covering it exactly.
 */
export function* safetensorsSteps(src: RandomAccess, out: Findings): ParseSteps<void> {
  const c = new Cursor(src);
  if (src.size < 8) throw new FormatError(`file is ${src.size} bytes, too short for the 8-byte header length`, 0);
  yield* c.need(8);
  const n = c.u64();
  if (n > BigInt(MAX_SAFETENSORS_HEADER))
    throw new FormatError(`header length ${n} is past the ${MAX_SAFETENSORS_HEADER}-byte limit`, 0, 'limit');
  if (n > BigInt(c.left)) throw new FormatError(`header length ${n} is past the end of the file`, 0);
  yield* c.need(Number(n));
  const raw = c.bytes(Number(n));
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF: core::str::from_utf8 keeps it too, and serde_json refuses it.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    return void out.add('CPI052', 'the header is not valid UTF-8; the file cannot be loaded. Re-save it.', {
      check: 'utf8',
    });
  }
  // `SafeTensors::read_metadata` leaves its `starts_with('{')` check commented out ("Add when we move to 0.4.0"):
  // serde_json::from_str skips JSON whitespace (space, tab, LF, CR) before the object, so that header loads.
  const lead = /^[ \t\n\r]*/.exec(text)![0].length;
  if (text[lead] !== '{') throw new FormatError('header does not start with "{"', 8 + lead);
  // The writer pads the header with spaces to an 8-byte boundary.
  const body = trimEndRun(text.slice(lead), ' ');
  const depth = containerDepth(body);
  if (depth > SERDE_MAX_CONTAINERS)
    return void out.add(
      'CPI052',
      `the header nests ${depth} arrays and objects in one another; serde_json's recursion limit refuses the 128th, so the file cannot be loaded. Re-save it.`,
      { check: 'nesting', depth },
    );
  const { value, duplicateKeys, floats, wideIntegers } = parseJson(body, {
    baseOffset: 8 + lead,
    maxDepth: SERDE_MAX_CONTAINERS,
  });
  if (!isObject(value)) throw new FormatError('header is not a JSON object', 8);
  const dataLen = BigInt(src.size) - 8n - n;
  const ranges: Range[] = [];
  // `SafeTensors::deserialize` stops at the first bad entry (serde) or range (`validate`): a header of 300,000 bad
  // entries is one finding for each kind of problem, not 300,000.
  const entries = new FirstOfEach('CPI052');
  for (const keys of duplicateKeys) noteDuplicate(keys, entries);
  const floatFields = byIntegerField(floats);
  const wide = byTensor(wideIntegers);
  const sizes = new FirstOfEach('CPI053');
  for (const [name, entry] of Object.entries(value)) {
    if (name === '__metadata__') {
      checkMetadata(entry, out);
      continue;
    }
    checkIntegerSyntax(name, floatFields, entries);
    const r = checkTensor(name, entry, wide.get(name), entries, sizes);
    if (r) ranges.push(r);
  }
  entries.report(out);
  sizes.report(out);
  checkLayout(ranges, dataLen, out);
}

/**
 * serde_json's `Deserializer` starts with `remaining_depth: 128` and refuses the array or object that would use the
 * last of it: 127 containers inside one another load (an unknown field of a tensor entry may hold them), 128 do not.
 */
const SERDE_MAX_CONTAINERS = 127;

/** How many arrays and objects the deepest point of a JSON text sits inside (string literals skipped). */
function containerDepth(json: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      for (i++; i < json.length && json.charCodeAt(i) !== 0x22; i++) if (json.charCodeAt(i) === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/** The fields of `TensorInfo`, which serde's derived `Deserialize` refuses to see twice in one entry. */
const TENSOR_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

/**
 * A key the header holds twice, judged by where it sits as `Metadata::deserialize` (safetensors tensor.rs) reads it:
 * - at the top, serde's derived `HashMetadata` refuses a second `__metadata__` ("duplicate field"), so the file does
 *   not load; a tensor name twice goes into the flattened `HashMap<String, TensorInfo>`, where the later entry
 *   replaces the earlier without a word, as in json.loads and JSON.parse: every reader loads the last entry, and the
 *   first is text no writer puts there (the writer emits each name of a map once);
 * - inside a tensor entry, `TensorInfo`'s derived `Deserialize` refuses a second `dtype`, `shape` or `data_offsets`,
 *   but skips an unknown field's value as `IgnoredAny` (no `deny_unknown_fields`), duplicates and all;
 * - inside `__metadata__` (`HashMap<String, String>`) the last entry wins, and deeper keys are never read as fields.
 * Only the first two kinds make a reader disagree or refuse; the rest are not noted.
 */
function noteDuplicate(keys: readonly (string | number)[], entries: FirstOfEach): void {
  const [top, field] = keys;
  if (typeof top !== 'string') return;
  if (keys.length === 1 && top === '__metadata__')
    return entries.note('duplicate-field', 'the header holds __metadata__ twice; the loader rejects it', {
      check: 'duplicate-key',
      key: top,
    });
  if (keys.length === 1)
    return entries.note(
      'duplicate-name',
      `the header names tensor ${JSON.stringify(top)} twice; safetensors, json.loads and JSON.parse all keep the last entry and drop the first without a word, which no writer produces. Re-save it`,
      { check: 'duplicate-key', key: top },
    );
  if (keys.length === 2 && top !== '__metadata__' && typeof field === 'string' && TENSOR_FIELDS.has(field))
    entries.note(
      'duplicate-field',
      `the header gives tensor ${JSON.stringify(top)} its ${field} twice; the loader rejects it (serde: duplicate field)`,
      { check: 'duplicate-key', key: `${top}.${field}` },
    );
}

/** `safetensorsSteps` over bytes in memory. */
export function parseSafetensors(src: RandomAccess, out: Findings): void {
  driveSync(safetensorsSteps(src, out));
}

function checkMetadata(meta: JsonValue, out: Findings): void {
  // safetensors `HashMetadata.metadata` is an `Option<HashMap<String, String>>`: serde reads `null` as None.
  if (meta === null) return;
  if (!isObject(meta))
    return void out.add('CPI052', '__metadata__ is not an object of strings; the loader rejects it.', {
      check: 'metadata',
    });
  const coded: string[] = [];
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== 'string')
      out.add('CPI052', `__metadata__.${k} is a ${kindOf(v)}, not a string; the loader rejects it.`, {
        check: 'metadata',
        key: k,
      });
    else {
      const note = codeNote(k, v);
      if (note !== undefined) coded.push(note);
    }
  }
  // One finding for the file: the keys are one author's one choice. `code` names the cause across files (a
  // trainer writes the same metadata into every epoch's file: inspect/causes.ts).
  if (coded.length > 0) {
    const code = listedWithMore(coded, 3);
    out.add(
      'CPI133',
      `__metadata__ holds text shaped like code: ${code}. safetensors never runs metadata (safe_open().metadata() returns strings), but a tool that evals or renders it would. Find out why it is there.`,
      { check: 'metadata-code', keys: coded.length, code },
    );
  }
}

const INTEGER_FIELDS = ['data_offsets', 'shape'];

/**
 * The first float path under each `$.<tensor>.<field>[` (the field's items hold no `.`), so each tensor is looked up
 * once: searching every float path for every tensor took minutes on a header of 50,000 float offsets.
 */
function byIntegerField(floats: readonly string[]): Map<string, string> {
  const first = new Map<string, string>();
  for (const p of floats) {
    const dot = p.lastIndexOf('.');
    const field = INTEGER_FIELDS.find((f) => p.startsWith(`${f}[`, dot + 1));
    if (field === undefined) continue;
    const prefix = p.slice(0, dot + field.length + 2);
    if (!first.has(prefix)) first.set(prefix, p);
  }
  return first;
}

/**
 * `TensorInfo.shape: Vec<usize>` and `data_offsets: (usize, usize)` are read by serde_json, which parses `8.0`,
 * `8e0` and `-0` as f64 and then refuses them as a usize ("invalid type: floating point") — JavaScript sees the
 * integers 8 and 0, so the syntax is checked on the text.
 */
function checkIntegerSyntax(name: string, floats: ReadonlyMap<string, string>, problems: FirstOfEach): void {
  for (const field of INTEGER_FIELDS) {
    const at = floats.get(`$.${name}.${field}[`);
    if (at !== undefined)
      problems.note(
        'integer',
        `tensor ${JSON.stringify(name)}: ${at.slice(2 + name.length + 1)} is written as a float, not an integer; serde_json reads it as f64 and the loader rejects the file. Re-save the file`,
        { check: 'integer', tensor: name, field },
      );
  }
}

/** A tensor's integers past 2^53 (`shape[1]`, `data_offsets[0]`), exactly as the header wrote them. */
type WideFields = ReadonlyMap<string, bigint>;

/** `TensorInfo`'s fields by position, for an entry written as `[dtype, shape, data_offsets]`. */
const FIELD_AT = ['dtype', 'shape', 'data_offsets'];

/** The exact integers past 2^53 under each tensor's `shape` and `data_offsets` (object or list entry). */
function byTensor(wide: readonly WideInteger[]): Map<string, WideFields> {
  const out = new Map<string, Map<string, bigint>>();
  for (const { keys, text } of wide) {
    const [name, at, index] = keys;
    if (keys.length !== 3 || typeof name !== 'string' || typeof index !== 'number') continue;
    const field = typeof at === 'number' ? FIELD_AT[at] : at;
    if (field === undefined || !INTEGER_FIELDS.includes(field)) continue;
    let fields = out.get(name);
    if (!fields) out.set(name, (fields = new Map<string, bigint>()));
    fields.set(`${field}[${index}]`, BigInt(text));
  }
  return out;
}

/**
 * The `usize`s of an integer field as serde_json reads them: exact to 2^64 - 1 (JavaScript numbers past 2^53 are
 * rounded, so those come from the header's text); undefined when one is not an integer in that range.
 */
function usizes(field: string, v: JsonValue | undefined, wide: WideFields | undefined): bigint[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: bigint[] = [];
  for (const [i, x] of v.entries()) {
    const n = isIndex(x) ? BigInt(x as number) : wide?.get(`${field}[${i}]`);
    if (n === undefined || n < 0n || n > USIZE_MAX) return undefined;
    out.push(n);
  }
  return out;
}

function checkTensor(
  name: string,
  entry: JsonValue,
  wide: WideFields | undefined,
  problems: FirstOfEach,
  sizes: FirstOfEach,
): Range | undefined {
  const bad = (what: string, range?: Range): Range | undefined => {
    problems.note('tensor', `tensor ${JSON.stringify(name)}: ${what}; the loader rejects it. Re-save the file`, {
      check: 'tensor',
      tensor: name,
    });
    return range;
  };
  const fields = tensorFields(entry);
  if (fields === undefined) return bad('the entry is neither an object nor [dtype, shape, data_offsets]');
  const { dtype } = fields;
  const offsets = usizes('data_offsets', fields.data_offsets, wide);
  if (offsets?.length !== 2) return bad('data_offsets is not [begin, end]');
  const [begin, end] = offsets as [bigint, bigint];
  if (end < begin) return bad(`data_offsets end ${end} is before begin ${begin}`);
  // The range still counts for the layout checks when dtype or shape are bad.
  const range: Range = { name, begin, end };
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BITS)) return bad(`unknown dtype ${JSON.stringify(dtype)}`, range);
  const shape = usizes('shape', fields.shape, wide);
  if (shape === undefined) return bad('shape is not a list of non-negative integers', range);
  const shown = `[${shape.join(', ')}]`;
  // safetensors `Metadata::validate`: `shape.iter().try_fold(1usize, usize::checked_mul)` then `checked_mul` by the
  // dtype's bit size, in that order: a 0 after dimensions whose product passes 2^64 - 1 does not save the header,
  // a 0 before them does (the count stays 0).
  let elements = 1n;
  for (const d of shape) {
    elements *= d;
    if (elements > USIZE_MAX) return bad(`shape ${shown} has more elements than a 64-bit count holds`, range);
  }
  const bits = elements * BigInt(DTYPE_BITS[dtype]!);
  if (bits > USIZE_MAX) return bad(`shape ${shown} of ${dtype} has more bits than a 64-bit count holds`, range);
  if (bits % 8n !== 0n) return bad(`shape ${shown} of ${dtype} is not a whole number of bytes`, range);
  if (bits / 8n !== end - begin)
    sizes.note(
      'size',
      `tensor ${JSON.stringify(name)} spans ${end - begin} bytes but shape ${shown} of ${dtype} needs ${bits / 8n}; the loader rejects it`,
      { check: 'size', tensor: name, expected: toEvidence(bits / 8n), actual: toEvidence(end - begin) },
    );
  return range;
}

/** A byte count for evidence: a number while exact, else its decimal text. */
function toEvidence(n: bigint): number | string {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n);
}

/**
 * A tensor entry's fields. serde's derived `Deserialize` for `TensorInfo` also takes a sequence of exactly its three
 * fields in order (`visit_seq`), so `["F32", [2], [0, 8]]` loads as that tensor (safetensors 0.8 `safe_open`).
 */
function tensorFields(entry: JsonValue): Readonly<Record<string, JsonValue>> | undefined {
  if (isObject(entry)) return entry;
  if (!Array.isArray(entry) || entry.length !== 3) return undefined;
  const [dtype, shape, offsets] = entry as [JsonValue, JsonValue, JsonValue];
  return { dtype, shape, data_offsets: offsets };
}

function checkLayout(ranges: Range[], dataLen: bigint, out: Findings): void {
  ranges.sort((a, b) => (a.begin < b.begin ? -1 : a.begin > b.begin ? 1 : a.end < b.end ? -1 : 1));
  let cursor = 0n;
  let prev: Range | undefined;
  // A file cut short leaves every later tensor past its end; safetensors' `validate` stops at the first
  // (MetadataIncompleteBuffer), as at the first overlap or gap (InvalidOffset), so each kind is one finding.
  const layout = new FirstOfEach('CPI053');
  for (const r of ranges) {
    if (r.end > dataLen) {
      layout.note(
        'bounds',
        `tensor ${JSON.stringify(r.name)} ends at data byte ${r.end}, past the ${dataLen}-byte data section`,
        {
          check: 'bounds',
          tensor: r.name,
          end: toEvidence(r.end),
          dataLength: Number(dataLen),
        },
      );
    }
    if (prev && r.begin < cursor) {
      layout.note(
        'overlap',
        `tensor ${JSON.stringify(r.name)} [${r.begin}, ${r.end}) overlaps ${JSON.stringify(prev.name)}; one file means different things to different readers`,
        { check: 'overlap', tensor: r.name, other: prev.name, begin: toEvidence(r.begin) },
      );
    } else if (r.begin > cursor && cursor < dataLen) {
      // Only bytes the file holds can hide data; a gap past its end is the bounds problem above.
      const gapEnd = r.begin < dataLen ? r.begin : dataLen;
      layout.note(
        'gap',
        `data bytes [${cursor}, ${gapEnd}) before tensor ${JSON.stringify(r.name)} belong to no tensor; hidden data is a smuggling vector`,
        { check: 'gap', begin: toEvidence(cursor), end: toEvidence(gapEnd) },
      );
    }
    if (r.end > cursor) {
      cursor = r.end;
      prev = r;
    }
  }
  layout.report(out);
  if (cursor < dataLen)
    out.add(
      'CPI053',
      `data bytes [${cursor}, ${dataLen}) after the last tensor belong to no tensor; hidden data is a smuggling vector.`,
      { check: 'trailing', begin: Number(cursor), end: Number(dataLen) },
    );
}

function isIndex(v: JsonValue): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function kindOf(v: JsonValue): string {
  return v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v;
}

export const safetensorsAnalyser: ModelAnalyser = {
  name: 'safetensors',
  formats: ['safetensors'],
  analyze: (file, ctx) => analyseWith(file, 'the safetensors file', safetensorsSteps, ctx.files),
};

const SAFETENSORS_NAME = /\.safetensors$/i;

/**
 * A safetensors file inside an archive (a release `.tar.gz` of a model folder): extracted and handed to
 * `safetensors.safe_open` / `load_file`, it is read as the same file outside the archive is, so `safetensorsSteps`
 * judges it. As discovery decides for a file: detected as safetensors, or named `.safetensors` and detected as
 * nothing else. Only the header is read and the data section measured, so a member too large to hold (most real
 * ones) is read by ranges.
 */
registerReadMember({
  format: 'safetensors',
  named: SAFETENSORS_NAME,
  is: (_head, name, sniffed) => memberIs(sniffed, name, 'safetensors', SAFETENSORS_NAME),
  what: 'the safetensors file',
  parse: parseSafetensors,
  steps: safetensorsSteps,
});
