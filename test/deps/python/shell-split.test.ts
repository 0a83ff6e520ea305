import { describe, expect, it } from 'vitest';
import { shellSplit } from '../../../src/deps/parsers/python/shell-split.js';

describe('shellSplit', () => {
  it.each([
    // Control operators are words of their own, spaced or not (POSIX token recognition).
    ['(cd app&&pip install -r a.lst)', ['(', 'cd', 'app', '&&', 'pip', 'install', '-r', 'a.lst', ')']],
    ['a||b;c|d&e', ['a', '||', 'b', ';', 'c', '|', 'd', '&', 'e']],
    ['a;;b |& c', ['a', ';', 'b', '|', 'c']],
    // A redirection's `&` / `|` is part of it.
    ['x 2>&1 &>log >|f', ['x', '2>&1', '&>log', '>|f']],
    // Quotes group and are removed; what an expansion holds stays in its word.
    ['pip install -r "a (b).lst" \'c;d\'', ['pip', 'install', '-r', 'a (b).lst', 'c;d']],
    ['echo $(ls a && ls b) `x | y` ${A:-(z)}', ['echo', '$(ls a && ls b)', '`x | y`', '${A:-(z)}']],
    ["-r ${{ matrix.req || 'r.txt' }}", ['-r', "${{ matrix.req || 'r.txt' }}"]],
    ['a\\;b "q\\"r"', ['a;b', 'q"r']],
  ])('%j', (line, want) => {
    expect(shellSplit(line)).toEqual(want);
  });

  it('leaves a line whose quote or expansion does not close to the caller, which may split it with them as text', () => {
    expect(shellSplit("it's (x)")).toBeUndefined();
    expect(shellSplit("it's (x)", false)).toEqual(["it's", '(', 'x', ')']);
    expect(shellSplit('a $(b', false)).toEqual(['a', '$', '(', 'b']);
  });

  it('splits hostile lines in one pass', () => {
    const long = 200_000;
    const started = performance.now();
    for (const line of ['a'.repeat(long) + '&', '${'.repeat(long / 2), '$('.repeat(long / 2) + "'", '>'.repeat(long)]) {
      expect(shellSplit(line) ?? shellSplit(line, false)).toBeDefined();
    }
    // Quadratic, the first two took tens of seconds.
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
