import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeUriComponent } from '../../src/core/uri-component.js';

describe('encodeUriComponent', () => {
  it.each([
    ['a lone high surrogate', 'a\ud800b', 'a%EF%BF%BDb'],
    ['a lone low surrogate', '\udc00', '%EF%BF%BD'],
    ['a high surrogate at the end', 'x\ud83d', 'x%EF%BF%BD'],
    ['a pair kept whole', 'x\ud83d\ude00', 'x%F0%9F%98%80'],
    ['two highs then a low: the first alone', '\ud800\ud800\udc00', '%EF%BF%BD%F0%90%80%80'],
  ])('%s', (_name, input, want) => {
    if (input !== 'x\ud83d\ude00') expect(() => encodeURIComponent(input)).toThrow(URIError);
    expect(encodeUriComponent(input)).toBe(want);
  });

  it('is encodeURIComponent of the UTF-8 that Buffer writes, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(encodeUriComponent(s)).toBe(encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8')));
      }),
    );
  });
});
