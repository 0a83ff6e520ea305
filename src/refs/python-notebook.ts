import { findPythonReferences } from './python.js';
import { lineIndex } from './text.js';
import type { FileReferences } from './types.js';

/**
 * Model references in a Jupyter notebook (`.ipynb`, nbformat 4): the code cells, in order, read as one Python file —
 * the kernel runs them in one namespace, so a constant set in one cell names the model another cell loads. Markdown
 * and raw cells, and outputs, are not code. IPython magics and shell escapes (`%pip`, `!cmd`, `%%bash` cells) are
 * not Python: blanked, keeping the line count. Each reference is reported at its line and column in the notebook's
 * JSON text, where the cell's source string holds it.
 */
export function findNotebookReferences(
  path: string,
  text: string,
  existsLocally: (p: string) => boolean,
): FileReferences {
  const none: FileReferences = { references: [], dynamic: [] };
  const lines = codeLines(text);
  if (!lines) return none;
  const found = findPythonReferences(path, lines.map((l) => l.code).join('\n'), existsLocally);
  const place = (line: number, column: number) => {
    const l = lines[line - 1];
    if (!l) return { line, column };
    // The column in the JSON text: past the string's opening quote and the escaped form of what precedes it.
    const before = JSON.stringify(l.code.slice(0, column - 1)).length - 2;
    return { line: l.line, column: l.column + 1 + before };
  };
  return {
    references: found.references.map((r) => ({ ...r, ...place(r.line, r.column) })),
    dynamic: found.dynamic.map((d) => ({ ...d, ...place(d.line, d.column) })),
  };
}

interface CodeLine {
  /** The Python line (without its newline). */
  readonly code: string;
  /** Where the JSON string holding it starts (its quote), 1-based. */
  readonly line: number;
  readonly column: number;
}

/** The code cells' lines with their place in the JSON text, or undefined when this is not a notebook. */
function codeLines(text: string): CodeLine[] | undefined {
  let nb: unknown;
  try {
    // Attacker-controlled JSON: only read, never evaluated; the scan bounds its size before it gets here.
    nb = JSON.parse(text);
  } catch {
    return undefined;
  }
  const cells = (nb as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) return undefined;
  const at0 = lineIndex(text);
  const out: CodeLine[] = [];
  let cursor = 0;
  for (const cell of cells as unknown[]) {
    const c = cell as { cell_type?: unknown; source?: unknown };
    if (c?.cell_type !== 'code') continue;
    const source = Array.isArray(c.source) ? c.source : typeof c.source === 'string' ? [c.source] : [];
    const cellMagic = typeof source[0] === 'string' && source[0].startsWith('%%');
    for (const piece of source) {
      if (typeof piece !== 'string') continue;
      // nbformat writes each line as one JSON string; found in order, so two equal lines map to their own places.
      const at = text.indexOf(JSON.stringify(piece), cursor);
      if (at >= 0) cursor = at + 1;
      const where = at0(at >= 0 ? at : cursor);
      // A string may itself hold several lines (a cell's source as one string): each gets the string's place.
      for (const code of piece.replace(/\n$/, '').split('\n'))
        out.push({ code: cellMagic || /^\s*[%!]/.test(code) ? '' : code, ...where });
    }
  }
  return out;
}
