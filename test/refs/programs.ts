import fc from 'fast-check';

/**
 * Generated Python programs for differential tests: statements drawn from `statements`, each at top level or
 * indented under a `def`, `if` or `class` head.
 */
export function pythonPrograms(statements: readonly string[], maxLength: number): fc.Arbitrary<string> {
  const block = fc.tuple(fc.constantFrom(...statements), fc.constantFrom('', 'def f():\n', 'if c:\n', 'class K:\n'));
  return fc
    .array(block, { minLength: 1, maxLength })
    .map((blocks) =>
      blocks.map(([s, head]) => (head === '' ? `${s}\n` : `${head}${s.replace(/^/gm, '    ')}\n`)).join(''),
    );
}
