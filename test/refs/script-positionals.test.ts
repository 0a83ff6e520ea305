import { describe, expect, it } from 'vitest';
import { scriptOptions } from '../../src/refs/python-argparse.js';
import { isDecided, parseCommand, type DecidedOptions } from '../../src/refs/script-positionals.js';

/**
 * script-positionals.ts against argparse.py `_parse_known_args` (Python 3.11): each expected value below is what
 * `parser.parse_known_args(words)` gave for the same parser.
 */
const parser = (lines: readonly string[]) =>
  decided(
    ['import argparse', 'parser = argparse.ArgumentParser()', ...lines, 'args = parser.parse_known_args()'].join('\n'),
  );

/** The options `scriptOptions` reads from `text`, which must decide the parser (`isDecided`). */
function decided(text: string): DecidedOptions {
  const options = scriptOptions(text);
  if (!isDecided(options)) throw new Error('the file does not decide the parser');
  return options;
}

/** Each positional's words as `parseCommand` gives them, or its verdict. */
function positionals(options: DecidedOptions, words: readonly string[]): Record<string, string[]> | string {
  const got = parseCommand(
    words.map((text) => ({ text, at: 0, expands: false })),
    options,
    () => false,
  );
  if (typeof got !== 'object') return String(got);
  return Object.fromEntries([...got.positionals].map(([dest, ts]) => [dest, ts.map((t) => t.text)]));
}

describe("a command line's words as argparse gives them to positionals (script-positionals.ts)", () => {
  const remainder = parser([
    'parser.add_argument("--lr")',
    'parser.add_argument("-v", action="store_true")',
    'parser.add_argument("data", nargs="*")',
    'parser.add_argument("model")',
    'parser.add_argument("rest", nargs=argparse.REMAINDER)',
  ]);

  it('matches the most positionals greedily before each option, REMAINDER taking the options after', () => {
    expect(positionals(remainder, ['a', 'b', '--lr', '1', 'm'])).toEqual({
      data: ['a'],
      model: ['b'],
      rest: ['--lr', '1', 'm'],
    });
    expect(positionals(remainder, ['a', '--lr', '1', 'b', 'c'])).toEqual({
      data: [],
      model: ['a'],
      rest: ['--lr', '1', 'b', 'c'],
    });
    expect(positionals(remainder, ['--', '-v', 'x'])).toEqual({ data: ['-v'], model: ['x'], rest: [] });
  });

  it("is the parser's error where argparse exits, and undecided where the file or the shell decides the words", () => {
    const strict = decided(
      'import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument("model")\nargs = parser.parse_args()\n',
    );
    expect(positionals(strict, ['a', 'b'])).toBe('error');
    expect(positionals(strict, [])).toBe('error');
    expect(positionals(parser(['parser.add_argument("model", action=Custom)']), ['a'])).toBe('undefined');
    const split = parseCommand([{ text: '$ARGS', at: 0, expands: true }], strict, () => false);
    expect(split).toBeUndefined();
  });

  it("reads an argument's nargs and action from its keywords, not from words in a string literal", () => {
    // argparse.py `add_argument` takes only the keywords: `help` is one string, whatever it says. Read as nargs=2,
    // one word was the parser's error where argparse loads.
    const one = parser(['parser.add_argument("model", help="nargs=2, in a help")']);
    expect(positionals(one, ['a'])).toEqual({ model: ['a'] });
    const help = parser([
      'parser.add_argument("model", help="two words: nargs=2, in a help")',
      'parser.add_argument("rest", help="(nargs=\\"+\\")", nargs="*")',
    ]);
    expect(positionals(help, ['a'])).toEqual({ model: ['a'], rest: [] });
    expect(positionals(help, ['a', 'b', 'c'])).toEqual({ model: ['a'], rest: ['b', 'c'] });
    const prose = parser(['parser.add_argument("model", help="not action=\'store_true\', nor **kwargs")']);
    expect(positionals(prose, ['a'])).toEqual({ model: ['a'] });
  });

  it('matches in bounded work the patterns a hostile parser writes, over a long command', () => {
    // Three variable-length positionals before five of eight words each: a failing match tries every way the first
    // three can share the words, which the bounds on a parser keep small; more positionals are not followed.
    const many = parser([
      'parser.add_argument("--lr")',
      ...['*', '*', '*'].map((n, i) => `parser.add_argument("v${i}", nargs="${n}")`),
      ...Array.from({ length: 5 }, (_, i) => `parser.add_argument("c${i}", nargs=8)`),
    ]);
    const words = [
      ...Array.from({ length: 39 }, () => 'w'),
      ...Array.from({ length: 100_000 }, (_, i) => (i % 2 ? 'x' : '--lr')),
    ];
    expect(positionals(many, words)).toBe('error');
    const tooMany = parser(Array.from({ length: 9 }, (_, i) => `parser.add_argument("p${i}")`));
    expect(positionals(tooMany, ['a'])).toBe('undefined');
  });
});
