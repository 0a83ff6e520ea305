import { logicalLines, type LogicalLine } from './python-lines.js';
import { PYTHON_LOADER_WORDS } from './calls.js';

/**
 * The statements of a Python file that can change what the reference finder reports, copied into a small text for
 * the parser — parsing every line of a 50 KB training script to read three of them is what made source scanning
 * cost (bench `refs`). Kept, in file order:
 * - every import (they bind the names calls resolve through);
 * - every statement that may call a loader: it names a loader word (`from_pretrained`, a loader's module) or a name
 *   an import of such a module binds (`from transformers import pipeline as make`);
 * - every statement that may assign a name those statements read, and so on until no new name turns up (constants
 *   and the constants they are built from).
 * Each is the finder's input exactly as in the whole file, so it finds the same references; a statement that does
 * not parse on its own here sends the caller back to the whole file.
 */
export interface Snippet {
  readonly text: string;
  /** Offset in the file of each snippet offset, for lines and columns (undefined: text added to make it parse). */
  readonly original: (offset: number) => number;
}

const WORD = /[A-Za-z_\u00a1-\uffff][\w\u00a1-\uffff]*/g;
/** A word followed by `=` (not `==`): a superset of the plain assignments `Constants` records. */
const ASSIGNED = /([A-Za-z_\u00a1-\uffff][\w\u00a1-\uffff]*)[ \t\f\\\r\n]*=(?!=)/g;
/** Keywords in an import statement: never a bound name. */
const IMPORT_KEYWORDS = new Set(['from', 'import', 'as']);

/**
 * Text a statement needs around it to parse alone: a block header gets a body, `else`/`elif` an `if` before it,
 * `except`/`finally` a `try`, a decorator a function. `case` (inside `match`) is not worth it: undefined.
 */
function wrap(opener: string, header: boolean): { before: string; after: string } | undefined {
  if (opener === 'case') return undefined;
  const before =
    opener === 'elif' || opener === 'else'
      ? 'if 1:\n pass\n'
      : opener === 'except' || opener === 'finally'
        ? 'try:\n pass\n'
        : '';
  if (opener.startsWith('@')) return { before, after: 'def _():\n pass\n' };
  if (!header) return { before, after: '' };
  if (opener === 'match') return { before, after: ' case _:\n  pass\n' };
  if (opener === 'try') return { before, after: ' pass\nfinally:\n pass\n' };
  return { before, after: ' pass\n' };
}

/** The statements that matter, or undefined when the file must be parsed whole (see `logicalLines`). */
export function pythonSnippet(text: string): Snippet | undefined {
  const lines = logicalLines(text);
  if (!lines) return undefined;
  const words: string[][] = lines.map((l) => text.slice(l.start, l.end).match(WORD) ?? []);
  const keep = new Uint8Array(lines.length);
  // Names bound by imports of a loader's module (or of a `from_pretrained`): calls through them may be loaders.
  const triggers = new Set<string>(PYTHON_LOADER_WORDS);
  for (let i = 0; i < lines.length; i++) {
    const w = words[i]!;
    if (!w.includes('import')) continue;
    keep[i] = 1;
    if (w.some((x) => PYTHON_LOADER_WORDS.includes(x))) for (const x of w) if (!IMPORT_KEYWORDS.has(x)) triggers.add(x);
  }
  const assigners = new Map<string, number[]>();
  for (let i = 0; i < lines.length; i++) {
    const seg = text.slice(lines[i]!.start, lines[i]!.end);
    for (const m of seg.matchAll(ASSIGNED)) {
      const list = assigners.get(m[1]!);
      if (!list) assigners.set(m[1]!, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  }
  const names = new Set<string>();
  const work: number[] = [];
  const take = (i: number) => {
    if (keep[i] === 2) return;
    keep[i] = 2;
    work.push(i);
  };
  for (let i = 0; i < lines.length; i++) if (words[i]!.some((x) => triggers.has(x))) take(i);
  // Every name a kept statement reads brings in every statement that may assign it.
  while (work.length > 0) {
    for (const w of words[work.pop()!]!) {
      if (names.has(w)) continue;
      names.add(w);
      for (const j of assigners.get(w) ?? []) take(j);
    }
  }
  return build(text, lines, keep);
}

function build(text: string, lines: readonly LogicalLine[], keep: Uint8Array): Snippet | undefined {
  let out = '';
  // Pieces copied from the file: snippet offset, file offset (ascending).
  const from: number[] = [];
  const to: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!keep[i]) continue;
    const line = lines[i]!;
    const opener = /^(?:@|[A-Za-z_]\w*)/.exec(text.slice(line.start, line.start + 16))?.[0] ?? '';
    const around = wrap(opener, line.header);
    if (!around) return undefined;
    out += around.before;
    from.push(out.length);
    to.push(line.start);
    out += text.slice(line.start, line.end) + '\n' + around.after;
  }
  return {
    text: out,
    original: (offset) => {
      let lo = 0;
      let hi = from.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (from[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      return to[lo]! + offset - from[lo]!;
    },
  };
}
