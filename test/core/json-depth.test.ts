import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonNestingDepth } from '../../src/core/json-depth.js';

/** The definition, one character at a time: a backslash inside a string escapes the next character. */
function stepwise(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return deepest;
}

const CASES: { name: string; text: string; want: number }[] = [
  { name: 'flat object', text: '{"a": 1}', want: 1 },
  { name: 'nested', text: '{"a": [{"b": []}]}', want: 4 },
  { name: 'brackets inside a string', text: '{"a": "[[[{{{"}', want: 1 },
  { name: 'escaped quote inside a string', text: '{"a": "x\\"[[["}', want: 1 },
  { name: 'escaped backslash ends the string', text: '{"a": "x\\\\", "b": [[]]}', want: 3 },
  { name: 'three backslashes then a quote stay inside', text: '["\\\\\\"[[", []]', want: 2 },
  { name: 'escaped quote right after the opening one', text: '["\\"[", [[]]]', want: 3 },
  { name: 'unterminated string', text: '[[ "abc [[[[', want: 2 },
  { name: 'empty', text: '', want: 0 },
];

describe('jsonNestingDepth', () => {
  it.each(CASES)('$name', ({ text, want }) => {
    expect(jsonNestingDepth(text)).toBe(want);
    expect(stepwise(text)).toBe(want);
  });

  it('agrees with the character-by-character definition on any mix of brackets, quotes and backslashes', () => {
    const text = fc
      .array(fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', ' '), { maxLength: 60 })
      .map((a) => a.join(''));
    fc.assert(fc.property(text, (t) => jsonNestingDepth(t) === stepwise(t)));
  });

  it('stops once past the limit', () => {
    expect(jsonNestingDepth('[[[[[[', 3)).toBe(4);
  });
});
