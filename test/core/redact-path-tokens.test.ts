import { describe, expect, it } from 'vitest';
import { redactPathTokens, redactUrls } from '../../src/core/redact-userinfo.js';
import { Redactor } from '../../src/registry/redact.js';
import { redactStrings } from '../../src/report/redact.js';

/**
 * Gemfury, Cloudsmith and anaconda.org take a private repository's token as a path segment of its URL, not as user
 * info: `https://npm-proxy.fury.io/<token>/<account>/` is what Gemfury's documentation gives npm and pip. The same
 * URL lands in `resolved`, `.npmrc` and pip options, and every report quotes them.
 */
describe('a token in a URL path is masked in every output', () => {
  it.each([
    {
      name: 'Gemfury npm proxy, resolved tarball',
      input: 'https://npm-proxy.fury.io/Tok3nA1/acme/a/-/a-1.0.0.tgz',
      want: 'https://npm-proxy.fury.io/***/acme/a/-/a-1.0.0.tgz',
    },
    {
      name: 'Gemfury pip option in a message',
      input: '--extra-index-url https://pypi.fury.io/Tok3nB2/acme/ sits beside',
      want: '--extra-index-url https://pypi.fury.io/***/acme/ sits beside',
    },
    {
      name: 'an .npmrc credential key (no scheme)',
      input: '//npm.fury.io/Tok3nC3/acme/:always-auth',
      want: '//npm.fury.io/***/acme/:always-auth',
    },
    { name: 'upper-case host', input: 'https://PYPI.FURY.IO/Tok3nD4/acme/', want: 'https://PYPI.FURY.IO/***/acme/' },
    {
      name: 'Cloudsmith entitlement token',
      input: 'https://dl.cloudsmith.io/Tok3nE5/org/repo/python/simple/',
      want: 'https://dl.cloudsmith.io/***/org/repo/python/simple/',
    },
    {
      name: 'Cloudsmith public stays',
      input: 'https://dl.cloudsmith.io/public/org/repo/python/simple/',
      want: 'https://dl.cloudsmith.io/public/org/repo/python/simple/',
    },
    {
      name: 'Cloudsmith basic stays',
      input: 'https://dl.cloudsmith.io/basic/org/repo/',
      want: 'https://dl.cloudsmith.io/basic/org/repo/',
    },
    {
      name: 'a token that starts like public is still one',
      input: 'https://dl.cloudsmith.io/publicTok3nF6/org/',
      want: 'https://dl.cloudsmith.io/***/org/',
    },
    {
      name: 'anaconda.org channel token',
      input: 'https://conda.anaconda.org/t/xx-Tok3nG7/channel',
      want: 'https://conda.anaconda.org/t/***/channel',
    },
    {
      name: 'token before a query',
      input: 'see https://pypi.fury.io/Tok3nH8?x=1',
      want: 'see https://pypi.fury.io/***?x=1',
    },
    {
      name: 'anaconda.org without a subdomain',
      input: 'https://anaconda.org/t/Tok3nK1/acme',
      want: 'https://anaconda.org/t/***/acme',
    },
    { name: 'a host with no // before it is no URL', input: 'pypi.fury.io/acme', want: 'pypi.fury.io/acme' },
    { name: 'another host stays', input: 'https://example.io/Tok/a/', want: 'https://example.io/Tok/a/' },
    { name: 'a lookalike host stays', input: 'https://notdl.cloudsmith.io/x/', want: 'https://notdl.cloudsmith.io/x/' },
    {
      name: 'with user info too',
      input: 'https://u:Pass9@npm.fury.io/Tok3nJ9/acme/',
      want: 'https://***@npm.fury.io/***/acme/',
    },
  ])('$name', ({ input, want }) => {
    expect(redactUrls(input)).toBe(want);
    expect(redactStrings(input)).toBe(want);
    expect(new Redactor([]).redact(input)).toBe(want);
  });

  it('a string without such a host is returned as it is', () => {
    const text = 'models/encoder.safetensors matches no trusted-registry entry';
    expect(redactPathTokens(text)).toBe(text);
  });
});
