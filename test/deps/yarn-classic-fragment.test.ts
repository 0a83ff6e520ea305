import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../src/deps/index.js';

const SHA = 'a'.repeat(40);

/**
 * yarn 1 appends the tarball's sha1 to `resolved` as a fragment; for a git source the fragment is the commit. The
 * parser classifies each `resolved` once and decides the split from that.
 */
const CASES = [
  {
    name: 'registry tarball with a sha1 fragment',
    resolved: `https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#${SHA}`,
    want: {
      resolved: 'https://registry.yarnpkg.com/a/-/a-1.0.0.tgz',
      integrity: `sha1-${Buffer.from(SHA, 'hex').toString('base64')}`,
      source: 'registry',
    },
  },
  {
    name: 'git URL whose fragment is the commit',
    resolved: `git+https://github.com/o/a.git#${SHA}`,
    want: { resolved: `git+https://github.com/o/a.git#${SHA}`, integrity: undefined, source: 'git' },
  },
  {
    name: 'tarball URL with a fragment that is no sha1',
    resolved: 'https://example.com/a-1.0.0.tgz#main',
    want: { resolved: 'https://example.com/a-1.0.0.tgz#main', integrity: undefined, source: 'tarball' },
  },
];

describe('yarn.lock v1 resolved fragments', () => {
  it.each(CASES)('$name', ({ resolved, want }) => {
    const text = `# yarn lockfile v1\n\n\na@^1.0.0:\n  version "1.0.0"\n  resolved "${resolved}"\n`;
    const [pkg] = parseLockfile('yarn.lock', text).packages;
    expect({ resolved: pkg?.resolved, integrity: pkg?.integrity, source: pkg?.source }).toEqual(want);
  });
});
