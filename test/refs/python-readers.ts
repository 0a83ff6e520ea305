import { expect } from 'vitest';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';

const noLocal = () => false;

/**
 * The references the scan's Python reader gives for `text`, held equal to lezer's reading of the whole file, one line
 * each: `line repo@revision` with ` name:…`, ` rev:…` (where the name or revision is read at run time) and ` oneOf:n`
 * when present; then `line dynamic` per run-time note.
 */
export function pythonReferenceLines(text: string, path = 'app.py'): string[] {
  const got = findPythonReferences(path, text, noLocal);
  expect(got).toEqual(findPythonReferencesInWholeFile(path, text, noLocal));
  return [
    ...got.references.map(
      (r) =>
        `${r.line} ${r.repoId}@${r.revision ?? '-'}${r.nameFrom ? ` name:${r.nameFrom}` : ''}` +
        `${r.revisionFrom ? ` rev:${r.revisionFrom}` : ''}${r.oneOf ? ` oneOf:${r.oneOf}` : ''}`,
    ),
    ...got.dynamic.map((d) => `${d.line} dynamic`),
  ];
}
