import { describe, expect, it } from 'vitest';
import { respellForParser } from '../../../src/inspect/formats/chat-template-spelling.js';

type Method = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The characters `run` hands to the string and regular-expression methods that read a whole string (trimming,
 * slicing, end tests, unanchored searches): what rereading the code written so far costs, counted rather than timed.
 * The template itself is left out (the respeller reads it by index; a sticky pattern reads it from `lastIndex`).
 */
function charactersRead(template: string, run: () => void): number {
  let read = 0;
  const count = (s: unknown): void => {
    if (typeof s === 'string' && s !== template) read += s.length;
  };
  const saved: [object, string, Method][] = [];
  const wrap = (owner: object, name: string, measure: (self: unknown, args: unknown[]) => void): void => {
    const original = (owner as Record<string, Method>)[name]!;
    saved.push([owner, name, original]);
    (owner as Record<string, Method>)[name] = function (this: unknown, ...args: unknown[]) {
      measure(this, args);
      return original.apply(this, args);
    };
  };
  for (const name of ['trim', 'trimEnd', 'trimStart', 'slice', 'endsWith'])
    wrap(String.prototype, name, (self) => count(self));
  // RegExp.prototype.test calls `exec` (ECMA-262 RegExpExec), so wrapping `exec` sees both.
  for (const name of ['exec'])
    wrap(RegExp.prototype, name, (self, args) => {
      if (!(self as RegExp).sticky) count(args[0]);
    });
  try {
    run();
  } finally {
    for (const [owner, name, original] of saved) (owner as Record<string, Method>)[name] = original;
  }
  return read;
}

describe('chat template respelling for the parser', () => {
  // A tag of thousands of parentheses fits in a tokenizer config's 256 KiB template: each `(` and `)` must look at a
  // bounded part of what is written, not all of it (review: 240 KB took 16 s of CPU when every parenthesis did).
  it.each([
    ['nested groups', `{{ ${'('.repeat(4000)}1${')'.repeat(4000)} }}`],
    ['one-item tuples', `{% set t = [${'(1,),'.repeat(1600)}] %}`],
    ['calls and groups', `{{ ${'f(x or ( '.repeat(1000)}${' ,))'.repeat(1000)} }}`],
  ])('%s: the work grows with the template, not its square', (_, template) => {
    let out = '';
    const read = charactersRead(template, () => {
      out = respellForParser(template);
    });
    expect(out.length).toBeGreaterThan(0);
    // Linear: a few dozen characters per character of template (about 10-25 here); every `(` rereading the code
    // before it is thousands (2 500-11 000 for these three).
    expect(read).toBeLessThan(64 * template.length);
  });

  it('respells the tuples the parser refuses and leaves calls', () => {
    expect(respellForParser('{{ (1,) + ( ) + (a, b ,) + f(a,) + x or (y,) }}')).toBe(
      '{{ [1] + [ ] + [a, b ] + f(a,) + x or [y] }}',
    );
    expect(respellForParser('{% set t = ((1,),), %}')).toBe('{% set t = [[1]]%}');
  });
});

describe('statement tags with long runs of spaces (chat-template-statements.ts)', () => {
  // The end of a tag is found from the end: a `-?\s*%}` pattern tried at each space of a long run rescanned the run
  // each time (100,000 spaces: 7 s of CPU before). The answers are the pattern's.
  const spaces = ' '.repeat(100_000);
  it('drops a for-loop’s trailing recursive and keeps the whitespace-control dash of the close', () => {
    expect(respellForParser(`{% for x in xs${spaces}recursive${spaces}-%}{{ x }}{% endfor %}`)).toBe(
      `{% for x in xs -%}{{ x }}{% endfor %}`,
    );
    expect(respellForParser(`{% autoescape true${spaces}%}a{% endautoescape %}`)).toBe(
      `{% if true${spaces}%}a{% endif %}`,
    );
  });
});
