/**
 * String surgery that regular expressions made quadratic on hostile input. V8's engine backtracks: `/\/+$/` tries
 * every start in a run of slashes and `/#.*$/` every `#` before the last line break, so one lockfile value of 50,000
 * slashes or `#`s took a second per call, and a megabyte would take hours. These give the same answers in one pass
 * (test/core/linear-text.test.ts holds each to the expression it replaces).
 */

/** What `.` does not match (and `$` without the `m` flag sees only the end). */
export const isLineTerminator = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** Whether `s` holds a line terminator (`.` would stop at it). */
export function hasLineTerminator(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isLineTerminator(s.charCodeAt(i))) return true;
  return false;
}

/** The first offset `.*$` can reach the end from: just after the last line terminator. */
function lastLineStart(s: string): number {
  for (let i = s.length - 1; i >= 0; i--) if (isLineTerminator(s.charCodeAt(i))) return i + 1;
  return 0;
}

/** `s.replace(/c+$/, '')` for one character `c`. */
export function trimEndRun(s: string, c: string): string {
  const code = c.charCodeAt(0);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === code) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** `s.replace(/^c+|c+$/g, '')` for one character `c`. */
export function trimRun(s: string, c: string): string {
  const code = c.charCodeAt(0);
  let start = 0;
  while (start < s.length && s.charCodeAt(start) === code) start++;
  return trimEndRun(s.slice(start), c);
}

/**
 * Where `/[chars].*$/` matches `s` (`chars` a set of single characters, no flags): the first of them after the last
 * line terminator; -1 for none.
 */
export function tailIndexOfAny(s: string, chars: string): number {
  for (let i = lastLineStart(s); i < s.length; i++) if (chars.includes(s[i]!)) return i;
  return -1;
}

/** Where `/literal.*$/` matches `s` (a literal with no line terminator in it): -1 for none. */
export function tailIndexOf(s: string, literal: string): number {
  return s.indexOf(literal, lastLineStart(s));
}

/** `s.replace(/[chars].*$/, '')`. */
export function cutTailAny(s: string, chars: string): string {
  const at = tailIndexOfAny(s, chars);
  return at < 0 ? s : s.slice(0, at);
}

/** `s.replace(/literal.*$/, '')`. */
export function cutTail(s: string, literal: string): string {
  const at = tailIndexOf(s, literal);
  return at < 0 ? s : s.slice(0, at);
}

/** `/literal(.*)$/.exec(s)?.[1]`: what follows the literal's first place in the last line. */
export function afterTail(s: string, literal: string): string | undefined {
  const at = tailIndexOf(s, literal);
  return at < 0 ? undefined : s.slice(at + literal.length);
}

/**
 * `new RegExp(`::(?:.*&)?${name}=([^${stops}]+)`).exec(s)?.[1]` (yarn berry's `::locator=…&__archiveUrl=…` binding
 * parameters): after the first `::` that has one, the last `&name=` of its line with a value, else `name=` right
 * after the `::`. The expression ran its greedy `.*&` back over the line from every `::` (quadratic).
 */
export function bindingParameter(s: string, name: string, stops: string): string | undefined {
  const value = (at: number) => {
    let end = at;
    while (end < s.length && !stops.includes(s[end]!)) end++;
    return end > at ? s.slice(at, end) : undefined;
  };
  const param = `&${name}=`;
  // Lines whose `&name=` were all tried from an earlier `::`: a later `::` on them sees fewer.
  let triedUntil = -1;
  let lineEnd = -1;
  for (let p = s.indexOf('::'); p >= 0; p = s.indexOf('::', p + 1)) {
    // The end of the line `p` is on (found once a line).
    if (lineEnd < p + 2) {
      lineEnd = p + 2;
      while (lineEnd < s.length && !isLineTerminator(s.charCodeAt(lineEnd))) lineEnd++;
    }
    if (lineEnd !== triedUntil) {
      for (let a = s.lastIndexOf(param, lineEnd - param.length); a >= p + 2; a = s.lastIndexOf(param, a - 1)) {
        const v = value(a + param.length);
        if (v !== undefined) return v;
      }
      triedUntil = lineEnd;
    }
    if (s.startsWith(`${name}=`, p + 2)) {
      const v = value(p + 2 + name.length + 1);
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/**
 * `s.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, '')`: single- and double-quoted strings (a backslash escaping the next
 * character, not a line terminator) taken out. The expression read every `"` of an unterminated string such as
 * `a\"\"\"…` to the end again (quadratic: a 40 KB shell word took 8 s). A `"` inside the stretch one such scan ran
 * over was escaped there, so its own scan runs over the rest of that stretch the same way, and fails where it did.
 */
export function withoutQuoted(s: string): string {
  let out = '';
  let kept = 0;
  let failedTo = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    let end = -1;
    if (c === "'") end = s.indexOf("'", i + 1);
    else if (c === '"' && i > failedTo) {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') {
        if (s[j] !== '\\') j++;
        else if (j + 1 < s.length && !isLineTerminator(s.charCodeAt(j + 1))) j += 2;
        else break;
      }
      if (j < s.length && s[j] === '"') end = j;
      else failedTo = j;
    }
    if (end < 0) continue;
    out += s.slice(kept, i);
    kept = end + 1;
    i = end;
  }
  return kept === 0 ? s : out + s.slice(kept);
}

/**
 * `s.replace(/@[^/]*$/, '')` (with `mark` for `@`, `sep` for `/`): from the first `mark` after the last `sep` on. The
 * expression read from every `mark` of `@@@@…/@` to the next `sep` again (quadratic).
 */
export function cutLastSegmentFrom(s: string, mark: string, sep: string): string {
  const at = s.indexOf(mark, s.lastIndexOf(sep) + 1);
  return at < 0 ? s : s.slice(0, at);
}

/**
 * `s.replace(/(^|\s)#.*$/, '')`: a `#` comment (at the start or after white space, with the white space before it)
 * on the last line cut off. The expression tried every white space + `#` pair on to the end of the text (quadratic:
 * a 120 KB line of `#\t#\t…` took 7 s). Only a `#` after the last line terminator can reach `$`; the one just
 * after that terminator counts too, the terminator being white space.
 */
export function cutComment(s: string): string {
  for (let at = s.indexOf('#', lastLineStart(s)); at >= 0; at = s.indexOf('#', at + 1)) {
    if (at === 0) return '';
    if (/\s/.test(s[at - 1]!)) return s.slice(0, at - 1);
  }
  return s;
}

/**
 * `new RegExp(`^${head}[ \\t]{${minBlanks},}[${quotes}]?([^${stops}]+?)[${quotes}]?[ \\t]*$`, 'm').exec(text)?.[1]`
 * — a setting line of a config file such as `.yarnrc`'s `yarn-path "x"` or `.npmrc`'s `pnpmfile = x` — where `head`
 * (sticky) matches one way only and gives no character back to the blanks after it; `stops` holds the quotes, `\r`
 * and `\n`, and no blank. The expression's blank runs on both sides of the lazy value were cubic (a 6 KB `.yarnrc`
 * line took 50 s). Tried in the expression's order: all the blanks, then one fewer, which leaves the value that
 * single blank; fewer still answers no differently.
 */
export function settingLineValue(
  text: string,
  head: RegExp,
  minBlanks: 0 | 1,
  quotes: string,
  stops: string,
): string | undefined {
  const isBlank = (i: number) => text[i] === ' ' || text[i] === '\t';
  const isEnd = (i: number) => i >= text.length || isLineTerminator(text.charCodeAt(i));
  // The blank run [runFrom, runEnd) last found: `[quote]?[ \t]*$` from any `e` inside it reads no blank again.
  let runFrom = -1;
  let runEnd = -1;
  const closes = (e: number) => {
    const j = e < text.length && quotes.includes(text[e]!) ? e + 1 : e;
    if (j < runFrom || j > runEnd) {
      runFrom = runEnd = j;
      while (isBlank(runEnd)) runEnd++;
    }
    return isEnd(runEnd);
  };
  for (let start = 0; start <= text.length;) {
    head.lastIndex = start;
    if (head.exec(text) !== null) {
      const p = head.lastIndex;
      let k = p;
      while (isBlank(k)) k++;
      if (k - p >= minBlanks) {
        const s = k < text.length && quotes.includes(text[k]!) ? k + 1 : k;
        for (let e = s + 1; e <= text.length && !stops.includes(text[e - 1]!); e++)
          if (closes(e)) return text.slice(s, e);
      }
      // One blank fewer: the value is the last blank, if the rest of the line closes it.
      if (k - p - 1 >= minBlanks && closes(k)) return text.slice(k - 1, k);
    }
    let next = start;
    while (next < text.length && !isLineTerminator(text.charCodeAt(next))) next++;
    start = next + 1;
  }
  return undefined;
}
