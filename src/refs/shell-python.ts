import { findPythonReferences } from './python.js';
import { PYTHON_INTERPRETER } from './prefilter.js';
import { CommentLines, MAX_NESTING, commandStart, lineIndex, lineStarts, nestingDepth } from './text.js';
import type { FileReferences } from './types.js';

/**
 * Python a shell script or Dockerfile runs inline — `python -c "…"` and `python - <<'EOF'` … `EOF` — read by the Python
 * finders: `RUN python -c "from sentence_transformers import SentenceTransformer; SentenceTransformer('org/x')"` is
 * how images bake a model in at build time. The code is what the shell hands the interpreter (POSIX shell quoting:
 * inside double quotes `\"`, `\\`, `\$`, `` \` `` and a backslash-newline are escapes; single quotes and a quoted
 * heredoc delimiter take the text as written), each reference at the line and column of the script where its
 * text stands. A model name the shell expands (`"$MODEL"` in double quotes or an unquoted heredoc) is the run
 * time's. Loaded only for a script `holdsInlinePython` says has some (it brings the Python parser). Never run.
 */
export function findInlinePythonReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences & { readonly unread: number } {
  const out: FileReferences = { references: [], dynamic: [] };
  const at = lineIndex(text);
  const pieces = inlinePython(text);
  // Pieces past MAX_PIECES, nested deeper than hand-written code, or that a parser gives up on: not searched, and
  // counted by the caller (the script's other commands were read).
  let unread = Math.max(0, pieces.length - MAX_PIECES);
  for (const code of pieces.slice(0, MAX_PIECES)) {
    let found: FileReferences;
    try {
      if (nestingDepth(code.text) > MAX_NESTING) throw new RangeError('nested too deep');
      found = findPythonReferences(path, code.text, existsLocally);
    } catch {
      unread++;
      continue;
    }
    const starts = lineStarts(code.text);
    const place = (line: number, column: number) => {
      const offset = (starts[line - 1] ?? 0) + column - 1;
      return at(code.origin[Math.min(offset, code.origin.length - 1)] ?? code.start);
    };
    for (const r of found.references) {
      const where = place(r.line, r.column);
      const named = r.repoId ?? r.url ?? '';
      if (code.expands && named.includes(EXPANSION)) {
        out.dynamic.push({ path, ...where, via: r.via, runsRemoteCode: r.runsRemoteCode });
        continue;
      }
      // A revision the shell expands is some revision decided at run time (shell-words.ts `commandDownload`).
      if (code.expands && r.revision?.includes(EXPANSION)) {
        const { revision: _expanded, ...rest } = r;
        out.references.push({ ...rest, ...where, revisionKind: 'ref', inline: 'python' });
      } else out.references.push({ ...r, ...where, inline: 'python' });
    }
    for (const d of found.dynamic) out.dynamic.push({ ...d, ...place(d.line, d.column) });
  }
  return { ...out, unread };
}

/** The most pieces of inline Python read in one script (each is a finder's run). */
const MAX_PIECES = 1000;

/** One piece of inline Python: its text, and for each of its characters the offset in the script it came from. */
interface InlineCode {
  readonly text: string;
  readonly origin: readonly number[];
  readonly start: number;
  /** Where the script goes on past it (its closing quote or delimiter line). */
  readonly end: number;
  /** The shell expands `$…` in it (double quotes, an unquoted heredoc delimiter). */
  readonly expands: boolean;
}

const INLINE_C = new RegExp(`${PYTHON_INTERPRETER}\\s+-c\\s*("|')`, 'g');
const HEREDOC = new RegExp(`${PYTHON_INTERPRETER}(?:\\s+-)?\\s*<<(-?)\\s*(["']?)([A-Za-z_][\\w-]*)\\2`, 'g');

/** The inline Python of a script, in file order. */
function inlinePython(text: string): InlineCode[] {
  const out: InlineCode[] = [];
  // Each piece's text is read once: a match inside a piece already read is part of it, and a quote that never
  // closes holds the rest of the script (linear in the script, whatever it holds).
  let read = 0;
  let comments = new CommentLines(text);
  for (const m of text.matchAll(INLINE_C)) {
    if (m.index < read || comments.at(commandStart(m))) continue;
    const open = m.index + m[0].length;
    const code = m[1] === "'" ? singleQuoted(text, open) : doubleQuoted(text, open);
    if (!code) break;
    out.push(code);
    read = code.end;
  }
  read = 0;
  comments = new CommentLines(text);
  for (const m of text.matchAll(HEREDOC)) {
    if (m.index < read || comments.at(commandStart(m))) continue;
    const code = heredoc(text, m.index + m[0].length, m[3]!, m[1] === '-', m[2] === '');
    if (!code) break;
    out.push(code);
    read = code.end;
  }
  return out.sort((a, b) => a.start - b.start);
}

/** `'…'`: the text up to the next `'`, as written (undefined when it never closes). */
function singleQuoted(text: string, from: number): InlineCode | undefined {
  const end = text.indexOf("'", from);
  if (end < 0) return undefined;
  const origin = Array.from({ length: end - from }, (_, i) => from + i);
  return { text: text.slice(from, end), origin, start: from, end: end + 1, expands: false };
}

/** `"…"`: POSIX shell's double-quote escapes applied, expansions marked (undefined when it never closes). */
function doubleQuoted(text: string, from: number): InlineCode | undefined {
  const code = new CodeBuilder();
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') return code.done(from, i + 1);
    if (c === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      if (next === '\n') {
        i++;
        continue;
      }
      if (next === '"' || next === '\\' || next === '$' || next === '`') {
        code.push(next, ++i);
        continue;
      }
    }
    const end = c === '$' || c === '`' ? expansionEnd(text, i) : i;
    if (end > i) {
      code.expansion(i);
      i = end - 1;
    } else code.push(c, i);
  }
  return undefined;
}

/**
 * What a shell expansion is replaced with in the code the finders read: a word a repo id may hold (a digit and
 * dashes, ids.ts `looksLikeRepoId`), so `"$MODEL"`, `"acme/$NAME"` and `f"{ORG}/$X"` still read as loads of a model,
 * whose name is then the run time's (`findInlinePythonReferences`).
 */
const EXPANSION = 'shell-expansion-';

/** Inline code as it is built, with each character's offset in the script. */
class CodeBuilder {
  private text = '';
  private readonly origin: number[] = [];
  private expansions = 0;

  push(c: string, at: number): void {
    this.text += c;
    this.origin.push(at);
  }

  /** A shell expansion at `at` (`$NAME`, `${…}`, `$(…)`, a backquoted command). */
  expansion(at: number): void {
    for (const c of `${EXPANSION}${this.expansions++}`) this.push(c, at);
  }

  done(start: number, end: number): InlineCode {
    return { text: this.text, origin: this.origin, start, end, expands: this.expansions > 0 };
  }
}

/**
 * Where the expansion starting at `i` (a `$` or a backquote) ends: `$NAME`, `$1`, `$@`…, `${…}`, `$(…)` (nested
 * parentheses counted), `` `…` ``; `i` itself when the `$` starts none (a `$` the shell leaves as it is).
 */
function expansionEnd(text: string, i: number, limit = Math.min(text.length, i + MAX_EXPANSION)): number {
  const within = (close: number) => (close < 0 || close >= limit ? limit : close + 1);
  if (text[i] === '`') return within(text.indexOf('`', i + 1));
  const next = text[i + 1];
  if (next === '{') return within(text.indexOf('}', i + 2));
  if (next === '(') {
    let depth = 0;
    for (let j = i + 1; j < limit; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) return j + 1;
    }
    return limit;
  }
  const name = /^(?:[A-Za-z_]\w*|[0-9@*#?$!-])/.exec(text.slice(i + 1, i + 65));
  return name ? i + 1 + name[0].length : i;
}

/** How far an expansion is looked for its end (one longer is taken to run that far): a bound on each search. */
const MAX_EXPANSION = 4096;

/**
 * A heredoc's body: the lines after the command's line up to one that is the delimiter alone (`<<-`: leading tabs
 * stripped from each line and the delimiter's). Unquoted, the shell expands `$…` in it (marked, as in double
 * quotes); a backslash-newline is left as written (Python continues the line too).
 */
function heredoc(
  text: string,
  from: number,
  delimiter: string,
  tabs: boolean,
  expands: boolean,
): InlineCode | undefined {
  const lineEnd = text.indexOf('\n', from);
  if (lineEnd < 0) return undefined;
  const code = new CodeBuilder();
  let start = lineEnd + 1;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    let skip = 0;
    if (tabs) while (text[start + skip] === '\t') skip++;
    const line = text.slice(start + skip, end);
    if (line === delimiter || line === `${delimiter}\r`) return code.done(lineEnd + 1, end);
    for (let i = start + skip; i < end; i++) {
      const c = text[i]!;
      const after = expands && c === '\\' && (text[i + 1] === '$' || text[i + 1] === '`') ? i + 1 : -1;
      if (after > 0) {
        code.push(text[after]!, after);
        i = after;
        continue;
      }
      const stop = expands && (c === '$' || c === '`') ? expansionEnd(text, i, end) : i;
      if (stop > i) {
        code.expansion(i);
        i = stop - 1;
      } else code.push(c, i);
    }
    code.push('\n', end);
    start = end + 1;
  }
  // No closing line: the shell reads to the end of the script.
  return code.done(lineEnd + 1, text.length);
}
