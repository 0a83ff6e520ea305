import { describe, expect, it } from 'vitest';
import { keptScopeStatements, keptStatements } from '../../src/refs/python-snippet.js';
import { findPythonReferences, findPythonReferencesInWholeFile } from '../../src/refs/python.js';
import { findPythonReferencesFast } from '../../src/refs/python-fast.js';

/**
 * The snippet's closure by Python's scopes (python-snippet.ts `scopedBindings`): a name a kept statement reads brings
 * in its bindings in that statement's scope and the scopes around it, never another function's — a test module where
 * every method binds `path` kept every method's `path = …` and all they read, a third of a 385 KB file. Those other
 * bindings still go to python-scopes.ts (`keptScopeStatements`), so the whole-file reader keeps telling them apart.
 */
const texts = (text: string, lines: readonly { start: number; end: number }[] | undefined) =>
  lines?.map((l) => text.slice(l.start, l.end));

const local = () => false;

/** What each of the three readers reports: the whole file, the snippet, the reader without a parser. */
function answers(text: string) {
  const show = (r: ReturnType<typeof findPythonReferencesInWholeFile> | undefined) =>
    r && [...r.references.map((x) => `${x.line} ${x.repoId}`), ...r.dynamic.map((d) => `${d.line} dynamic`)];
  const whole = show(findPythonReferencesInWholeFile('s.py', text, local));
  expect(show(findPythonReferences('s.py', text, local))).toEqual(whole);
  const fast = show(findPythonReferencesFast('s.py', text, local));
  if (fast) expect(fast).toEqual(whole);
  return whole;
}

describe('the snippet keeps the bindings a kept statement can see', () => {
  const text = [
    'from transformers import AutoModel',
    'size = "base"',
    'def load():',
    '    path = "acme/" + size',
    '    return AutoModel.from_pretrained(path)',
    'def other():',
    '    path = build(secret)',
    '    secret = make()',
    '    return path',
    '',
  ].join('\n');

  it("keeps the function's own binding and the module's, not another function's or what that one reads", () => {
    expect(texts(text, keptStatements(text))).toEqual([
      'from transformers import AutoModel',
      'size = "base"',
      'path = "acme/" + size',
      'return AutoModel.from_pretrained(path)',
    ]);
    // The other function's binding of the name is read for the scopes, not what it reads.
    expect(texts(text, keptScopeStatements(text))).toEqual([
      'from transformers import AutoModel',
      'size = "base"',
      'path = "acme/" + size',
      'return AutoModel.from_pretrained(path)',
      'path = build(secret)',
    ]);
    expect(answers(text)).toEqual(['5 acme/base']);
  });

  it('keeps every binding of a name a global statement declares', () => {
    const declared = text.replace('    path = build(secret)', '    global path\n    path = build(secret)');
    expect(texts(declared, keptStatements(declared))).toContain('path = build(secret)');
    // `other()` binds the module's `path` now; `load()` still reads its own.
    expect(answers(declared)).toEqual(['5 acme/base']);
  });

  it('keeps a binding of an instance attribute in any method', () => {
    const attribute = [
      'from transformers import AutoModel',
      'class Loader:',
      '    def __init__(self, name="acme/attr"):',
      '        self.name = name',
      '    def go(self):',
      '        return AutoModel.from_pretrained(self.name)',
      'def elsewhere():',
      '    name = "acme/other"',
      '',
    ].join('\n');
    const kept = texts(attribute, keptStatements(attribute));
    expect(kept).toContain('self.name = name');
    expect(kept).toContain('def __init__(self, name="acme/attr"):');
    expect(kept).not.toContain('name = "acme/other"');
    expect(answers(attribute)).toEqual(['6 acme/attr']);
  });

  it("keeps a comprehension's target anywhere, as the readers bind it over the whole file", () => {
    const comprehension = [
      'from transformers import AutoModel',
      'ms = [AutoModel.from_pretrained(X) for X in ["acme/g1", "acme/g2"]]',
      'def f():',
      '    return [X for before_X, X in pairs()]',
      '',
    ].join('\n');
    expect(texts(comprehension, keptStatements(comprehension))).toContain('return [X for before_X, X in pairs()]');
    answers(comprehension);
  });

  it('reads a nested function through the bindings of the function around it', () => {
    const nested = [
      'from transformers import AutoModel',
      'def outer():',
      '    repo = "acme/outer"',
      '    def inner():',
      '        return AutoModel.from_pretrained(repo)',
      '    return inner',
      'def sibling():',
      '    repo = "acme/sibling"',
      '',
    ].join('\n');
    const kept = texts(nested, keptStatements(nested));
    expect(kept).toContain('repo = "acme/outer"');
    expect(kept).not.toContain('repo = "acme/sibling"');
    expect(answers(nested)).toEqual(['5 acme/outer']);
  });
});
