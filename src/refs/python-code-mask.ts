import { lineEnd } from './python-lines-native.js';

/**
 * Where a Python file's logical lines hold code, not a plain string literal or a comment: no name stands in those
 * (CPython's tokenizer makes one STRING token of a literal, and drops a comment), so a docstring's `>>> x = load()`
 * binds nothing and its prose reads nothing. Library code is mostly docstrings: read as names, their words brought
 * every statement that binds a word of English into python-snippet.ts's closure, and whole files to the parser.
 *
 * Each line is read the first time a place in it is asked about, from its start (a logical line never starts inside
 * a string: python-lines.ts joins a literal's lines into one). The reading is conservative: an f-string or t-string
 * (whose fields are code), or a literal the reader cannot close on the line, leaves the rest of the line as code.
 */
export class CodeMask {
  /** Per logical line: 1 once read. */
  private readonly read: Uint8Array;
  /** Per character of the text: 1 inside a plain string literal (its prefix and quotes too) or a comment. */
  private readonly masked: Uint8Array;

  constructor(
    private readonly text: string,
    private readonly table: Int32Array,
  ) {
    this.read = new Uint8Array(table.length / 2);
    this.masked = new Uint8Array(text.length);
  }

  /** Whether offset `at` of logical line `line` is code. */
  inCode(line: number, at: number): boolean {
    if (this.read[line] === 0) {
      this.read[line] = 1;
      this.readLine(this.table[2 * line]!, lineEnd(this.table, line));
    }
    return this.masked[at] === 0;
  }

  private readLine(start: number, end: number): void {
    const { text, masked } = this;
    for (let k = start; k < end;) {
      const c = text.charCodeAt(k);
      if (c === HASH) {
        const stop = physicalLineEnd(text, k, end);
        masked.fill(1, k, stop);
        k = stop;
      } else if (c === QUOTE || c === APOSTROPHE) {
        const from = prefixStart(text, k, start);
        if (from === undefined) return;
        const to = literalEnd(text, k, end);
        if (to === undefined) return;
        masked.fill(1, from, to);
        k = to;
      } else k++;
    }
  }
}

const HASH = 35;
const QUOTE = 34;
const APOSTROPHE = 39;
const BACKSLASH = 92;
const isNewline = (c: number) => c === 10 || c === 13;

function physicalLineEnd(text: string, k: number, end: number): number {
  while (k < end && !isNewline(text.charCodeAt(k))) k++;
  return k;
}

/**
 * Where the literal whose quote is at `quote` starts, with its prefix (`r`, `b`, `u`, `rb`…); undefined for an
 * f-string or t-string, or letters before the quote that are no prefix (a name: not Python, left as code).
 */
function prefixStart(text: string, quote: number, lineStart: number): number | undefined {
  let from = quote;
  while (from > lineStart && from > quote - 3 && isLetter(text.charCodeAt(from - 1))) from--;
  if (from > lineStart && isWordPart(text.charCodeAt(from - 1))) return undefined;
  const prefix = text.slice(from, quote).toLowerCase();
  return PLAIN_PREFIXES.has(prefix) ? from : undefined;
}

/** The prefixes of literals with no fields (CPython Lexer/lexer.c: `r`, `u`, `b` and `br`/`rb` in any case). */
const PLAIN_PREFIXES: ReadonlySet<string> = new Set(['', 'r', 'u', 'b', 'br', 'rb']);

/**
 * The end of the literal whose opening quote is at `quote` (past its closing quote), as CPython's lexer finds it: a
 * backslash takes the next character with it, raw or not; a one-quote literal ends at the line's end, unclosed
 * (undefined, as is a literal the logical line does not close).
 */
function literalEnd(text: string, quote: number, end: number): number | undefined {
  const q = text.charCodeAt(quote);
  const triple = text.charCodeAt(quote + 1) === q && text.charCodeAt(quote + 2) === q;
  for (let j = quote + (triple ? 3 : 1); j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH) j++;
    else if (c === q && (!triple || (text.charCodeAt(j + 1) === q && text.charCodeAt(j + 2) === q)))
      return j + (triple ? 3 : 1);
    else if (!triple && isNewline(c)) return undefined;
  }
  return undefined;
}

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
/** `[\w\u00a1-\uffff]`, what a name continues with (python-snippet.ts's ID). */
export const isWordPart = (c: number) => isLetter(c) || c === 95 || (c >= 48 && c <= 57) || (c >= 0xa1 && c <= 0xffff);
