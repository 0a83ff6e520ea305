/**
 * Python source cut into logical lines (the language reference's "logical line": physical lines joined by open
 * brackets, backslash continuations and strings) by a lexer that follows @lezer/python's own tokenizer
 * (node_modules/@lezer/python/src/tokens.js `strings`, `newlines`; python.grammar `Number`, `space`, `Comment`,
 * `FormatString`) wherever it decides where a string, a comment or a statement ends. It lets the reference finder
 * parse only the few statements that matter (python-snippet.ts) instead of the whole file.
 *
 * Anything it cannot vouch for — an unclosed bracket or long string, a stray closing bracket, a backslash that
 * continues nothing, a lone carriage return — gives `undefined`, and the caller parses the whole file as before.
 */
export interface LogicalLine {
  /** Offset of its first code character (indentation and blank or comment-only lines excluded). */
  readonly start: number;
  /** Offset of the newline that ends it, or the end of the text. */
  readonly end: number;
  /** Its last code character is `:`: a block header whose body follows on the next lines. */
  readonly header: boolean;
}

const NL = 10;
const CR = 13;
const BACKSLASH = 92;
const HASH = 35;
const SQUOTE = 39;
const DQUOTE = 34;
const LBRACE = 123;
const RBRACE = 125;
const COLON = 58;

/** String prefixes @lezer/python knows (stringPrefix, stringPrefixR, stringPrefixF, stringPrefixFR), any case. */
const STRING_PREFIX = /^(?:[ub]|r|rb|br|f|rf|fr)$/i;
/** python.grammar `Number`, from its first character (a digit, or `.` before a digit). */
const NUMBER =
  /0[bB][_01]+|0[oO][_0-7]+|0[xX][_0-9a-fA-F]+|(?:\d[_\d]*(?:\.\d[_\d]*)?|\.\d[_\d]*)(?:[eE][+-]?\d[_\d]*)?[jJ]?/y;

/**
 * Code between the characters the line loop stops at (a newline, a bracket, a quote, `#` or `\\`): words, numbers,
 * operators and blanks, which decide nothing about where a logical line ends.
 */
const CODE_RUN = /[^\n()[\]{}'"#\\]+/y;
const isBlank = (c: number) => c === 32 || c === 9 || c === 12 || c === CR;

/** Characters a string's body goes past without a look: no quote, backslash, newline or `{` (an f-string field). */
const STRING_RUN = /[^'"\\\n{]+/y;

/**
 * Below U+00A1, what each character is in a word: 1 a letter or `_` (it may start one), 2 a digit. A table, not a
 * chain of comparisons: V8 compiles a comparison that has never run as a bail-out, and the first file with a digit
 * before a quote (`x=1"…"`) threw the compiled lexer away, to be compiled again (bench `refs`).
 */
const WORD_CHARS = new Uint8Array(0xa1);
for (let c = 0; c < 0xa1; c++)
  WORD_CHARS[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 ? 1 : c >= 48 && c <= 57 ? 2 : 0;
// `c >= 0` (not the end of the text, -1) then the table: every test runs on any text.
const isIdentifierStart = (c: number) => c >= 0xa1 || (c >= 0 && WORD_CHARS[c] === 1);
const isIdentifierPart = (c: number) => c >= 0xa1 || (c >= 0 && WORD_CHARS[c] !== 0);
const isDigit = (c: number) => c >= 48 && c <= 57;

/** Thrown inside the lexer when the text is not something it can vouch for; caught at the entry point. */
class Unsure extends Error {}

/** The logical lines of `text`, or undefined when the lexer cannot be sure where they end. */
export function logicalLines(text: string): LogicalLine[] | undefined {
  // lezer ends a line at a lone CR too, and a comment at any CR; this lexer keeps to LF and CRLF.
  if (/\r(?!\n)/.test(text)) return undefined;
  try {
    return new Lexer(text).lines();
  } catch (err) {
    if (err instanceof Unsure) return undefined;
    throw err;
  }
}

class Lexer {
  private readonly n: number;

  constructor(private readonly text: string) {
    this.n = text.length;
  }

  private at(i: number): number {
    return i < this.n ? this.text.charCodeAt(i) : -1;
  }

  /**
   * The loop stops only at the characters that end or open something — a newline, a bracket, a quote, `#`, `\\` —
   * and goes past the code between them in one regular-expression step (`CODE_RUN`): a step per token cost most of
   * the refs stage's CPU before the JIT had compiled it (bench `refs`). What the skipped code decides is read back
   * from its ends: the line's first code character, its last one (`lastCode`), and the word before a quote (a
   * string prefix, `prefixAt`).
   */
  lines(): LogicalLine[] {
    const out: LogicalLine[] = [];
    let start = -1;
    let lastCode = -1;
    let depth = 0;
    let i = 0;
    while (i < this.n) {
      CODE_RUN.lastIndex = i;
      const q = CODE_RUN.test(this.text) ? CODE_RUN.lastIndex : i;
      if (q > i) {
        // Code and blanks only (no comment, string or bracket): the first and last code characters, if any.
        let first = i;
        while (first < q && isBlank(this.at(first))) first++;
        if (first < q) {
          if (start < 0) start = first;
          let last = q - 1;
          while (isBlank(this.at(last))) last--;
          lastCode = last;
        }
      }
      if (q >= this.n) break;
      const c = this.at(q);
      if (c === NL) {
        if (depth === 0 && start >= 0) {
          out.push({ start, end: q, header: this.at(lastCode) === COLON });
          start = -1;
        }
        i = q + 1;
        continue;
      }
      const skipped = this.skipSpace(q);
      if (skipped !== q) {
        i = skipped;
        continue;
      }
      if (start < 0) start = q;
      if (c === 40 || c === 91 || c === LBRACE) {
        depth++;
        i = q + 1;
      } else if (c === 41 || c === 93 || c === RBRACE) {
        if (depth === 0) throw new Unsure();
        depth--;
        i = q + 1;
      } else i = this.string(q, this.prefixAt(i, q));
      lastCode = i - 1;
    }
    if (depth > 0) throw new Unsure();
    if (start >= 0) out.push({ start, end: this.n, header: this.at(lastCode) === COLON });
    return out;
  }

  /**
   * The string prefix of the quote at `q` (lowercase; '' for none), as `token` reads the word characters before it
   * from where they start (after `from`, where the last stop left off): a word is a prefix when it is one of
   * STRING_PREFIX; a number first (`0b1r"…"`) is read as one (NUMBER), then what follows it.
   */
  private prefixAt(from: number, q: number): string {
    let j = q;
    while (j > from && isIdentifierPart(this.at(j - 1))) j--;
    while (j < q && isDigit(this.at(j))) {
      NUMBER.lastIndex = j;
      j = NUMBER.exec(this.text) ? NUMBER.lastIndex : j + 1;
    }
    if (j >= q) return '';
    const word = this.text.slice(j, q);
    return STRING_PREFIX.test(word) ? word.toLowerCase() : '';
  }

  /**
   * Past spaces, a comment (to LF or CR, python.grammar `Comment`) or a backslash continuation (`space`). A run of
   * spaces in one step (indentation: a step per space was most of the loop's turns).
   */
  private skipSpace(i: number): number {
    let c = this.at(i);
    if (c === 32 || c === 9 || c === 12 || c === CR) {
      let j = i;
      do c = this.at(++j);
      while (c === 32 || c === 9 || c === 12 || c === CR);
      return j;
    }
    if (c === HASH) {
      // To the line's end: `logicalLines` let in no CR but a CRLF's, so a CR before it can only be the one before it.
      const nl = this.text.indexOf('\n', i + 1);
      if (nl < 0) return this.n;
      return this.at(nl - 1) === CR ? nl - 1 : nl;
    }
    if (c === BACKSLASH) {
      const next = this.at(i + 1);
      if (next === NL || next === CR) return i + 2;
      // A backslash outside a string that continues no line: a syntax error lezer recovers from its own way.
      throw new Unsure();
    }
    return i;
  }

  /** One token that is not a bracket or space: a string (with its prefix), a word, a number, or one character. */
  private token(i: number): number {
    const c = this.at(i);
    if (c === SQUOTE || c === DQUOTE) return this.string(i, '');
    if (isIdentifierStart(c)) {
      let j = i + 1;
      while (isIdentifierPart(this.at(j))) j++;
      const q = this.at(j);
      if ((q === SQUOTE || q === DQUOTE) && STRING_PREFIX.test(this.text.slice(i, j)))
        return this.string(j, this.text.slice(i, j).toLowerCase());
      return j;
    }
    if (isDigit(c) || (c === 46 && isDigit(this.at(i + 1)))) {
      NUMBER.lastIndex = i;
      return NUMBER.exec(this.text) ? NUMBER.lastIndex : i + 1;
    }
    return i + 1;
  }

  /** A string from its opening quote; returns the offset after it (tokens.js `strings`). */
  private string(open: number, prefix: string): number {
    const quote = this.at(open);
    const long = this.at(open + 1) === quote && this.at(open + 2) === quote;
    const raw = prefix.includes('r');
    const format = prefix.includes('f');
    let i = open + (long ? 3 : 1);
    for (;;) {
      const c = this.at(i);
      if (c < 0) {
        // An unterminated long string runs to the end of the file; so does a short one on the last line.
        if (long) throw new Unsure();
        return i;
      }
      if (format && c === LBRACE) {
        i = this.at(i + 1) === LBRACE ? i + 2 : this.replacement(i + 1);
      } else if (c === BACKSLASH) {
        // Escapes, and raw strings still skip the character after a backslash (`r"\""` is one string).
        i += raw && i + 1 >= this.n ? 1 : 2;
        if (!raw && this.at(i - 1) === 78 && this.at(i) === LBRACE) i = this.namedEscape(i);
      } else if (c === quote && (!long || (this.at(i + 1) === quote && this.at(i + 2) === quote))) {
        return i + (long ? 3 : 1);
      } else if (c === NL && !long) {
        // lezer ends an unterminated short string at the newline, without an error.
        return i;
      } else {
        // Past the characters none of the tests above stop at, in one step (a docstring's words).
        STRING_RUN.lastIndex = i + 1;
        i = STRING_RUN.test(this.text) ? STRING_RUN.lastIndex : i + 1;
      }
    }
  }

  /** `\N{NAME}`: tokens.js `skipEscape` reads to `}`, stopping at a quote or a newline. */
  private namedEscape(i: number): number {
    let j = i + 1;
    for (let c = this.at(j); c >= 0 && c !== RBRACE && c !== SQUOTE && c !== DQUOTE && c !== NL; c = this.at(j)) j++;
    return this.at(j) === RBRACE ? j + 1 : j;
  }

  /**
   * An f-string replacement field after its `{`: an expression (strings of any quote inside, brackets, comments),
   * then a format spec after a top-level `:`, up to the closing `}` (python.grammar `formatReplacement`).
   */
  private replacement(from: number): number {
    let depth = 0;
    let i = from;
    while (i < this.n) {
      const skipped = this.skipSpace(i);
      if (skipped !== i) {
        i = skipped;
        continue;
      }
      const c = this.at(i);
      if (c === NL) i++;
      else if (c === 40 || c === 91 || c === LBRACE) {
        depth++;
        i++;
      } else if (c === 41 || c === 93) {
        if (depth === 0) throw new Unsure();
        depth--;
        i++;
      } else if (c === RBRACE) {
        if (depth === 0) return i + 1;
        depth--;
        i++;
      } else if (c === COLON && depth === 0) return this.formatSpec(i + 1);
      else {
        const next = this.token(i);
        // A lambda's own colon would read as the start of a format spec here: not worth following.
        if (depth === 0 && this.text.slice(i, next) === 'lambda') throw new Unsure();
        i = next;
      }
    }
    throw new Unsure();
  }

  /** A format spec: any characters but braces, and nested `{…}` fields, up to the field's `}`. */
  private formatSpec(from: number): number {
    let i = from;
    while (i < this.n) {
      const c = this.at(i);
      if (c === RBRACE) return i + 1;
      i = c === LBRACE ? this.replacement(i + 1) : i + 1;
    }
    throw new Unsure();
  }
}
