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
    // The line alone (V8 shares the text's characters): each search below stops at its end. Searches, not a loop over
    // each character: that loop was hot enough for V8 to compile, at more CPU than it ever saved (bench `refs`).
    const line = text.slice(start, end);
    STARTS.lastIndex = 0;
    for (let m = STARTS.exec(line); m !== null; m = STARTS.exec(line)) {
      const k = m.index;
      if (line.charCodeAt(k) === HASH) {
        const stop = physicalLineEnd(line, k);
        masked.fill(1, start + k, start + stop);
        STARTS.lastIndex = stop;
      } else {
        const from = prefixStart(line, k);
        if (from === undefined) return;
        const to = literalEnd(text, line, start, k);
        if (to === undefined) return;
        masked.fill(1, start + from, start + to);
        STARTS.lastIndex = to;
      }
    }
  }
}

const HASH = 35;
const QUOTE = 34;
const APOSTROPHE = 39;
const BACKSLASH = 92;
/** What `readLine` stops at: a comment, a literal's quote. */
const STARTS = /[#"']/g;
const NEWLINE = /[\n\r]/g;

/** The end of the physical line holding offset `k` of `line` (its line feed or carriage return), or the line's end. */
function physicalLineEnd(line: string, k: number): number {
  NEWLINE.lastIndex = k;
  return NEWLINE.exec(line)?.index ?? line.length;
}

/**
 * Where the literal whose quote is at `quote` starts, with its prefix (`r`, `b`, `u`, `rb`…); undefined for an
 * f-string or t-string, or letters before the quote that are no prefix (a name: not Python, left as code).
 */
function prefixStart(line: string, quote: number): number | undefined {
  let from = quote;
  while (from > 0 && from > quote - 3 && isLetter(line.charCodeAt(from - 1))) from--;
  if (from > 0 && isWordPart(line.charCodeAt(from - 1))) return undefined;
  const prefix = line.slice(from, quote).toLowerCase();
  return PLAIN_PREFIXES.has(prefix) ? from : undefined;
}

/** The prefixes of literals with no fields (CPython Lexer/lexer.c: `r`, `u`, `b` and `br`/`rb` in any case). */
const PLAIN_PREFIXES: ReadonlySet<string> = new Set(['', 'r', 'u', 'b', 'br', 'rb']);

/** Where a literal's reading stops, by its quote: the quote, a backslash, and in a one-quote literal a line break. */
const TRIPLE_STOPS = { [QUOTE]: /["\\]/g, [APOSTROPHE]: /['\\]/g } as Record<number, RegExp>;
const SINGLE_STOPS = { [QUOTE]: /["\\\n\r]/g, [APOSTROPHE]: /['\\\n\r]/g } as Record<number, RegExp>;

/**
 * The end of the literal whose opening quote is at `quote` of `line` (past its closing quote), as CPython's lexer
 * finds it: a backslash takes the next character with it, raw or not; a one-quote literal ends at the line's end,
 * unclosed (undefined, as is a literal the line does not close). Its characters are read from `line`, which starts
 * at `start` of `text`; the two after a quote, which tell a triple quote, from `text` (they may lie past the line).
 */
function literalEnd(text: string, line: string, start: number, quote: number): number | undefined {
  const q = line.charCodeAt(quote);
  const triple = text.charCodeAt(start + quote + 1) === q && text.charCodeAt(start + quote + 2) === q;
  const stops = (triple ? TRIPLE_STOPS : SINGLE_STOPS)[q]!;
  stops.lastIndex = quote + (triple ? 3 : 1);
  for (let m = stops.exec(line); m !== null; m = stops.exec(line)) {
    const j = m.index;
    const c = line.charCodeAt(j);
    if (c === BACKSLASH) stops.lastIndex = j + 2;
    else if (c !== q) return undefined;
    else if (!triple) return j + 1;
    else if (text.charCodeAt(start + j + 1) === q && text.charCodeAt(start + j + 2) === q) return j + 3;
  }
  return undefined;
}

const isLetter = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
/** `[\w\u00a1-\uffff]`, what a name continues with (python-snippet.ts's ID). */
export const isWordPart = (c: number) => isLetter(c) || c === 95 || (c >= 48 && c <= 57) || (c >= 0xa1 && c <= 0xffff);
