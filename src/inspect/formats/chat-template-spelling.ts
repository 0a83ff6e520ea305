import { respellStatement } from './chat-template-statements.js';

/**
 * Spellings real Jinja2 accepts in a chat template that `@huggingface/jinja`'s parser refuses, rewritten to ones it
 * reads with the same meaning, so a template transformers renders is checked rather than reported as unparsed:
 * - number literals of jinja2 `lexer.py` `integer_re` (`0x1F`, `0o17`, `0b101`, `1_000_000`) and `float_re`
 *   (`1e3`, `1_000.5`, `1.5e-3`): the lexer reads them as `int(s.replace("_", ""), 0)` and
 *   `literal_eval(s.replace("_", ""))`; each becomes its value in plain decimal (an integer kept exact);
 * - the `+` of `{%+` and `+%}`, which only turns lstrip_blocks / trim_blocks off for that tag (whitespace);
 * - a test's argument (`n is divisibleby 2`, `x is sameas(y)`, `r is in ['user']`): jinja2 `Parser.parse_test` takes
 *   one after the test name, the parser takes none, so ` and ` goes before it (`n is divisibleby and 2`): the same
 *   operands, only joined by a boolean;
 * - a name with letters past ASCII (jinja2 `name_re` is Python's identifier pattern: `{% set año = 1 %}`): each such
 *   letter becomes `U<hex>U`. Jinja2 looks names and attributes up by their string (no NFKC), so a respelled name
 *   reaches what the original does: nothing a payload needs is spelled outside ASCII.
 * - tuples the parser refuses (jinja2 `Parser.parse_tuple` and `parse_primary` take a trailing comma and `()`):
 *   `(x,)`, `(x, y,)` and `()` become the lists `[x]`, `[x, y]` and `[]` (the same items, indexable, joinable,
 *   `in`-testable), and a trailing comma before the tag's end (`{% set t = x, %}`) is dropped;
 * Statements the parser does not know are `respellStatement`'s.
 * Only code is touched: `{{ … }}` and `{% … %}` outside their string literals; text, comments and strings stay.
 */
export function respellForParser(template: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const open = nextTag(template, i);
    if (open < 0) return out + template.slice(i);
    const kind = template[open + 1]!;
    if (kind === '#') {
      const close = template.indexOf('#}', open + 2);
      const end = close < 0 ? template.length : close + 2;
      out += template.slice(i, end);
      i = end;
      continue;
    }
    out += template.slice(i, open + 2);
    i = open + 2;
    if (kind === '%' && template[i] === '+') i++;
    const code = codeUntilClose(template, i, kind === '%' ? '%}' : '}}');
    out += kind === '%' ? respellStatement(code.text) : code.text;
    i = code.end;
  }
}

/** Where the next `{{`, `{%` or `{#` opens, from `from`; -1 when none does. */
function nextTag(s: string, from: number): number {
  for (let p = s.indexOf('{', from); p >= 0 && p + 1 < s.length; p = s.indexOf('{', p + 1)) {
    const k = s[p + 1];
    if (k === '{' || k === '%' || k === '#') return p;
  }
  return -1;
}

/** jinja2 `integer_re` and `float_re` (case-insensitive), anchored where a token starts. */
const INTEGER = /0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*/iy;
const FLOAT = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
/** A Jinja2 name's characters (`name_re`: Python identifiers): a digit inside one is no number. */
const NAME_CHAR = /[\p{L}\p{N}_]/u;

/**
 * The code of one tag from `from` to its closing delimiter (a `+` before `%}` dropped), numbers respelled; string
 * literals (jinja2 `string_re`: quoted, backslash escapes) are copied as they are, and a delimiter inside one does
 * not close the tag.
 */
function codeUntilClose(s: string, from: number, close: string): { text: string; end: number } {
  const code = new TagCode();
  let p = from;
  const test = new TestArgument();
  const groups = new Groups();
  while (p < s.length) {
    const c = s[p]!;
    if (s.startsWith(close, p)) return { text: dropTrailingComma(code.text()) + close, end: p + 2 };
    if (!/\s/.test(c)) code.push(test.before(s, p));
    if (close === '%}' && c === '+' && s.startsWith('%}', p + 1)) {
      p++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = stringEnd(s, p);
      code.push(s.slice(p, end));
      p = end;
    } else if (NAME_CHAR.test(c) && !/\d/.test(c)) {
      const start = p;
      while (p < s.length && NAME_CHAR.test(s[p]!)) p++;
      code.push(asciiName(s.slice(start, p)));
    } else if (/\d/.test(c)) {
      const n = numberAt(s, p);
      code.push(n.text);
      p = n.end;
    } else if (c === '(' || c === ')') {
      if (c === '(') groups.open(code);
      else groups.close(code);
      p++;
    } else {
      code.push(c);
      p++;
    }
  }
  return { text: code.text(), end: p };
}

/**
 * The code of one tag as it is written, in pieces. The tuple respelling looks only at the last few characters
 * before the trailing spaces and edits pieces it recorded, so a `(` or `)` never re-reads the code before it: a
 * tag of 100 000 parentheses (256 KiB fits in a tokenizer config) would otherwise take seconds of CPU per template.
 * Each backward scan stops at the first piece with a non-space character, and a `(`, `)` or `]` is written right
 * after, so every space is passed over once.
 */
class TagCode {
  private readonly pieces: string[] = [];

  push(piece: string): void {
    if (piece !== '') this.pieces.push(piece);
  }

  /** Where the next piece goes: a group records it to edit its `(` later. */
  get next(): number {
    return this.pieces.length;
  }

  text(): string {
    return this.pieces.join('');
  }

  /** The last `n` characters before the trailing spaces; all of them when the code is shorter. */
  tail(n: number): string {
    let k = this.lastSolid(-1);
    if (k < 0) return '';
    let out = this.pieces[k]!.trimEnd().slice(-n);
    for (k--; out.length < n && k >= 0; k--) out = this.pieces[k]!.slice(out.length - n) + out;
    return out;
  }

  /**
   * The group whose `(` is the piece `at` as a list, when it is a tuple the parser refuses: nothing but spaces in
   * it (`()`), or a trailing comma, which is dropped with the spaces after it (`(x,)` → `[x]`). Whether it was one.
   */
  listFromTuple(at: number): boolean {
    const k = this.lastSolid(at);
    if (k > at) {
      const last = this.pieces[k]!.trimEnd();
      if (!last.endsWith(',')) return false;
      this.pieces[k] = last.slice(0, -1);
      this.pieces.length = k + 1;
    }
    this.pieces[at] = '[';
    this.pieces.push(']');
    return true;
  }

  /** The last piece after `floor` with a non-space character; `floor` when there is none. */
  private lastSolid(floor: number): number {
    let k = this.pieces.length - 1;
    while (k > floor && this.pieces[k]!.trimEnd() === '') k--;
    return k;
  }
}

/** The words before `(` that make it a group, not a call (`x or ()`, `a in (b,)`). */
const OPERATOR_WORD = /(?:^|[^\w])(?:and|or|not|in|is|if|else)$/;
/** Enough of the code before a `(` to tell a call from a group: the longest operator word and the character before. */
const CALL_CONTEXT = 5;

/**
 * The parentheses of one tag: a group that jinja2 reads as a tuple the parser refuses (`(x,)`, `()`) is written as
 * a list instead. A `(` right after a name, `)`, `]`, `}` or a string is a call (`parse_postfix`), which the parser
 * takes with a trailing comma.
 */
class Groups {
  private readonly open_: { at: number; call: boolean }[] = [];

  /** Writes the `(` now read. */
  open(code: TagCode): void {
    const before = code.tail(CALL_CONTEXT);
    const call = /[\w)\]}'"]$/.test(before) && !OPERATOR_WORD.test(before);
    this.open_.push({ at: code.next, call });
    code.push('(');
  }

  /** Writes the `)` now read, the group respelled when it is a tuple. */
  close(code: TagCode): void {
    const group = this.open_.pop();
    if (group === undefined || group.call || !code.listFromTuple(group.at)) code.push(')');
  }
}

/** `code` without the comma (and spaces) it ends with: jinja2's tuples take one, the parser does not. */
function dropTrailingComma(code: string): string {
  const end = code.trimEnd();
  return end.endsWith(',') ? end.slice(0, -1) : code;
}

/** Token kinds after which jinja2 `Parser.parse_test` reads an argument: `(`, a name, string, number, `[` or `{`. */
const ARGUMENT_START = /[([{'"\p{L}\p{N}_]/u;

/**
 * Where a test's argument starts, as jinja2 `Parser.parse_test` finds it: after `is`, an optional `not`, and a
 * (dotted) test name, a token that starts an expression, unless it is the name `else`, `or` or `and`. Fed each token's
 * first character in turn; says what to write before it.
 */
class TestArgument {
  private state: 'none' | 'is' | 'name' | 'dot' = 'none';

  before(s: string, at: number): string {
    const c = s[at]!;
    const name = NAME_CHAR.test(c) && !/\d/.test(c) ? /^[\p{L}\p{N}_]+/u.exec(s.slice(at, at + 64))![0] : undefined;
    const was = this.state;
    this.state =
      name === 'is' || (was === 'is' && name === 'not')
        ? 'is'
        : (was === 'is' || was === 'dot') && name !== undefined
          ? 'name'
          : was === 'name' && c === '.'
            ? 'dot'
            : 'none';
    return was === 'name' && ARGUMENT_START.test(c) && !/^(?:else|or|and)$/.test(name ?? '') ? ' and ' : '';
  }
}

/** A Jinja2 name with its letters past ASCII spelled `U<hex>U`, which the parser's name pattern reads. */
function asciiName(name: string): string {
  return name.replace(/[^\p{ASCII}]/gu, (ch) => `U${ch.codePointAt(0)!.toString(16)}U`);
}

/** Past the string literal opening at `at` (unterminated: the end of the template). */
function stringEnd(s: string, at: number): number {
  const quote = s[at];
  for (let p = at + 1; p < s.length; p++) {
    if (s[p] === '\\') p++;
    else if (s[p] === quote) return p + 1;
  }
  return s.length;
}

/**
 * The number token at `at` as jinja2's lexer reads it (float_re first, unless a `.` is right before it; then
 * integer_re), in plain decimal when it was spelled otherwise. A float's value never names anything (Python's `%c`
 * refuses a float), so one past what a plain spelling holds keeps only its magnitude.
 */
function numberAt(s: string, at: number): { text: string; end: number } {
  FLOAT.lastIndex = at;
  const float = s[at - 1] !== '.' ? FLOAT.exec(s) : null;
  if (float) {
    const spelled = float[0];
    const end = at + spelled.length;
    if (!/[_e]/i.test(spelled)) return { text: spelled, end };
    const v = Number(spelled.replace(/_/g, ''));
    return { text: plainFloat(v), end };
  }
  INTEGER.lastIndex = at;
  const int = INTEGER.exec(s);
  if (!int) return { text: s[at]!, end: at + 1 };
  const spelled = int[0];
  const end = at + spelled.length;
  if (/^\d+$/.test(spelled)) return { text: spelled, end };
  const clean = spelled.replace(/_/g, '').toLowerCase();
  return { text: BigInt(clean).toString(), end };
}

/** A float in digits and one `.`: what `@huggingface/jinja` reads as a float. */
function plainFloat(v: number): string {
  if (!Number.isFinite(v)) return `1${'0'.repeat(309)}.0`;
  const s = String(v);
  if (!/e/i.test(s)) return s.includes('.') ? s : `${s}.0`;
  return Math.abs(v) >= 1 ? `${BigInt(v)}.0` : '0.0';
}
