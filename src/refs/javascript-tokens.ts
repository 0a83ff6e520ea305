import { Unsure } from './python-tokens.js';

/**
 * Array methods that call a callback with each item first and change nothing themselves: javascript.ts reads such a
 * callback over an array constant as a loop (`arrayCallback`), and javascript-fast.ts leaves files that read its
 * parameter to it.
 */
export const ITERATING_METHODS: readonly string[] = [
  'map',
  'forEach',
  'flatMap',
  'filter',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'reduce',
  'reduceRight',
];

export { Unsure };

/**
 * The tokens of a whole JavaScript/TypeScript file, for the parser-free reading of javascript-fast.ts. It follows
 * ECMAScript's lexical grammar (and @lezer/javascript's, which agrees with it on these shapes) for what ordinary code
 * has — names, numbers, strings, template literals with their `${…}` fields, regular expressions, comments,
 * punctuators — and brackets are matched as it goes. Where the lexical grammar needs the parser's state to decide,
 * it decides only the clear cases: `/` and `<` after an operand are operators, at an expression's start a regular
 * expression and JSX (or a TypeScript type assertion) — the latter, and every doubtful case (`/` after `}`), a
 * non-ASCII name, an unterminated literal, unbalanced brackets, throw `Unsure`, and
 * @lezer/javascript reads the file instead.
 */
export interface Token {
  readonly t: 'name' | 'op' | 'number' | 'string' | 'regex' | 'template' | 'tpl-head' | 'tpl-mid' | 'tpl-tail';
  readonly from: number;
  readonly to: number;
  /** The source text (for a template part too; javascript-fast.ts takes its raw text between the delimiters). */
  readonly text: string;
  /** A line break comes between this token and the one before (automatic semicolon insertion looks at it). */
  readonly nl: boolean;
  /** For `(`, `[`, `{`, `tpl-head` and `tpl-mid`: the index of the token that closes it (set when it closes). */
  match: number;
  /** The innermost bracket (or template field) open around this token, -1 at top level. */
  readonly up: number;
}

/** Words after which `/` starts a regular expression and `<` starts JSX: they expect an expression next. */
const EXPRESSION_BEFORE = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'yield',
  'await',
]);

/** ECMAScript's punctuators, longest first (`?.` before a digit is `?` and a number: handled below). */
const PUNCTUATOR =
  />>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.|\+\+|--|[-+*%&|^]=|\*\*|<<|>>|[{}()[\];,<>+\-*%&|^!~?:=.@]/y;
const NAME = /[A-Za-z_$][\w$]*/y;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/g;
const NUMBER = /(?:0[xXbBoO][\da-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/y;

/**
 * `comments`, when given, gets each comment's start and end, flat, in file order (javascript-fast.ts `callsNoLoader`
 * reads the file without them).
 */
export function tokenize(text: string, comments?: number[]): Token[] {
  const out: Token[] = [];
  /** Open brackets, by token index; a `${` field is the template part that opened it. */
  const open: number[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let nl = false;
  const push = (t: Token['t'], from: number, to: number): Token => {
    const tok: Token = { t, from, to, text: text.slice(from, to), nl, match: -1, up: open[open.length - 1] ?? -1 };
    out.push(tok);
    nl = false;
    return tok;
  };
  /** Close the innermost bracket, which must be `opener` (`(`, `[`, `{`, or `` ` `` for a template's `${`). */
  const close = (opener: string) => {
    const at = open.pop();
    const o = at === undefined ? undefined : out[at]!;
    if (!o || (o.t === 'op' ? o.text : '`') !== opener) throw new Unsure();
    o.match = out.length - 1;
    out[out.length - 1]!.match = at!;
  };
  // A hashbang line (`#!/usr/bin/env node`, ECMAScript's `HashbangComment`, lezer's `Hashbang`) opens the file only.
  if (text.startsWith('#!', i)) {
    LINE_TERMINATOR.lastIndex = i;
    const end = LINE_TERMINATOR.exec(text)?.index ?? text.length;
    comments?.push(i, end);
    i = end;
  }
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      nl = true;
      i++;
    } else if (c === 32 || c === 9 || c === 11 || c === 12) i++;
    else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      // A line comment ends at any line terminator (ECMAScript `SingleLineComment`): CR, LS and PS as well as LF.
      LINE_TERMINATOR.lastIndex = i;
      const end = LINE_TERMINATOR.exec(text)?.index ?? text.length;
      comments?.push(i, end);
      i = end;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Unsure();
      if (/[\n\r]/.test(text.slice(i, end))) nl = true;
      comments?.push(i, end + 2);
      i = end + 2;
    } else if (c === 39 || c === 34) i = push('string', i, stringEnd(text, i)).to;
    else if (c === 96) i = template(i + 1, i, true);
    else if (c === 125 && open.length > 0 && out[open[open.length - 1]!]!.t !== 'op') {
      // `}` closing a `${` field: the template goes on.
      i = template(i + 1, i, false);
    } else if (isNameStart(c)) {
      NAME.lastIndex = i;
      NAME.test(text);
      const end = NAME.lastIndex;
      const next = text.charCodeAt(end);
      if (next >= 128 || next === 92) throw new Unsure();
      i = push('name', i, end).to;
    } else if (c === 35 && isNameStart(text.charCodeAt(i + 1))) {
      // A class's private name (`#cache`, `this.#load(…)`): a name no import, declaration or loader has.
      NAME.lastIndex = i + 1;
      NAME.test(text);
      const end = NAME.lastIndex;
      const next = text.charCodeAt(end);
      if (next >= 128 || next === 92) throw new Unsure();
      i = push('name', i, end).to;
    } else if ((c >= 48 && c <= 57) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      if (!at(NUMBER, i) || /[\w$]/.test(text[NUMBER.lastIndex] ?? '')) throw new Unsure();
      i = push('number', i, NUMBER.lastIndex).to;
    } else if (c === 47) {
      const before = out[out.length - 1];
      if (slashStartsRegex(before, out)) i = push('regex', i, regexEnd(text, i)).to;
      else i = push('op', i, text.charCodeAt(i + 1) === 61 ? i + 2 : i + 1).to;
    } else if (SINGLE.has(c)) {
      // A bracket, `;`, `,` or `:` is a punctuator alone (none starts a longer one): no regular expression to run.
      push('op', i, i + 1);
      if (c === 40 || c === 91 || c === 123) open.push(out.length - 1);
      else if (c === 41) close('(');
      else if (c === 93) close('[');
      else if (c === 125) close('{');
      i++;
    } else if (at(PUNCTUATOR, i)) {
      let end = PUNCTUATOR.lastIndex;
      if (text.startsWith('?.', i) && isDigit(text.charCodeAt(i + 2))) end = i + 1;
      const op = text.slice(i, end);
      if (op === '<' && !afterOperand(out[out.length - 1], out)) throw new Unsure();
      const tok = push('op', i, end);
      if (op === '(' || op === '[' || op === '{') open.push(out.length - 1);
      else if (op === ')') close('(');
      else if (op === ']') close('[');
      else if (op === '}') close('{');
      i = tok.to;
    } else throw new Unsure();
  }
  if (open.length > 0) throw new Unsure();
  return out;

  function at(re: RegExp, pos: number): boolean {
    re.lastIndex = pos;
    return re.test(text);
  }

  /** A template part from `pos` (after its opening backtick or `}`) to its closing backtick or `${`. */
  function template(pos: number, from: number, head: boolean): number {
    for (let j = pos; j < text.length; j++) {
      const ch = text.charCodeAt(j);
      if (ch === 92) j++;
      else if (ch === 96 || (ch === 36 && text.charCodeAt(j + 1) === 123)) {
        const ends = ch === 96;
        const to = ends ? j + 1 : j + 2;
        const kind = head ? (ends ? 'template' : 'tpl-head') : ends ? 'tpl-tail' : 'tpl-mid';
        push(kind, from, to);
        if (!head) close('`');
        if (!ends) open.push(out.length - 1);
        return to;
      }
    }
    throw new Unsure();
  }
}

const isDigit = (c: number) => c >= 48 && c <= 57;
/** `NAME`'s first character: an ASCII letter, `_` or `$`. */
const isNameStart = (c: number) => ((c | 32) >= 97 && (c | 32) <= 122) || c === 95 || c === 36;
/** `(` `)` `[` `]` `{` `}` `;` `,` `:`, by char code. */
const SINGLE: ReadonlySet<number> = new Set([40, 41, 91, 93, 123, 125, 59, 44, 58]);

/** The end of a quoted string from its opening quote; a line break in it (not escaped) or no end is unsure. */
function stringEnd(text: string, from: number): number {
  const q = text.charCodeAt(from);
  for (let j = from + 1; j < text.length; j++) {
    const ch = text.charCodeAt(j);
    if (ch === q) return j + 1;
    if (ch === 92) j += text.startsWith('\r\n', j + 1) ? 2 : 1;
    else if (ch === 10 || ch === 13) throw new Unsure();
  }
  throw new Unsure();
}

/** The end of a regular expression literal and its flags; `/` inside a class `[…]` does not end it. */
function regexEnd(text: string, from: number): number {
  let inClass = false;
  for (let j = from + 1; j < text.length; j++) {
    const ch = text.charCodeAt(j);
    if (ch === 10 || ch === 13) throw new Unsure();
    if (ch === 92) j++;
    else if (ch === 91) inClass = true;
    else if (ch === 93) inClass = false;
    else if (ch === 47 && !inClass) {
      NAME.lastIndex = j + 1;
      return NAME.test(text) ? NAME.lastIndex : j + 1;
    }
  }
  throw new Unsure();
}

/** Whether the token before ends an operand (so `/` divides and `<` compares), or starts an expression. */
function afterOperand(before: Token | undefined, toks: readonly Token[]): boolean {
  if (!before) return false;
  if (before.t === 'name') return !EXPRESSION_BEFORE.has(before.text);
  if (before.t === 'op') {
    if (before.text === ']') return true;
    if (before.text === ')') {
      // `if (x) /re/` would be a regular expression: leave those to the parser.
      const head = toks[before.match - 1];
      if (head?.t === 'name' && ['if', 'while', 'for', 'with'].includes(head.text)) throw new Unsure();
      return true;
    }
    // After `}` it depends on whether the braces were a block or an object; `++`/`--` on which side they sit.
    if (before.text === '}' || before.text === '++' || before.text === '--') throw new Unsure();
    return false;
  }
  return before.t !== 'tpl-head' && before.t !== 'tpl-mid';
}

function slashStartsRegex(before: Token | undefined, toks: readonly Token[]): boolean {
  return !afterOperand(before, toks);
}

/** A quoted string's value: ECMAScript's escapes (what javascript.ts reads from lezer's `String` nodes too). */
export function unquote(lit: string): string | undefined {
  const q = lit[0];
  if ((q !== '"' && q !== "'") || lit[lit.length - 1] !== q) return undefined;
  return lit.slice(1, -1).replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/gs, (_, e: string) => {
    if (e.startsWith('u{')) return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
    if (e[0] === 'u' || e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}
