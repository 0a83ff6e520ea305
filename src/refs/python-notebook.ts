import { findPythonReferences } from './python.js';
import { findShellReferences } from './shell-commands.js';
import { codeCellSources } from './notebook-cells.js';
import { lineIndex } from './text.js';
import type { FileReferences, ImportedValues } from './types.js';

/**
 * Model references in a Jupyter notebook (`.ipynb`, nbformat 4): the code cells, in order, read as one Python file —
 * the kernel runs them in one namespace, so a constant set in one cell names the model another cell loads. Markdown
 * and raw cells, and outputs, are not code. IPython magics and shell escapes (`%pip`, `!cmd`, `%%bash` cells) are
 * not Python: blanked, keeping the line count. The shell escapes run their command in a shell (IPython
 * `InteractiveShell.system` for `!cmd` / `!!cmd`, the script magics for `%%bash`, `%%sh`, `%%script bash|sh`), so
 * they are read as a shell script is (shell-commands.ts: `!huggingface-cli download org/x` downloads), and so are
 * `%env X=v` settings. The magics that run their Python in the kernel's namespace are read as Python: a `%%time`,
 * `%%timeit`, `%%capture` or `%%prun` cell's body, and the statement after a `%time` / `%timeit` / `%prun` line magic
 * (IPython core/magics/execution.py `ExecutionMagics.time`: `exec(code, glob, local_ns)` over the user namespace;
 * `timeit` and `prun` likewise; basic.py `capture` runs the cell with `run_cell`). Each reference is reported at its
 * line and column in the notebook's JSON text, where the cell's source string holds it.
 */
export function findNotebookReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
  imported?: ImportedValues,
): FileReferences {
  const none: FileReferences = { references: [], dynamic: [] };
  const lines = codeLines(text);
  if (!lines) return none;
  const python = findPythonReferences(path, lines.map((l) => l.code).join('\n'), existsLocally, imported);
  const shell = lines.some((l) => l.shell !== '')
    ? findShellReferences(path, lines.map((l) => l.shell).join('\n'), existsLocally)
    : undefined;
  return placedInNotebook(lines, {
    // A shell escape's command is pinned as the CLI pins it (a flag), unless it is Python the command runs itself.
    references: [...python.references, ...(shell?.references ?? []).map((r) => ({ inline: 'shell' as const, ...r }))],
    dynamic: [...python.dynamic, ...(shell?.dynamic ?? [])],
  });
}

/**
 * The shell a notebook's escapes and shell cells run, one line per cell line (blank for Python), with what a reader of
 * that script finds moved to its place in the notebook's JSON text; undefined when it runs no shell.
 */
export function notebookShell(
  text: string,
): { shell: string; placed: (found: FileReferences) => FileReferences } | undefined {
  const lines = codeLines(text);
  if (!lines?.some((l) => l.shell !== '')) return undefined;
  return { shell: lines.map((l) => l.shell).join('\n'), placed: (found) => placedInNotebook(lines, found) };
}

/** References found at a line and column of the cells' lines, each at its place in the notebook's JSON text. */
function placedInNotebook(lines: readonly CodeLine[], found: FileReferences): FileReferences {
  const place = (line: number, column: number) => {
    const l = lines[line - 1];
    if (!l) return { line, column };
    // The column in the JSON text: past the string's opening quote and the escaped form of what precedes it.
    const before = JSON.stringify(l.raw.slice(0, column - 1 + l.shift)).length - 2;
    return { line: l.line, column: l.column + 1 + before };
  };
  return {
    references: found.references.map((r) => ({ ...r, ...place(r.line, r.column) })),
    dynamic: found.dynamic.map((d) => ({ ...d, ...place(d.line, d.column) })),
  };
}

/** The Python a notebook's code cells hold, as `findNotebookReferences` reads it; undefined for no notebook. */
export function notebookPython(text: string): string | undefined {
  return codeLines(text)
    ?.map((l) => l.code)
    .join('\n');
}

interface CodeLine {
  /** The Python line (without its newline); '' for a magic or shell line. */
  readonly code: string;
  /** The line as the cell holds it. */
  readonly raw: string;
  /** How many characters of `raw` a line magic before its statement takes: `code`'s columns are past them. */
  readonly shift: number;
  /** The shell command a shell escape runs, at the same columns (the `!` blanked); '' for any other line. */
  readonly shell: string;
  /** Where the JSON string holding it starts (its quote), 1-based. */
  readonly line: number;
  readonly column: number;
}

/** The code cells' lines with their place in the JSON text, or undefined when this is not a notebook. */
function codeLines(text: string): CodeLine[] | undefined {
  const cells = codeCellSources(text);
  if (!cells) return undefined;
  const at0 = lineIndex(text);
  const out: CodeLine[] = [];
  let cursor = 0;
  for (const source of cells) {
    const cellMagic = typeof source[0] === 'string' && source[0].startsWith('%%') && !PYTHON_CELL_MAGIC.test(source[0]);
    const shellCell = typeof source[0] === 'string' && /^%%(?:bash|sh|script\s+(?:ba)?sh)\b/.test(source[0]);
    let first = true;
    for (const piece of source) {
      if (typeof piece !== 'string') continue;
      // nbformat writes each line as one JSON string; found in order, so two equal lines map to their own places.
      const at = text.indexOf(JSON.stringify(piece), cursor);
      if (at >= 0) cursor = at + 1;
      const where = at0(at >= 0 ? at : cursor);
      // A string may itself hold several lines (a cell's source as one string): each gets the string's place.
      for (const code of piece.replace(/\n$/, '').split('\n')) {
        // `%env X=v` / `%set_env X=v` set the process environment (IPython's `env` magic): HF_ENDPOINT and the
        // offline switches are read from it as from a shell's assignment.
        const escape = /^(\s*)(!!?|%(?:set_)?env\b)/.exec(code);
        const shell = escape
          ? escape[1]! + ' '.repeat(escape[2]!.length) + code.slice(escape[0].length)
          : shellCell && !first
            ? code
            : '';
        first = false;
        // `%time stmt`: the statement, at its own indentation, its columns shifted past the magic (in a Python cell:
        // another cell magic's body is not Python).
        const timed = cellMagic ? null : PYTHON_LINE_MAGIC.exec(code);
        const python = timed ? timed[1]! + code.slice(timed[0].length) : cellMagic || /^\s*[%!]/.test(code) ? '' : code;
        out.push({ code: python, raw: code, shift: timed ? timed[0].length - timed[1]!.length : 0, shell, ...where });
      }
    }
  }
  return out;
}

/** Cell magics whose body is Python run in the kernel's namespace (its first line, the magic's own, is blanked). */
const PYTHON_CELL_MAGIC = /^%%(?:time|timeit|capture|prun)(?!\S)/;

/** `%time stmt` (`%timeit` / `%prun` with no options first): the indentation, then the magic and its blanks. */
const PYTHON_LINE_MAGIC = /^([ \t]*)%(?:time|timeit|prun)[ \t]+(?=[^\s-])/;
