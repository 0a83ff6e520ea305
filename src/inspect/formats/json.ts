import type { Findings } from './report.js';
import { FormatError } from './source.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonOptions {
  /** Deepest nesting accepted; deeper input is a limit finding, not a stack overflow. */
  readonly maxDepth?: number;
  /** Accept Python's `NaN`, `Infinity`, `-Infinity` (json.dumps writes them; Keras configs may hold them). */
  readonly allowNonFinite?: boolean;
  /** Added to error offsets (where the text starts in the file). */
  readonly baseOffset?: number;
  /**
   * Skip arrays and objects nested past `maxDepth` (scanned to their end, not built: `null` in the value, `deep`
   * says where) instead of failing: the loaders' parsers read them (json.loads to Python's recursion limit,
   * JSON.parse to any depth), so what sits beside them still loads and is still read here.
   */
  readonly skipDeeper?: boolean;
}

/** Where `skipDeeper` left values unread: the first one's offset, how many, and the depth they were past. */
export interface DeepJson {
  readonly offset: number;
  readonly count: number;
  readonly limit: number;
}

export interface JsonResult {
  readonly value: JsonValue;
  /** JSON paths of keys that appear twice in one object: readers disagree on which one wins. */
  readonly duplicates: string[];
  /**
   * The same duplicate keys as key arrays from the top (`['w', 'dtype']`), for callers that judge a duplicate by
   * where it sits: the `$.a.b` text cannot tell a key holding a dot from two keys.
   */
  readonly duplicateKeys: (string | number)[][];
  /**
   * JSON paths of numbers that serde_json reads as floats though JavaScript sees an integer: a fraction or an
   * exponent (`8.0`, `8e0`) or `-0` (serde_json de.rs `parse_number`: "Convert into a float … on `-0`"). A Rust
   * reader that wants an integer (`usize`) rejects them.
   */
  readonly floats: string[];
  /**
   * Integers past 2^53, which JavaScript rounds and serde_json reads exactly (as u64 up to 2^64 - 1): where each
   * sits, as keys from the top, and its text, for a reader that must judge the exact value (a safetensors shape).
   */
  readonly wideIntegers: WideInteger[];
  /** Set when `skipDeeper` skipped a value. */
  readonly deep?: DeepJson;
}

/** An integer JavaScript cannot hold exactly, as the text wrote it. */
export interface WideInteger {
  readonly keys: (string | number)[];
  readonly text: string;
}

/** The literals JSON spells out, and Python's non-finite numbers when accepted (hoisted: no allocation per value). */
const WORDS: readonly (readonly [string, JsonValue])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
const WORDS_NON_FINITE: readonly (readonly [string, JsonValue])[] = [
  ...WORDS,
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];

/** A number as JSON writes it, read in place (sticky) rather than from a copy of the text after it. */
const NUMBER = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** The position of the top-level value, which has no key. */
const ROOT = Symbol('root');

/**
 * Where a value sits, as a chain to its parent: the `$.a[0]` text is only built for the rare value that is
 * reported (a duplicate key, a float), not for each of the millions of values a large header holds.
 */
type Path = { readonly parent: Path; readonly key: string | number } | undefined;

/** The keys from the top down to `p`. */
function pathKeys(p: Path): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let q = p; q !== undefined; q = q.parent) keys.push(q.key);
  return keys.reverse();
}

function pathText(p: Path): string {
  const parts: string[] = [];
  for (let q = p; q !== undefined; q = q.parent) parts.push(typeof q.key === 'number' ? `[${q.key}]` : `.${q.key}`);
  return `$${parts.reverse().join('')}`;
}

/**
 * A strict JSON parser for attacker-controlled headers: bounded depth, duplicate keys reported (JSON.parse keeps the
 * last silently), offsets in errors. Objects are built without prototypes so `__proto__` keys are plain data.
 */
export function parseJson(text: string, opts: JsonOptions = {}): JsonResult {
  const maxDepth = opts.maxDepth ?? 256;
  const base = opts.baseOffset ?? 0;
  const duplicates: string[] = [];
  const duplicateKeys: (string | number)[][] = [];
  const floats: string[] = [];
  const wideIntegers: WideInteger[] = [];
  let deep: DeepJson | undefined;
  let i = 0;
  const fail = (msg: string): never => {
    throw new FormatError(`invalid JSON: ${msg}`, base + i);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    let start = i;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(start, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        out += text.slice(start, i);
        const e = text[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail('bad escape');
        start = i;
      } else i++;
    }
  };
  const num = (parent: Path, key: string | number | typeof ROOT): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) fail('bad number');
    i += m![0].length;
    const n = Number(m![0]);
    if (m![2] !== undefined || m![3] !== undefined || m![0] === '-0')
      floats.push(key === ROOT ? '$' : pathText({ parent, key }));
    else if (!Number.isSafeInteger(n))
      wideIntegers.push({ keys: key === ROOT ? [] : pathKeys({ parent, key }), text: m![0] });
    return n;
  };
  /**
   * Past the array or object at `i` without building it, by counting brackets outside strings: a loop, not a
   * recursion, so any depth is bounded by the text's length. It checks less than the parser does (strings only),
   * so it takes all that json.loads takes.
   */
  const skip = (): null => {
    const start = i;
    let open = 0;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        str();
        continue;
      }
      i++;
      if (c === 0x5b || c === 0x7b) open++;
      else if ((c === 0x5d || c === 0x7d) && --open === 0) {
        deep = { offset: deep?.offset ?? base + start, count: (deep?.count ?? 0) + 1, limit: maxDepth };
        return null;
      }
    }
    return fail('unexpected end');
  };
  const value = (depth: number, parent: Path, at: string | number | typeof ROOT): JsonValue => {
    if (depth > maxDepth && !opts.skipDeeper)
      throw new FormatError(`JSON nesting deeper than ${maxDepth}`, base + i, 'limit');
    ws();
    const c = text[i];
    if (depth > maxDepth && (c === '{' || c === '[')) return skip();
    if (c === '{') {
      const path: Path = at === ROOT ? undefined : { parent, key: at };
      i++;
      const obj = Object.create(null) as Record<string, JsonValue>;
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        if (Object.prototype.hasOwnProperty.call(obj, key)) {
          duplicates.push(pathText({ parent: path, key }));
          duplicateKeys.push(pathKeys({ parent: path, key }));
        }
        obj[key] = value(depth + 1, path, key);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return obj;
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      const path: Path = at === ROOT ? undefined : { parent, key: at };
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1, path, arr.length));
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return arr;
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    for (const [word, v] of opts.allowNonFinite ? WORDS_NON_FINITE : WORDS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return num(parent, at);
    return fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
  };
  const v = value(0, undefined, ROOT);
  ws();
  if (i !== text.length) fail('trailing data');
  return { value: v, duplicates, duplicateKeys, floats, wideIntegers, ...(deep !== undefined ? { deep } : {}) };
}

export function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The text Python's `json.loads(b)` parses from bytes: `json.detect_encoding` picks UTF-32/UTF-16 by BOM, UTF-8 with
 * a BOM (`utf-8-sig`), then UTF-16/32 BE/LE by where the first bytes are zero, else UTF-8; the BOM is dropped. For
 * loaders that pass bytes (Keras `saving_lib._load_model_from_fileobj`, skops `io.load`); a loader that reads text
 * (`open(..., encoding="utf-8")`) takes UTF-8 only and rejects a BOM, so its readers decode UTF-8 themselves.
 * Undecodable sequences become U+FFFD (Python would raise: the loader then runs nothing).
 */
export function decodeJsonBytes(b: Buffer): string {
  const starts = (...bytes: number[]): boolean => bytes.every((x, i) => b[i] === x);
  if (starts(0x00, 0x00, 0xfe, 0xff)) return utf32(b.subarray(4), false);
  if (starts(0xff, 0xfe, 0x00, 0x00)) return utf32(b.subarray(4), true);
  if (starts(0xfe, 0xff)) return utf16(false, b.subarray(2));
  if (starts(0xff, 0xfe)) return utf16(true, b.subarray(2));
  if (starts(0xef, 0xbb, 0xbf)) return b.toString('utf8', 3);
  if (b.length >= 4) {
    if (b[0] === 0) return b[1] ? utf16(false, b) : utf32(b, false);
    if (b[1] === 0) return b[2] || b[3] ? utf16(true, b) : utf32(b, true);
  } else if (b.length === 2) {
    if (b[0] === 0) return utf16(false, b);
    if (b[1] === 0) return utf16(true, b);
  }
  return b.toString('utf8');
}

/** UTF-16 as Python's codec with `surrogatepass`: lone surrogates kept (Buffer's utf16le decoder keeps them). */
function utf16(le: boolean, b: Buffer): string {
  const even = Buffer.from(b.subarray(0, b.length & ~1));
  return (le ? even : even.swap16()).toString('utf16le');
}

function utf32(b: Buffer, le: boolean): string {
  let out = '';
  for (let i = 0; i + 4 <= b.length; i += 4) {
    const cp = le ? b.readUInt32LE(i) : b.readUInt32BE(i);
    out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return out;
}

/** What a Python loader does with JSON `skipDeeper` left unread, for `unreadDeep`'s message. */
export interface UnreadJson {
  readonly what: string;
  /** What the loader does with it, and what was not checked. */
  readonly then: string;
  /** What the reader should not load. */
  readonly not: string;
  readonly member?: string;
}

/**
 * JSON a Python loader reads whole (`json.loads` reads nesting up to Python's recursion limit: about 1000 levels on
 * 3.11, more on later versions) and acts on at any depth, with values `skipDeeper` left unread: CPI051 at error,
 * never a warning a default gate lets through, as the skipped part may hold what the loader runs.
 */
export function unreadDeep(deep: DeepJson | undefined, out: Findings, opts: UnreadJson): void {
  if (deep === undefined) return;
  out.add(
    'CPI051',
    `${opts.what} nests deeper than ${deep.limit} levels (at byte ${deep.offset}${deep.count > 1 ? ` and ${deep.count - 1} more places` : ''}); json.loads reads it and ${opts.then}. Do not load ${opts.not} until you know why it nests this deep.`,
    { offset: deep.offset, limit: deep.limit, places: deep.count },
    opts.member,
    'error',
  );
  out.incomplete = true;
}

/**
 * A config a Python loader reads with `json.loads` (NaN and Infinity taken). The loaders skip keys they do not use,
 * so what sits beside deep junk still loads: it is returned and checked, the deep part (`null` in the value) is
 * reported unread (`unreadDeep`).
 */
export function loadsOrUnread(
  text: string,
  out: Findings,
  opts: UnreadJson & { readonly maxDepth: number },
): JsonValue {
  const { value, deep } = parseJson(text, { allowNonFinite: true, maxDepth: opts.maxDepth, skipDeeper: true });
  unreadDeep(deep, out, opts);
  return value;
}
