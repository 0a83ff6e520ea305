/**
 * Protocol-0 number arguments (INT, LONG, FLOAT, GET, PUT), read the way CPython's unpicklers read them: the pickle
 * sniff (pickle-head.ts) and the pickle inspector's machine both ask here, so the two never disagree with each other
 * or with `pickle.load` about which lines are numbers. `line` is the argument without its newline; `_pickle.c`
 * `_Unpickler_CopyLine` keeps the newline and ends the copy with a NUL, so C's string functions stop at the first
 * NUL in the line and see the newline as trailing white space. undefined: CPython raises on this argument.
 *
 * `_pickle.c` (`pickle.load`, `torch.load`) accepts every INT, LONG, GET and PUT line that pickle.py's
 * `_Unpickler` (`joblib.load`, `dill.load`) does; FLOAT is the one the two read differently, and either suffices.
 * test/discover/pickle-numbers.test.ts holds what Debian's python3 made of each form: `I 1` is True, `I1_0` 10,
 * `I010` 8, `I5\0zz` 5, `L0x10L` 16, `Finfinity` inf; `I5L`, `I08`, `I1__0`, `L010` raise in both.
 */

/** C `isspace` in the C locale and CPython's `Py_ISSPACE`: space, tab, LF, VT, FF, CR. */
export const isCSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** A digit's value in bases up to 36 (`_PyLong_DigitValue`), 37 for anything else. */
function digitValue(c: number): number {
  if (isDigit(c)) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a ? lower - 0x61 + 10 : 37;
}

/** The line as C sees it: up to its first NUL. */
function cString(line: Uint8Array): Uint8Array {
  const nul = line.indexOf(0);
  return nul < 0 ? line : line.subarray(0, nul);
}

/**
 * `PyLong_FromString(s, NULL, base)` (Objects/longobject.c) over a C string: white space, a sign, a `0x`/`0o`/`0b`
 * prefix when the base allows it (one `_` may follow), digits with single underscores between them, white space.
 * Base 0 takes the base from the prefix, and a number with a leading zero and no prefix must be zero (`00`, `0_0`).
 */
function pyLongFromString(s: Uint8Array, base: 0 | 10): number | undefined {
  let i = 0;
  while (i < s.length && isCSpace(s[i]!)) i++;
  let negative = false;
  if (s[i] === 0x2b || s[i] === 0x2d) negative = s[i++] === 0x2d;
  let radix = 10;
  let zeroOnly = false;
  const prefix = s[i] === 0x30 ? (s[i + 1] ?? 0) | 0x20 : 0;
  if (base === 0 && prefix === 0x78) radix = 16;
  else if (base === 0 && prefix === 0x6f) radix = 8;
  else if (base === 0 && prefix === 0x62) radix = 2;
  else if (base === 0 && s[i] === 0x30) zeroOnly = true;
  if (radix !== 10) {
    i += 2;
    if (s[i] === 0x5f) i++;
  }
  if (s[i] === 0x5f) return undefined;
  const start = i;
  let digits = 0;
  let previous = 0;
  while (i < s.length && (digitValue(s[i]!) < radix || s[i] === 0x5f)) {
    if (s[i] === 0x5f && previous === 0x5f) return undefined;
    if (s[i] !== 0x5f) digits++;
    previous = s[i++]!;
  }
  if (previous === 0x5f || digits === 0) return undefined;
  const end = i;
  while (i < s.length && isCSpace(s[i]!)) i++;
  if (i !== s.length) return undefined;
  const text = Buffer.from(s.subarray(start, end)).toString('latin1').replaceAll('_', '');
  if (zeroOnly && /[^0]/.test(text)) return undefined;
  // Number, not BigInt: linear in the digits of a hostile megabyte-long line (a value past 2^1024 is Infinity).
  const value = Number(radix === 10 ? text : `0${radix === 16 ? 'x' : radix === 8 ? 'o' : 'b'}${text}`);
  return negative && value !== 0 ? -value : value;
}

const LONG_MAX = 2n ** 63n - 1n;

/**
 * glibc `strtol(s, &end, 0)` on a 64-bit `long`: white space, a sign, `0x` before a hex digit (base 16), a leading
 * `0` (base 8), else base 10. The value when it reads digits up to the end of the C string without overflow (what
 * `load_int` takes as is), else undefined (`load_int` then asks `PyLong_FromString`).
 */
function strtolWhole(s: Uint8Array): bigint | undefined {
  let i = 0;
  while (i < s.length && isCSpace(s[i]!)) i++;
  let negative = false;
  if (s[i] === 0x2b || s[i] === 0x2d) negative = s[i++] === 0x2d;
  let radix = 10;
  if (s[i] === 0x30 && ((s[i + 1] ?? 0) | 0x20) === 0x78 && digitValue(s[i + 2] ?? 0) < 16) {
    radix = 16;
    i += 2;
  } else if (s[i] === 0x30) radix = 8;
  const start = i;
  while (i < s.length && digitValue(s[i]!) < radix) i++;
  // No digits: no conversion, and `end` is the string's start (never its end: the line is not empty).
  if (i === start || i !== s.length) return undefined;
  // Leading zeros aside, more than 22 digits overflow in any of the three bases.
  let first = start;
  while (first < i - 1 && s[first] === 0x30) first++;
  if (i - first > 22) return undefined;
  const text = Buffer.from(s.subarray(first, i)).toString('latin1');
  const value = BigInt(radix === 16 ? `0x${text}` : radix === 8 ? `0o${text}` : text);
  if (value > LONG_MAX + (negative ? 1n : 0n)) return undefined;
  return negative && value !== 0n ? -value : value;
}

/**
 * INT (`load_int`): `strtol(s, &end, 0)`, which must end at the newline or a NUL without overflow, else
 * `PyLong_FromString(s, NULL, 0)`. A two-character line whose `strtol` value is 0 or 1 is a bool (`I00`, `I01`, and
 * also `I 1`, `I-0`). An empty line raises (`bad_readline`).
 */
export function pickleIntArg(line: Uint8Array): number | boolean | undefined {
  if (line.length === 0) return undefined;
  const s = cString(line);
  const quick = strtolWhole(s);
  if (quick !== undefined) return line.length === 2 && (quick === 0n || quick === 1n) ? quick === 1n : Number(quick);
  return pyLongFromString(s, 0);
}

/** LONG (`load_long`): an `L` just before the newline is cut off, then `PyLong_FromString(s, NULL, 0)`. */
export function pickleLongArg(line: Uint8Array): number | undefined {
  if (line.length === 0) return undefined;
  const cut = line[line.length - 1] === 0x4c ? line.subarray(0, line.length - 1) : line;
  return pyLongFromString(cString(cut), 0);
}

/** GET and PUT (`load_get`, `load_put`): `PyLong_FromString(s, NULL, 10)` (leading zeros are fine, no prefix). */
export function pickleDecimalArg(line: Uint8Array): number | undefined {
  if (line.length === 0) return undefined;
  return pyLongFromString(cString(line), 10);
}

/**
 * `PyOS_string_to_double`'s grammar (Python/pystrtod.c): a sign, digits with an optional point, an exponent. The
 * point opens the group of digits after it, so no two runs of digits compete for the same ones: `\d+\.?\d*` let a
 * megabyte of digits ending in a letter backtrack for minutes (a line `pickle.load` reads to its end).
 */
const DECIMAL = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const SPECIAL = /^([-+]?)(inf|infinity|nan)$/i;

function special(text: string): number | undefined {
  const m = SPECIAL.exec(text);
  if (!m) return undefined;
  return m[2]!.toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
}

/**
 * FLOAT, as either unpickler CPython ships reads it: `pickle.load` (`_pickle.c` `load_float`:
 * `PyOS_string_to_double(s, &end, PyExc_OverflowError)` — no white space first, `inf`, `infinity` or `nan` in any
 * case, or decimal digits with an optional point and exponent, ending at the newline or a NUL; a finite literal too
 * large for a double raises OverflowError) and `pickle._Unpickler` (pickle.py `load_float`: `float(line)`, which
 * also takes white space around the number and underscores between digits, and overflows to infinity).
 * `joblib.load` and `dill.load` unpickle with `pickle._Unpickler`, so a line either one reads is a number.
 */
export function pickleFloatArg(line: Uint8Array): number | undefined {
  if (line.length === 0) return undefined;
  const c = Buffer.from(cString(line)).toString('latin1');
  const named = special(c);
  if (named !== undefined) return named;
  // JavaScript's Number and CPython's dtoa both round correctly: they overflow to infinity alike.
  if (DECIMAL.test(c) && Number.isFinite(Number(c))) return Number(c);
  // pickle.py: `float(bytes)` (Objects/floatobject.c `PyFloat_FromString`): the whole line, NULs refused.
  if (line.includes(0)) return undefined;
  let text = Buffer.from(line).toString('latin1');
  let from = 0;
  let to = text.length;
  while (from < to && isCSpace(text.charCodeAt(from))) from++;
  while (to > from && isCSpace(text.charCodeAt(to - 1))) to--;
  text = text.slice(from, to);
  // `_Py_string_to_number_with_underscores`: an underscore only between two digits.
  if (text.includes('_')) {
    if (/(?<!\d)_|_(?!\d)/.test(text)) return undefined;
    text = text.replaceAll('_', '');
  }
  return special(text) ?? (DECIMAL.test(text) ? Number(text) : undefined);
}
