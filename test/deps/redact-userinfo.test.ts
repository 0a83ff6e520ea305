import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUserinfo } from '../../src/core/redact-userinfo.js';

// The expression redactUserinfo replaces (src/core/redact-userinfo.ts): the two must agree on every text.
const byRegExp = (text: string): string => text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');

describe('redactUserinfo', () => {
  it.each([
    ['https token', 'see https://user:tok@registry.example/x', 'see https://***@registry.example/x'],
    ['git+ssh user', 'git+ssh://git@github.com/o/r.git#abc', 'git+ssh://***@github.com/o/r.git#abc'],
    ['two URLs', 'a http://u@h b ftp://v:w@k/', 'a http://***@h b ftp://***@k/'],
    ['no user info', 'https://registry.npmjs.org/a/-/a-1.tgz', 'https://registry.npmjs.org/a/-/a-1.tgz'],
    ['@ after the path', 'https://host/@scope/pkg', 'https://host/@scope/pkg'],
    ['scheme after an underscore', 'a_b://u@h', 'a_b://u@h'],
    ['scheme starting with a digit', '1ab://u@h', '1ab://u@h'],
    ['letter after a dot in the scheme', '1a.b://u@h', '1a.b://***@h'],
    ['nested scheme', 'a://b://c@d', 'a://b://***@d'],
    ['space ends the user info', 'http://a b@c', 'http://a b@c'],
    ['upper-case scheme', 'HTTPS://U:P@H', 'HTTPS://***@H'],
    ['empty user info', 'http://@h', 'http://@h'],
  ])('%s', (_name, input, want) => {
    expect(redactUserinfo(input)).toBe(want);
    expect(byRegExp(input)).toBe(want);
  });

  it('agrees with the regular expression on generated text', () => {
    // Text built from the characters that matter (scheme characters, separators, spaces of several kinds, `_`).
    const piece = fc.constantFrom(
      ...['a', 'Z', '1', '+', '.', '-', '_', ':', '/', '://', '@', ' ', '\t', '\u00a0', '\u2028', '\ufeff', 'é', '?'],
      ...['http://', 'git+ssh://', 'u:p@', 'host', '/path'],
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const text = parts.join('');
        expect(redactUserinfo(text)).toBe(byRegExp(text));
      }),
      { numRuns: 2000 },
    );
  });
});
