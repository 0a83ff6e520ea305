import { describe, expect, it } from 'vitest';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';
import { findPythonReferencesInWholeFile } from '../../src/refs/python.js';

/**
 * `global` / `nonlocal` as CPython's grammar reads them (`global_stmt: 'global' ','.NAME+`): a trailing comment, a
 * `;` and another statement, or a continued line leave the declaration what it is. Here `load()` declares `name`
 * global and rebinds it, so the module's `name` has two values: each load of it is chosen at run time. Read as no
 * declaration, `load()`'s `name` was a local of its own, and both calls named one model each. A declaration is a
 * statement wherever one starts: after a `;` (`x = 1; global name`) or on a one-line block's header.
 */
const program = (declaration: string) =>
  [
    'from transformers import AutoModel',
    'name = "acme/module"',
    'def load():',
    `    ${declaration}`,
    '    name = "acme/global"',
    '    return AutoModel.from_pretrained(name)',
    'def use():',
    '    return AutoModel.from_pretrained(name)',
    '',
  ].join('\n');

const answer = (found: ReturnType<typeof findPythonReferencesInWholeFile> | undefined) => ({
  refs: found?.references.map((r) => `${r.repoId ?? r.url}@${r.line}`),
  dynamic: found?.dynamic.map((d) => d.line),
});

describe('global and nonlocal declarations with more on their line', () => {
  it.each([
    ['plain', 'global name'],
    ['a trailing comment', 'global name  # the module default'],
    ['another statement after a semicolon', 'global name; x = 1'],
    ['a continued line', 'global other, \\\n        name'],
    ['after another statement and a semicolon', 'x = 1; global name'],
    ['after a semicolon with no blank', 'x = 1;global name'],
    ['the body of a one-line if', 'if True: global name'],
  ])('%s: the module name has two values', (_case, declaration) => {
    const text = program(declaration);
    const whole = findPythonReferencesInWholeFile('d.py', text, () => false);
    expect(answer(whole)).toEqual({
      refs: [],
      dynamic: [declaration.includes('\n') ? 7 : 6, declaration.includes('\n') ? 9 : 8],
    });
    // The quick finder reads the same scopes (python-scopes.ts): it answers alike, or leaves the file to the parser.
    const fast = findPythonReferencesFast('d.py', text, () => false);
    if (fast) expect(answer(fast)).toEqual(answer(whole));
  });
});

describe('words that are no declaration', () => {
  it.each([
    ['a longer name', 'global_name = 1'],
    ['in a string after a semicolon', 'x = "a; global name"'],
    ['in a comment after a semicolon', 'x = 1  # ; global name'],
    ['after a slice colon', 'x = y[1: global_name]'],
  ])('%s: load() keeps its own name', (_case, line) => {
    const text = program(line);
    const whole = findPythonReferencesInWholeFile('d.py', text, () => false);
    expect(answer(whole)).toEqual({ refs: ['acme/global@6', 'acme/module@8'], dynamic: [] });
    const fast = findPythonReferencesFast('d.py', text, () => false);
    if (fast) expect(answer(fast)).toEqual(answer(whole));
  });
});
