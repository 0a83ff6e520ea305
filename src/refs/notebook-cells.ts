/**
 * The `source` of each code cell of a Jupyter notebook, in order, as nbformat 4 stores it (a list of strings, or one
 * string: made a list of one), or undefined when the text is not a notebook's JSON (no `cells` array). Markdown and
 * raw cells are not code. Light, so that the screen (search.ts) and the finder (python-notebook.ts) read cells alike.
 */
export function codeCellSources(text: string): (readonly unknown[])[] | undefined {
  let nb: unknown;
  try {
    // Attacker-controlled JSON: only read, never evaluated; the scan bounds its size before it gets here.
    nb = JSON.parse(text);
  } catch {
    return undefined;
  }
  const cells = (nb as { cells?: unknown })?.cells;
  if (!Array.isArray(cells)) return undefined;
  const out: (readonly unknown[])[] = [];
  for (const cell of cells as unknown[]) {
    const c = cell as { cell_type?: unknown; source?: unknown };
    if (c?.cell_type !== 'code') continue;
    out.push(Array.isArray(c.source) ? c.source : typeof c.source === 'string' ? [c.source] : []);
  }
  return out;
}
