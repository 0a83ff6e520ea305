import { describe, expect, it } from 'vitest';
import { credentialKeyFor, refusedCredentials, registryAuthKey } from '../../src/registry/credentials.js';

/** npm-registry-fetch lib/auth.js regFromURI: the longest //host[:port]/path/ prefix with credentials. */
const AUTH = {
  '//corp.example/': { token: 'root-token' },
  '//corp.example/api/npm/npm-remote/': { token: 'repo-token' },
  '//corp.example:8443/': { username: 'ci', password: 'pw' },
  '//other.example/npm/': { username: 'half' }, // username without password: no credentials
};

describe('credentialKeyFor', () => {
  it.each([
    { url: 'https://corp.example/api/npm/npm-remote/left-pad', want: '//corp.example/api/npm/npm-remote/' },
    { url: 'https://corp.example/api/npm/other/left-pad', want: '//corp.example/' },
    { url: 'https://corp.example:8443/x', want: '//corp.example:8443/' },
    { url: 'https://corp.example:9999/x', want: undefined },
    { url: 'https://other.example/npm/x', want: undefined },
    { url: 'https://evil.example/api/npm/npm-remote/left-pad', want: undefined },
  ])('$url → $want', ({ url, want }) => {
    expect(credentialKeyFor(url, AUTH)).toBe(want);
  });
});

describe('refusedCredentials names the key, never the secret', () => {
  it.each([
    {
      url: 'https://corp.example/api/npm/npm-remote/x',
      registry: 'https://corp.example/api/npm/npm-remote/',
      sent: true,
    },
    { url: 'https://nobody.example/npm/x', registry: 'https://nobody.example/npm/', sent: false },
  ])('$url', ({ url, registry, sent }) => {
    const text = refusedCredentials(401, url, registry, AUTH);
    for (const secret of ['root-token', 'repo-token', 'ci:pw']) expect(text).not.toContain(secret);
    expect(text.includes('credentials configured for')).toBe(sent);
    if (!sent) expect(text).toContain(registryAuthKey(registry));
  });
});
