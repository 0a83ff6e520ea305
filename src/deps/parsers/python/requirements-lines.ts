import { trimRun } from '../../../core/linear-text.js';
/** One logical line of a requirements file: continuations joined, comments removed, with its first line number. */
export interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

/**
 * Python's whitespace (`str.isspace`, the `\s` of a `str` regex), listed: JS `\s` lacks U+001C–U+001F and U+0085 and
 * has U+FEFF, which Python's has not — a `#` after a U+FEFF starts no comment for pip, so the options behind it apply.
 */
const PY_WS = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python's `str.splitlines` boundaries: besides \n, \r and \r\n also \v, \f, U+001C–U+001E, U+0085, U+2028/9. */
// eslint-disable-next-line no-control-regex -- U+001C–U+001E are line separators to Python, so they must be here
const PY_LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;
const COMMENT_LINE = new RegExp(`^[${PY_WS}]*#`);
const IS_PY_WS = new RegExp(`[${PY_WS}]`);
const isPyWs = (c: string | undefined) => c !== undefined && IS_PY_WS.test(c);

/**
 * pip's `COMMENT_RE.sub('', line).strip()` (`(^|\s+)#.*$`: a `#` at the start or after white space starts a
 * comment), by hand: the expressions ran a long run of white space to its end from each of its characters
 * (quadratic: 20,000 spaces took half a second). A logical line holds no line break, so a comment runs to its end.
 */
export function withoutComment(line: string): string {
  let end = line.length;
  for (let at = line.indexOf('#'); at >= 0; at = line.indexOf('#', at + 1))
    if (at === 0 || isPyWs(line[at - 1])) {
      end = at;
      break;
    }
  let start = 0;
  while (end > 0 && isPyWs(line[end - 1])) end--;
  while (start < end && isPyWs(line[start])) start++;
  return line.slice(start, end);
}

/**
 * The logical lines of a requirements file as pip's `req_file.preprocess` makes them: `content.splitlines()` (a
 * form feed or U+2028 ends a line for pip, so it must here: what follows it is a line of its own), `join_lines`
 * (a line ending in a backslash is joined to the next with its backslashes stripped and nothing put between; a
 * comment line ends the run), then `ignore_comments` (comments stripped, Python-whitespace trimmed, blanks dropped).
 * Linear in the text.
 */
export function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const raw = physicalLines(text);
  let parts: string[] = [];
  let start = 0;
  const flush = () => {
    const joined = withoutComment(parts.join(''));
    if (joined !== '') out.push({ line: start, text: joined });
    parts = [];
  };
  for (const { line, text: physical } of raw) {
    if (parts.length === 0) start = line;
    const isComment = COMMENT_LINE.test(physical);
    if (!isComment && physical.endsWith('\\')) {
      // Python's `line.strip("\\")`: every backslash at either end goes.
      parts.push(trimRun(physical, '\\'));
      continue;
    }
    // A comment line ends a continuation; pip prefixes it with a space so the comment is stripped from there.
    parts.push(isComment && parts.length > 0 ? ` ${physical}` : physical);
    flush();
  }
  if (parts.length > 0) flush();
  return out;
}

/**
 * The lines of `str.splitlines`, each numbered as an editor (and a SARIF viewer) numbers it: by the `\n` before it.
 * `splitlines` yields no empty last line for a text that ends with a line break.
 */
function physicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const re = new RegExp(PY_LINE_BREAK.source, 'g');
  let from = 0;
  let line = 1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ line, text: text.slice(from, m.index) });
    if (m[0].endsWith('\n')) line++;
    from = m.index + m[0].length;
  }
  if (from < text.length) out.push({ line, text: text.slice(from) });
  return out;
}

/**
 * pip's `break_args_options`: the line split on single spaces (not tabs), the requirement being the tokens before
 * the first one starting with `-`, the options string the rest.
 */
export function breakArgsOptions(line: string): { args: string; options: string } {
  const words = line.split(' ');
  const cut = words.findIndex((w) => w.startsWith('-'));
  return cut < 0
    ? { args: line, options: '' }
    : { args: words.slice(0, cut).join(' '), options: words.slice(cut).join(' ') };
}

/**
 * `shlex.split` in POSIX mode, as pip splits the options string: whitespace is space, tab, CR and LF; quotes group;
 * a backslash escapes the next character (inside double quotes only `\`, `"`). Undefined for an unclosed quote or
 * a trailing backslash, which pip reports as "Could not split options".
 */
export function shlexSplit(text: string): string[] | undefined {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\') {
        if (i + 1 >= text.length) return undefined;
        word += text[++i];
      } else word += c;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) out.push(word);
  return out;
}
