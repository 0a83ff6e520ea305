import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../../src/deps/index.js';
import { LockfileError } from '../../../src/deps/types.js';

const V1 = '# yarn lockfile v1\n\n';
const entry = (header: string, version = '1.0.0') => `${header}:\n  version "${version}"\n`;

/**
 * An entry's line is the line of the header yarn read it from, counted in line feeds as editors number them. The
 * header scan these lines once came from missed escaped keys and pointed re-declared descriptors at the header yarn
 * ignored.
 */
describe('yarn.lock v1 entry lines', () => {
  it.each([
    { name: 'plain headers', text: `${V1}${entry('a@^1')}\n${entry('"b@^1", "b@^1.1"')}`, want: [3, 6] },
    { name: 'escaped quote in a key', text: `${V1}${entry('"a\\"q@^1"')}\n${entry('b@^1')}`, want: [3, 6] },
    { name: 'comma inside a quoted key', text: `${V1}${entry('"a@1,2"')}\n${entry('b@^1')}`, want: [3, 6] },
    { name: 'comment after the header', text: `${V1}a@^1: # why\n  version "1"\n\n${entry('b@^1')}`, want: [3, 6] },
    {
      name: 'a re-declared descriptor is the later header, the one yarn keeps',
      text: `${V1}${entry('a@^1')}\n${entry('a@^1', '1.0.1')}`,
      want: [6],
    },
    { name: 'CRLF line ends', text: `${V1}${entry('a@^1')}\n${entry('b@^1')}`.replace(/\n/g, '\r\n'), want: [3, 6] },
    { name: 'a lone CR is no line end for editors', text: `${V1}\r${entry('a@^1')}\n${entry('b@^1')}`, want: [3, 6] },
  ])('$name', ({ text, want }) => {
    expect(parseLockfile('yarn.lock', text).packages.map((p) => p.line)).toEqual(want);
  });

  it('a top-level plain value is LOCKFILE_SHAPE at its line', () => {
    let err: unknown;
    try {
      parseLockfile('yarn.lock', `${V1}${entry('a@^1')}\n"b@^1" "1.0.0"\n`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockfileError);
    expect((err as LockfileError).code).toBe('LOCKFILE_SHAPE');
    expect((err as LockfileError).line).toBe(6);
  });
});

describe('yarn.lock v1 resolved classification', () => {
  // The fast path for plain registry URLs must say what classifyResolved says; these take the slow path or not.
  it.each([
    {
      resolved: 'https://registry.yarnpkg.com/a/-/a-1.0.0.tgz#0123456789abcdef0123456789abcdef01234567',
      source: 'registry',
    },
    { resolved: 'https://registry.npmjs.org/@s/a/-/a-1.0.0.tgz', source: 'registry' },
    { resolved: 'https://registry.yarnpkg.com/a/./-/a-1.0.0.tgz', source: 'registry' },
    { resolved: 'https://registry.yarnpkg.com/%61/-/a-1.0.0.tgz', source: 'registry' },
    { resolved: 'https://registry.yarnpkg.com/a/-/a-1.0.0.tar.gz', source: 'tarball' },
    { resolved: 'https://registry.yarnpkg.com/a/-/sub/a-1.0.0.tgz', source: 'tarball' },
    { resolved: 'https://registry.yarnpkg.com/a.git', source: 'git' },
    { resolved: 'https://codeload.github.com/o/a/tar.gz/0123456', source: 'git' },
    { resolved: 'http://registry.yarnpkg.com/a/-/a-1.0.0.tgz', source: 'registry' },
  ])('$resolved → $source', ({ resolved, source }) => {
    const [pkg] = parseLockfile('yarn.lock', `${V1}a@^1:\n  version "1.0.0"\n  resolved "${resolved}"\n`).packages;
    expect(pkg?.source).toBe(source);
  });
});
