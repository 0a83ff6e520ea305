import { unquote } from './python-literals.js';

/**
 * The tokens of one Python logical line (python-lines.ts found where it ends), for the parser-free reading of
 * python-fast.ts. It follows the same rules as python-lines.ts (@lezer/python's tokenizer, tokens.js `strings`;
 * python.grammar `Number`, `Comment`, `space`) but knows fewer shapes: an f-string field that is more than a name, a
 * backslash in an f-string, a number run into a word, an operator Python has not, an unterminated string — any of
 * these throws `Unsure` and the caller lets @lezer/python read the file instead.
 */
export type Token =
  | { readonly t: 'name'; readonly from: number; readonly to: number; readonly text: string }
  | { readonly t: 'op'; readonly from: number; readonly to: number; readonly text: string }
  | { readonly t: 'number'; readonly from: number; readonly to: number }
  | { readonly t: 'string'; readonly from: number; readonly to: number; readonly value: StringValue };

/** A plain literal's value (undefined: `unquote` could not read it), or an f-string's text and field names. */
export type StringValue =
  | { readonly kind: 'plain'; readonly value: string | undefined }
  | { readonly kind: 'format'; readonly parts: readonly (string | { readonly name: string })[] };

export class Unsure extends Error {}

/** python.grammar `Number`, from its first character (a digit, or `.` before a digit). */
const NUMBER =
  /0[bB][_01]+|0[oO][_0-7]+|0[xX][_0-9a-fA-F]+|(?:\d[_\d]*(?:\.\d[_\d]*)?|\.\d[_\d]*)(?:[eE][+-]?\d[_\d]*)?[jJ]?/y;
const NAME = /[A-Za-z_\u00a1-\uffff][\w\u00a1-\uffff]*/y;
/** String prefixes @lezer/python knows, any case; those with `f` make an f-string. */
const STRING_PREFIX = /^(?:[ub]|r|rb|br|f|rf|fr)$/i;
/** Python's operators and delimiters, longest first; anything else (`!`, `$`, `?`, a backtick) is unsure. */
const OPERATOR = /\*\*=|\/\/=|>>=|<<=|->|:=|\*\*|\/\/|<<|>>|<=|>=|==|!=|[-+*/%@&|^]=|[-+*/%@&|^~<>=.,:;()[\]{}]/y;
const FIELD = /\{[ \t]*([A-Za-z_\u00a1-\uffff][\w\u00a1-\uffff]*)[ \t]*\}/y;

/** The tokens of `text` from `from` to `to` (one logical line). */
export function tokenize(text: string, from: number, to: number): Token[] {
  const out: Token[] = [];
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 12 || c === 13 || c === 10) {
      i++;
      continue;
    }
    if (c === 35) {
      // A comment, to the end of its physical line.
      while (i < to && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      continue;
    }
    if (c === 92) {
      const next = text.charCodeAt(i + 1);
      if (next !== 10 && next !== 13) throw new Unsure();
      i += 2;
      continue;
    }
    if (c === 34 || c === 39) {
      i = string(text, i, i, to, out);
      continue;
    }
    NAME.lastIndex = i;
    if (NAME.test(text)) {
      const end = NAME.lastIndex;
      const q = text.charCodeAt(end);
      if ((q === 34 || q === 39) && STRING_PREFIX.test(text.slice(i, end))) i = string(text, i, end, to, out);
      else {
        out.push({ t: 'name', from: i, to: end, text: text.slice(i, end) });
        i = end;
      }
      continue;
    }
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) throw new Unsure();
      const end = NUMBER.lastIndex;
      // `1if`, `1.real`, `1_`: lezer splits these its own way.
      const after = text.charCodeAt(end);
      if (after === 46 || after === 95 || isWordChar(after)) throw new Unsure();
      out.push({ t: 'number', from: i, to: end });
      i = end;
      continue;
    }
    OPERATOR.lastIndex = i;
    if (!OPERATOR.test(text)) throw new Unsure();
    out.push({ t: 'op', from: i, to: OPERATOR.lastIndex, text: text.slice(i, OPERATOR.lastIndex) });
    i = OPERATOR.lastIndex;
  }
  return out;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWordChar = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 95 || c >= 0xa1;

/** A string literal from its prefix at `from` and its opening quote at `open`; returns the offset after it. */
function string(text: string, from: number, open: number, to: number, out: Token[]): number {
  const prefix = text.slice(from, open).toLowerCase();
  const quote = text.charCodeAt(open);
  const long = text.charCodeAt(open + 1) === quote && text.charCodeAt(open + 2) === quote;
  const format = prefix.includes('f');
  const bodyFrom = open + (long ? 3 : 1);
  const parts: (string | { name: string })[] = [];
  let piece = bodyFrom;
  let i = bodyFrom;
  for (;;) {
    if (i >= to) throw new Unsure();
    const c = text.charCodeAt(i);
    if (c === quote && (!long || (text.charCodeAt(i + 1) === quote && text.charCodeAt(i + 2) === quote))) break;
    if (c === 10 && !long) throw new Unsure();
    if (c === 92) {
      // Escapes (raw strings too skip the character after a backslash); f-strings' escapes are left to lezer.
      if (format) throw new Unsure();
      i += 2;
    } else if (format && c === 123) {
      if (text.charCodeAt(i + 1) === 123) i += 2;
      else {
        FIELD.lastIndex = i;
        const m = FIELD.exec(text);
        if (!m || KEYWORDS.has(m[1]!)) throw new Unsure();
        parts.push(text.slice(piece, i), { name: m[1]! });
        i = piece = FIELD.lastIndex;
      }
    } else if (format && c === 125) {
      if (text.charCodeAt(i + 1) !== 125) throw new Unsure();
      i += 2;
    } else i++;
  }
  const end = i + (long ? 3 : 1);
  if (end > to) throw new Unsure();
  parts.push(text.slice(piece, i));
  out.push({
    t: 'string',
    from,
    to: end,
    value: format ? { kind: 'format', parts } : { kind: 'plain', value: unquote(text.slice(from, end)) },
  });
  return end;
}

/** Python's keywords: never a name (the soft keywords `match`, `case`, `type` are the caller's to refuse). */
export const KEYWORDS: ReadonlySet<string> = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield'
  ).split(' '),
);
