import { expect } from 'vitest';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { judgeReference } from '../../src/refs/judge.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';

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

/**
 * Every finding the default policy gives the references `finder` reads in `text` (as app.py), as `RULE:line
 * repo@revision`, with `dynamic:line via` per run-time note, sorted.
 */
export function pythonFindings(text: string, finder = findPythonReferences): string[] {
  const r = finder('app.py', text, noLocal);
  return [
    ...r.references.flatMap((ref) =>
      judgeReference(ref, new Map(), DEFAULT_POLICY).map(
        (f) => `${f.ruleId}:${f.location.line} ${ref.url ?? ref.repoId}@${ref.revision ?? '-'}`,
      ),
    ),
    ...r.dynamic.map((d) => `dynamic:${d.line} ${d.via}`),
  ].sort();
}
