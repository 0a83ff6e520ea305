import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUrls } from '../../src/core/redact-userinfo.js';
import { Redactor } from '../../src/registry/redact.js';
import { redactStrings } from '../../src/report/redact.js';

/**
 * A password may hold `@` (`https://user:p@ss@host/`): pip's `split_auth_from_netloc` splits the netloc at its last
 * `@` (`rpartition`) and the WHATWG URL parser npm uses puts every earlier `@` into the user info, so both log in
 * with `p@ss` at `host`. Masking only up to the first `@` printed the rest of the password in every report.
 */
describe('URL user info is masked up to the last @ of the authority', () => {
  it.each([
    {
      name: 'lockfile resolved URL',
      input: 'https://user:SECRET@REST01@registry.example.com/a/-/a-1.0.0.tgz',
      want: 'https://***@registry.example.com/a/-/a-1.0.0.tgz',
    },
    {
      name: 'pip option',
      input: '--extra-index-url https://u:SEC@RET@REST02@pypi.example.com/simple beside',
      want: '--extra-index-url https://***@pypi.example.com/simple beside',
    },
    { name: 'no path', input: 'http://u:a@b@host', want: 'http://***@host' },
    { name: 'an @ in the path stays', input: 'https://u:p@host/@scope/pkg', want: 'https://***@host/@scope/pkg' },
    { name: 'an @ in the query stays', input: 'https://u:p@host?next=a@b', want: 'https://***@host?next=a@b' },
    { name: 'an @ in the fragment stays', input: 'https://u:p@host#a@b', want: 'https://***@host#a@b' },
    {
      name: 'the next word stays',
      input: 'https://u:p@host and me@example.com',
      want: 'https://***@host and me@example.com',
    },
    { name: 'one @ as before', input: 'https://ghp_abcd1234@github.com/o/r', want: 'https://***@github.com/o/r' },
  ])('$name', ({ input, want }) => {
    expect(redactUrls(input)).toBe(want);
    expect(redactStrings(input)).toBe(want);
  });

  it('the npm registry redactor masks the same', () => {
    expect(new Redactor([]).redact('GET https://u:SECRET@REST03@registry.example.com/a failed')).toBe(
      'GET https://***@registry.example.com/a failed',
    );
  });

  it('no part of a password holding @ survives, whatever else it holds', () => {
    // Characters a URL's user info can hold as written by hand (no / ? # or space, which end the authority).
    const part = fc.stringMatching(/^[A-Za-z0-9:@%!$&'()*+,;=._~-]{1,12}$/);
    fc.assert(
      fc.property(part, part, (a, b) => {
        const password = `${a}@Z9Q${b}`;
        const out = redactUrls(`see https://user:${password}@host.example/x`);
        expect(out).toBe('see https://***@host.example/x');
      }),
      { numRuns: 500 },
    );
  });
});
