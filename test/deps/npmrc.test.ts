import { describe, expect, it } from 'vitest';
import { expandEnv, nerfDart, parseNpmrc, registryFor } from '../../src/deps/npmrc.js';

describe('parseNpmrc', () => {
  it('reads registry, scopes, credentials, ca and strict-ssl with ${ENV} expansion', () => {
    const text = [
      '; comment',
      '# another',
      'registry=https://registry.example.com/npm',
      '@acme:registry=https://npm.pkg.github.com',
      '//npm.pkg.github.com/:_authToken=${GH_TOKEN}',
      '//registry.example.com/npm/:username=bob',
      `//registry.example.com/npm/:_password=${Buffer.from('s3cret').toString('base64')}`,
      '//localhost:4873/:_auth=dXNlcjpwYXNz',
      'ca[]=CERT-A',
      'ca[]=CERT-B',
      'cafile=/etc/ssl/ca.pem',
      'strict-ssl=false',
      'optional=${MISSING?}',
      'kept=${MISSING}',
    ].join('\n');
    const c = parseNpmrc(text, { GH_TOKEN: 'ghp_xyz' });
    expect(c.registry).toBe('https://registry.example.com/npm/');
    expect(c.scopes).toEqual({ '@acme': 'https://npm.pkg.github.com/' });
    expect(c.auth['//npm.pkg.github.com/']).toEqual({ token: 'ghp_xyz' });
    expect(c.auth['//registry.example.com/npm/']).toEqual({ username: 'bob', password: 's3cret' });
    expect(c.auth['//localhost:4873/']).toEqual({ basic: 'dXNlcjpwYXNz' });
    expect(c.ca).toEqual(['CERT-A', 'CERT-B']);
    expect(c.cafile).toBe('/etc/ssl/ca.pem');
    expect(c.strictSsl).toBe(false);
    expect(c.raw.optional).toBe('');
    expect(c.raw.kept).toBe('${MISSING}');
  });

  it('attributes legacy top-level _authToken to the default registry', () => {
    const c = parseNpmrc('_authToken=abc\n', {});
    expect(c.auth['//registry.npmjs.org/']).toEqual({ token: 'abc', legacy: true });
    expect(c.registry).toBeUndefined();
  });

  it.each([
    { name: 'plain', input: '${A}', want: '1' },
    { name: 'escaped', input: '\\${A}', want: '${A}' },
    { name: 'double backslash expands', input: '\\\\${A}', want: '\\1' },
    { name: 'unset kept', input: 'x${B}', want: 'x${B}' },
    { name: 'unset optional', input: 'x${B?}', want: 'x' },
  ])('expandEnv $name', ({ input, want }) => {
    expect(expandEnv(input, { A: '1' })).toBe(want);
  });

  it.each([
    { url: 'https://registry.npmjs.org/', want: '//registry.npmjs.org/' },
    { url: 'https://r.example.com:8443/npm/', want: '//r.example.com:8443/npm/' },
    { url: 'https://r.example.com/npm/pkg', want: '//r.example.com/npm/' },
  ])('nerfDart $url', ({ url, want }) => {
    expect(nerfDart(url)).toBe(want);
  });

  it('picks the scope registry for scoped packages', () => {
    const c = parseNpmrc('@acme:registry=https://npm.acme.dev/\n', {});
    expect(registryFor('@acme/x', c)).toBe('https://npm.acme.dev/');
    expect(registryFor('@other/x', c)).toBe('https://registry.npmjs.org/');
    expect(registryFor('left-pad', c)).toBe('https://registry.npmjs.org/');
  });
});
