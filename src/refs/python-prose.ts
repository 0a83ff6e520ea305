/**
 * Where a Python file holds prose rather than code: its comments and its plain string literals (docstrings, log
 * messages, model ids). A name mentioned there is neither read nor changed by the program, so the text searches that
 * run over the whole file (python-dict-uses.ts, python-remote-code-writes.ts) skip it. f-strings are not prose: their
 * fields are code (`f"{kw.pop('revision')}"`), and they stay searched as code.
 *
 * The lexer follows @lezer/python's tokenizer (node_modules/@lezer/python/src/tokens.js `strings`; python.grammar
 * `Comment`, the string prefixes): a backslash takes the next character along, raw strings included; a short string
 * ends at its quote or at the end of its line; a long one only at its closing triple quote. A long string left open
 * is text the lexer cannot vouch for: then nothing is prose, and the searches read every mention as before.
 */

/** String prefixes @lezer/python knows, any case (stringPrefix, stringPrefixR, stringPrefixF, stringPrefixFR). */
const STRING_PREFIX = /^(?:[ub]|r|rb|br|f|rf|fr)$/i;

const SPECIAL = /[#'"]/g;

/**
 * Whether an offset of `text` lies in a comment or a plain string literal (its quotes included). The spans are found
 * on the first question: most files never ask.
 */
export function proseCheck(text: string): (at: number) => boolean {
  let spans: Int32Array | undefined;
  return (at) => {
    spans ??= proseSpans(text);
    // The last span starting at or before `at`: `at` is prose when that span reaches past it.
    let lo = 0;
    let hi = spans.length / 2;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (spans[mid * 2]! <= at) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && at < spans[(lo - 1) * 2 + 1]!;
  };
}

/** `[from, to)` pairs of every comment and plain string, in order; none when a long string never closes. */
export function proseSpans(text: string): Int32Array {
  const out: number[] = [];
  SPECIAL.lastIndex = 0;
  for (let m = SPECIAL.exec(text); m; m = SPECIAL.exec(text)) {
    const from = m.index;
    let to: number;
    if (m[0] === '#') {
      to = text.indexOf('\n', from);
      if (to < 0) to = text.length;
      out.push(from, to);
    } else {
      const prefix = prefixBefore(text, from);
      to = stringEnd(text, from);
      if (to < 0) return new Int32Array(0);
      if (!/f/i.test(prefix)) out.push(from - prefix.length, to);
    }
    SPECIAL.lastIndex = to;
  }
  return Int32Array.from(out);
}

/** The string prefix written right before a quote (`rb`, `f`…), or '' when the word there is none (or no word). */
function prefixBefore(text: string, quote: number): string {
  let i = quote;
  while (i > 0 && /[A-Za-z]/.test(text[i - 1]!)) i--;
  const word = text.slice(i, quote);
  // `x_f"…"` is no prefix: the word must start there.
  if (word === '' || (i > 0 && /[\w\u00a1-\uffff]/.test(text[i - 1]!))) return '';
  return STRING_PREFIX.test(word) ? word : '';
}

/** The offset just past the string opening at `from`; -1 for a long string that never closes. */
function stringEnd(text: string, from: number): number {
  const q = text[from]!;
  const long = text[from + 1] === q && text[from + 2] === q;
  let i = from + (long ? 3 : 1);
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') i++;
    else if (c === q && (!long || (text[i + 1] === q && text[i + 2] === q))) return i + (long ? 3 : 1);
    else if (c === '\n' && !long) return i;
  }
  return long ? -1 : i;
}
