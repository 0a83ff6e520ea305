import { describe, expect, it } from 'vitest';
import { isRegistryTarball, parseRegistryTarball } from '../../src/deps/source.js';

/** isRegistryTarball is parseRegistryTarball's verdict without the parts: the two must never disagree. */
const CASES: { name: string; url: string; want: boolean }[] = [
  { name: 'npm tarball', url: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', want: true },
  { name: 'scoped tarball', url: 'https://registry.npmjs.org/@s/a/-/a-1.0.0.tgz', want: true },
  { name: 'encoded scope', url: 'https://registry.npmjs.org/@s%2fa/-/a-1.0.0.tgz', want: true },
  { name: 'registry below a path', url: 'https://npm.example/api/npm/a/-/a-1.0.0.tgz', want: true },
  { name: 'file named otherwise', url: 'https://registry.npmjs.org/a/-/b-1.0.0.tgz', want: true },
  { name: 'no /-/ segment', url: 'https://example.com/a-1.0.0.tgz', want: false },
  { name: 'not a .tgz', url: 'https://registry.npmjs.org/a/-/a-1.0.0.zip', want: false },
  { name: 'folder after /-/', url: 'https://registry.npmjs.org/a/-/x/a-1.0.0.tgz', want: false },
  { name: 'empty name at the root', url: 'https://registry.npmjs.org/-/a-1.0.0.tgz', want: false },
  { name: 'empty name below a folder', url: 'https://registry.npmjs.org/x//-/a-1.0.0.tgz', want: false },
  { name: 'empty name below a scope', url: 'https://registry.npmjs.org/@s//-/a-1.0.0.tgz', want: true },
  { name: 'empty name, scope-like folder two up', url: 'https://registry.npmjs.org/@s/x//-/a.tgz', want: false },
  { name: 'empty name after an encoded slash', url: 'https://registry.npmjs.org/a%2f/-/a-1.0.0.tgz', want: false },
  { name: 'scope only encoded', url: 'https://registry.npmjs.org/%40s%2f/-/a.tgz', want: true },
  { name: 'bad percent-encoding', url: 'https://registry.npmjs.org/%E0%A4%A/-/a-1.0.0.tgz', want: true },
  { name: 'not a URL', url: 'registry.npmjs.org/a/-/a-1.0.0.tgz', want: false },
  { name: 'dot segments', url: 'https://registry.npmjs.org/a/../-/a-1.0.0.tgz', want: false },
  { name: 'query string', url: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz?x=/y', want: true },
  {
    name: 'GitHub Packages download',
    url: `https://npm.pkg.github.com/download/@o/a/1.0.0/${'ab'.repeat(20)}`,
    want: true,
  },
  {
    name: 'GitHub Packages, sha256',
    url: `https://npm.pkg.github.com/download/@o/a/1.0.0/${'0c'.repeat(32)}`,
    want: true,
  },
  { name: 'GitHub Packages, no digest', url: 'https://npm.pkg.github.com/download/@o/a/1.0.0', want: false },
  {
    name: 'GitHub Packages, unscoped',
    url: `https://npm.pkg.github.com/download/o/a/1.0.0/${'ab'.repeat(20)}`,
    want: false,
  },
  {
    name: 'download layout on another host',
    url: `https://evil.example/download/@o/a/1.0.0/${'ab'.repeat(20)}`,
    want: false,
  },
];

describe('parseRegistryTarball: GitHub Packages (/download/@scope/name/<version>/<digest>)', () => {
  it('names the package and version the URL downloads', () => {
    expect(parseRegistryTarball(`https://npm.pkg.github.com/download/@o/a/1.2.3/${'ab'.repeat(20)}`)).toEqual({
      name: '@o/a',
      version: '1.2.3',
      fileName: 'a-1.2.3',
    });
  });
});

describe('isRegistryTarball', () => {
  it.each(CASES)('$name', ({ url, want }) => {
    expect(isRegistryTarball(url)).toBe(want);
    expect(parseRegistryTarball(url) !== undefined).toBe(want);
  });
});
