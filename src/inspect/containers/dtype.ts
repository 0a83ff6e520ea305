/** What a numpy type string says: item size in bytes and whether items are Python objects (a pickle). */
export interface DtypeInfo {
  readonly itemsize: number;
  readonly hasObject: boolean;
}

/**
 * The type names `numpy.dtype(str)` also takes (numpy's `sctypeDict`, 1.x and 2.x), as the type string each stands
 * for. A header may spell an object array `'object'`: `descr_to_dtype` hands any string to `numpy.dtype`.
 */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'O',
  object_: 'O',
  object0: 'O',
  ...names('?', 'bool bool8 bool_'),
  ...names('i1', 'byte int8'),
  ...names('u1', 'ubyte uint8'),
  ...names('i2', 'short int16'),
  ...names('u2', 'ushort uint16'),
  ...names('i4', 'intc int32'),
  ...names('u4', 'uintc uint32'),
  ...names('i8', 'int int0 int_ int64 intp long longlong'),
  ...names('u8', 'uint uint0 uint64 uintp ulong ulonglong'),
  ...names('f2', 'half float16'),
  ...names('f4', 'single float32'),
  ...names('f8', 'double float float_ float64'),
  ...names('f16', 'longdouble longfloat float128'),
  ...names('c8', 'csingle singlecomplex complex64'),
  ...names('c16', 'cdouble cfloat complex complex_ complex128'),
  ...names('c32', 'clongdouble clongfloat longcomplex complex256'),
  ...names('S0', 'bytes bytes0 bytes_ string_'),
  ...names('U0', 'str str0 str_ unicode unicode_'),
  ...names('V0', 'void void0'),
  ...names('M8', 'datetime64'),
  ...names('m8', 'timedelta64'),
};

function names(typestr: string, list: string): Record<string, string> {
  return Object.fromEntries(list.split(' ').map((n) => [n, typestr]));
}

/** One-letter type codes whose size the letter alone gives (`np.dtype('f')` is float32, `'g'` float128, `'c'` S1). */
const CODE_SIZES: Readonly<Record<string, number>> = { f: 4, i: 4, I: 4, c: 1, g: 16, F: 8, D: 16, G: 32, p: 8, P: 8 };

/**
 * A dtype string as `numpy.dtype(str)` reads it, which is what np.load's `descr_to_dtype` hands it: a field list or
 * a shaped type (`'i4,O'`, `'(2,)O'`, `'3i4'`) when descriptor.c `_check_for_commastring` says so — a leading count,
 * a leading `()`, or a comma outside `[]` — split as numpy/core/_internal.py `_commastring` splits it; else one type.
 * An object anywhere makes the array a pickle.
 */
export function parseDtypeString(s: string): DtypeInfo | undefined {
  if (!isCommaString(s)) return parseTypestr(s);
  let itemsize = 0;
  let hasObject = false;
  for (let at = 0; at < s.length;) {
    FORMAT.lastIndex = at;
    const m = FORMAT.exec(s)!;
    at = FORMAT.lastIndex;
    if (at < s.length) {
      if (/^\s+$/.test(s.slice(at))) at = s.length;
      else {
        SEP.lastIndex = at;
        if (!SEP.test(s)) return undefined;
        at = SEP.lastIndex;
      }
    }
    const info = parseTypestr(`${m[1] || m[3]}${m[4]}`);
    const count = repeats(m[2]!);
    if (info === undefined || count === undefined) return undefined;
    itemsize += info.itemsize * count;
    hasObject ||= info.hasObject;
  }
  return { itemsize, hasObject };
}

/** `_commastring`'s `format_re` (order, repeats, order, type) and `sep_re`, as sticky regular expressions. */
const FORMAT = /([<>|=]?)( *[(]?[ ,0-9]*[)]? *)([<>|=]?)([A-Za-z0-9.?]*(?:\[[a-zA-Z0-9,.]+\])?)/y;
const SEP = /\s*,\s*/y;

function isCommaString(s: string): boolean {
  const order = /^[<>|=]/.test(s) ? 1 : 0;
  if (/^\d/.test(s.slice(order)) || (s.length > 1 + order * 2 && s.startsWith('()', order))) return true;
  let depth = 0;
  for (const c of s) {
    if (c === ',' && depth === 0) return true;
    if (c === '[') depth++;
    if (c === ']') depth--;
  }
  return false;
}

/** The element count of a `repeats` group (`ast.literal_eval` of `''`, `'2'`, `'(2, 3)'`, `'()'`). */
function repeats(r: string): number | undefined {
  const t = r.trim();
  if (t === '') return 1;
  const inner = /^\((.*)\)$/.exec(t)?.[1] ?? t;
  const dims = inner.split(',').map((d) => d.trim());
  if (dims.at(-1) === '') dims.pop();
  if (dims.some((d) => !/^\d+$/.test(d)) || (inner === t && dims.length !== 1)) return undefined;
  return dims.reduce((n, d) => n * Number(d), 1);
}

/** `<f4`, `|O`, `i8`, `U10`, `S5`, `V16`, `?`, `M8[ns]`, or a type name (`float32`, `object`)… */
export function parseTypestr(s: string): DtypeInfo | undefined {
  const named = Object.hasOwn(TYPE_NAMES, s) ? TYPE_NAMES[s] : undefined;
  const m = /^[<>|=]?([a-zA-Z?])(\d*)(?:\[\w+\])?$/.exec(named ?? s);
  if (!m) return undefined;
  const kind = m[1]!;
  const n = m[2] ? Number(m[2]) : undefined;
  if (n === undefined && Object.hasOwn(CODE_SIZES, kind)) return { itemsize: CODE_SIZES[kind]!, hasObject: false };
  switch (kind) {
    case 'O':
      return { itemsize: 8, hasObject: true };
    case '?':
      return { itemsize: 1, hasObject: false };
    case 'b':
    case 'B':
      return { itemsize: n ?? 1, hasObject: false };
    case 'i':
    case 'u':
    case 'f':
    case 'c':
    case 'M':
    case 'm':
    case 'S':
    case 'a':
    case 'V':
      return n !== undefined
        ? { itemsize: n, hasObject: false }
        : kind === 'M' || kind === 'm'
          ? { itemsize: 8, hasObject: false }
          : undefined;
    case 'U':
      return n !== undefined ? { itemsize: 4 * n, hasObject: false } : undefined;
    case 'e':
      return { itemsize: 2, hasObject: false };
    case 'd':
    case 'q':
    case 'Q':
    case 'l':
    case 'L':
      return { itemsize: 8, hasObject: false };
    case 'h':
    case 'H':
      return { itemsize: 2, hasObject: false };
    default:
      return undefined;
  }
}
