/**
 * The atoms of a Python literal as CPython's tokenizer reads them, for `ast.literal_eval` (py-literal.ts): string and
 * bytes literals (prefixes, triple quotes, escapes) and numbers (decimal, hex, octal, binary, underscores, floats,
 * imaginary). Each reader takes the text and a position and returns the value and the position after it, or a reason.
 */
export interface StringAtom {
  readonly k: 'str' | 'bytes';
  readonly v: string;
  readonly end: number;
}
export interface NumberAtom {
  readonly k: 'int' | 'float' | 'complex';
  readonly v: number;
  readonly end: number;
}

/**
 * Python's one-character escapes after a backslash (the lexer's table; `codecs.escape_decode` for pickle's protocol-0
 * strings reads the same ones: inspect/pickle/text.ts).
 */
export const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** A string or bytes literal at `p` (prefix included), or a reason; undefined when none starts there. */
export function readStringAtom(text: string, p: number): StringAtom | string | undefined {
  const m = /^([rRuUbB]|[rR][bB]|[bB][rR])?(['"])/.exec(text.slice(p, p + 3));
  if (!m) return undefined;
  const prefix = (m[1] ?? '').toLowerCase();
  const raw = prefix.includes('r');
  const bytes = prefix.includes('b');
  const q = m[2]!;
  let i = p + m[0].length;
  const triple = text.startsWith(q + q, i);
  if (triple) i += 2;
  const close = triple ? q.repeat(3) : q;
  let out = '';
  for (;;) {
    if (i >= text.length) return 'unterminated string';
    if (text.startsWith(close, i)) break;
    const c = text[i]!;
    if (c === '\n' && !triple) return 'unterminated string';
    if (bytes && c.charCodeAt(0) > 0x7f) return 'bytes literal with a non-ASCII character';
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) return 'unterminated string';
    if (raw) {
      // A raw literal keeps the backslash and whatever follows it (which cannot end the literal).
      out += c + e;
      i += 2;
      continue;
    }
    const esc = readEscape(text, i + 1, bytes);
    if (typeof esc === 'string') return esc;
    out += esc.v;
    i = esc.end;
  }
  return { k: bytes ? 'bytes' : 'str', v: out, end: i + close.length };
}

/** The escape after a backslash at `p - 1` (Python's `decode_unicode_with_escapes` / bytes escapes). */
function readEscape(text: string, p: number, bytes: boolean): { v: string; end: number } | string {
  const e = text[p]!;
  const simple = SIMPLE_ESCAPES[e];
  if (simple !== undefined) return { v: simple, end: p + 1 };
  const oct = /^[0-7]{1,3}/.exec(text.slice(p, p + 3));
  if (oct) {
    const n = parseInt(oct[0], 8);
    if (bytes && n > 0xff) return { v: String.fromCharCode(n & 0xff), end: p + oct[0].length };
    return { v: String.fromCodePoint(n), end: p + oct[0].length };
  }
  const width = e === 'x' ? 2 : !bytes && e === 'u' ? 4 : !bytes && e === 'U' ? 8 : 0;
  if (width > 0) {
    const hex = text.slice(p + 1, p + 1 + width);
    if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) return `truncated \\${e} escape`;
    const n = parseInt(hex, 16);
    if (n > 0x10ffff) return 'escape out of the Unicode range';
    return { v: String.fromCodePoint(n), end: p + 1 + width };
  }
  // `\N{name}` needs the Unicode name database: not read here (a header with one is left undecided).
  if (!bytes && e === 'N') return 'a \\N{...} escape is not supported';
  // Any other escape keeps its backslash (Python warns, but accepts it).
  return { v: `\\${e}`, end: p + 1 };
}

const DIGITS = String.raw`\d(?:_?\d)*`;
const EXPONENT = String.raw`[eE][-+]?${DIGITS}`;
const FLOAT = String.raw`(?:${DIGITS}\.(?:${DIGITS})?(?:${EXPONENT})?|\.${DIGITS}(?:${EXPONENT})?|${DIGITS}${EXPONENT})`;
const NUMBER = new RegExp(
  String.raw`^(?:(?<imag>(?:${FLOAT}|${DIGITS})[jJ])|(?<float>${FLOAT})|(?<radix>0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+)|(?<dec>[1-9](?:_?\d)*|0+(?:_?0)*))`,
);

/**
 * An unsigned number at `p`, or a reason; undefined when none starts there. What follows it (`1L`, `08`) is the
 * caller's to judge.
 */
export function readNumberAtom(text: string, p: number): NumberAtom | string | undefined {
  const m = NUMBER.exec(text.slice(p, p + 4096));
  if (!m?.groups) return /^\d/.test(text.slice(p, p + 1)) ? 'invalid number' : undefined;
  const end = p + m[0].length;
  const g = m.groups;
  const clean = m[0].replace(/_/g, '');
  if (g['imag'] !== undefined) return { k: 'complex', v: Number(clean.slice(0, -1)), end };
  if (g['float'] !== undefined) return { k: 'float', v: Number(clean), end };
  return { k: 'int', v: Number(BigInt(clean)), end };
}
