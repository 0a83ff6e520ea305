/** One logical line of a requirements file: continuations joined, comments removed, with its first line number. */
export interface LogicalLine {
  readonly line: number;
  readonly text: string;
}

/** pip's `COMMENT_RE`: a `#` at the start or after whitespace starts a comment (a `#` inside a URL does not). */
const COMMENT = /(^|\s+)#.*$/;

/**
 * The logical lines of a requirements file as pip's `req_file.preprocess` makes them: `join_lines` joins a line
 * ending in a backslash with the next (a comment line ends the run), then `ignore_comments` strips comments and
 * drops blank lines. Linear in the text.
 */
export function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  const raw = text.split(/\r?\n/);
  let parts: string[] = [];
  let start = 0;
  const flush = () => {
    const joined = parts.join('').replace(COMMENT, '').trim();
    if (joined !== '') out.push({ line: start, text: joined });
    parts = [];
  };
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i]!;
    if (parts.length === 0) start = i + 1;
    const isComment = /^\s*#/.test(line);
    if (parts.length > 0 && isComment) {
      flush();
      continue;
    }
    if (!isComment && line.endsWith('\\')) {
      parts.push(`${line.slice(0, -1)} `);
      continue;
    }
    parts.push(line);
    flush();
  }
  if (parts.length > 0) flush();
  return out;
}

/** Split a logical line into whitespace-separated tokens (pip uses shlex; quotes are rare and kept simple here). */
export function tokens(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}
