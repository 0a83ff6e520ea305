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

  it('a top-level value yarn 1 cannot use (explodeEntry throws on `true`) is LOCKFILE_SHAPE at its line', () => {
    let err: unknown;
    try {
      parseLockfile('yarn.lock', `${V1}${entry('a@^1')}\n"b@^1" true\n`);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockfileError);
    expect((err as LockfileError).code).toBe('LOCKFILE_SHAPE');
    expect((err as LockfileError).line).toBe(6);
  });
});

/**
 * yarn 1's `Lockfile.getLocked`: a top-level string is the pattern whose entry a descriptor uses. Checked with yarn
 * 1.22.22 and a loopback registry: a pointer at another package's entry installs that package; one at a pattern no
 * key has leaves the dependency to the registry, `--frozen-lockfile` included.
 */
describe('yarn.lock v1 pattern pointers', () => {
  const named = (text: string) =>
    parseLockfile('yarn.lock', text).packages.map((p) => [p.name, p.key, p.line] as const);

  it('a chain of pointers ends at an entry, which gets every descriptor on the way', () => {
    const text = `${V1}"a@^1" "a@~1.0"\n"a@~1.0" "a@1.0.0"\n${entry('a@1.0.0')}`;
    expect(named(text)).toEqual([['a', 'a@1.0.0, a@^1, a@~1.0', 5]]);
  });

  it('a pointer at a pattern no key has, or `false` / `0`, locks nothing', () => {
    const text = `${V1}"a@^1" "a@9.9.9"\n"b@^1" false\n"c@^1" 0\n${entry('d@^1')}`;
    expect(named(text)).toEqual([['d', 'd@^1', 6]]);
  });
});

describe('yarn.lock v1 read as YAML, as yarn 1 falls back to', () => {
  it('keeps the lines of the YAML keys', () => {
    const text = `${V1}a@^1:\n  version: 1.0.0\n"b@^1": {version: "2.0.0"}\n`;
    const parsed = parseLockfile('yarn.lock', text);
    expect(parsed.packages.map((p) => [p.name, p.version, p.line])).toEqual([
      ['a', '1.0.0', 3],
      ['b', '2.0.0', 5],
    ]);
  });

  it('a key holding two descriptors is one pattern, which no dependency asks for', () => {
    const text = `${V1}"a@^1, a@^1.1": {version: "1.2.0"}\n`;
    expect(parseLockfile('yarn.lock', text).packages.map((p) => p.key)).toEqual(['a@^1, a@^1.1']);
  });

  it('a __metadata key in YAML flow style is no yarn 1 lockfile (yarn 1 ignores it, berry reads it): LOCKFILE_SHAPE', () => {
    let err: unknown;
    try {
      parseLockfile('yarn.lock', `${V1}{__metadata: {version: "8"}, "a@npm:^1": {version: "1.0.0"}}\n`);
    } catch (e) {
      err = e;
    }
    expect((err as LockfileError).code).toBe('LOCKFILE_SHAPE');
    expect((err as LockfileError).line).toBe(3);
  });

  it.each([
    {
      name: 'a __proto__ key (js-yaml makes its entries inherited ones)',
      text: `${V1}__proto__: {"a@^1": {version: "1"}}\n`,
    },
    { name: 'a sequence', text: `${V1}a@^1: [1, 2]\n` },
    { name: 'aliases expanding past the size of the file', text: `${V1}${aliasBomb(12)}` },
  ])('refuses $name (LOCKFILE_SYNTAX)', ({ text }) => {
    let err: unknown;
    try {
      parseLockfile('yarn.lock', text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockfileError);
    expect((err as LockfileError).code).toBe('LOCKFILE_SYNTAX');
  });

  it('a duplicate YAML key fails as js-yaml does, and the grammar error stands', () => {
    let err: unknown;
    try {
      parseLockfile('yarn.lock', `${V1}a@^1: {version: "1"}\na@^1: {version: "2"}\n`);
    } catch (e) {
      err = e;
    }
    expect((err as LockfileError).message).toMatch(/not a valid yarn\.lock v1/);
    expect((err as LockfileError).line).toBe(3);
  });
});

/** Each level a map of three aliases of the one before: 3^depth nodes from a few hundred bytes. */
function aliasBomb(depth: number): string {
  const lines = ['l0: &a0 {k: v}'];
  for (let d = 1; d <= depth; d++) lines.push(`l${d}: &a${d} {x: *a${d - 1}, y: *a${d - 1}, z: *a${d - 1}}`);
  return `${lines.join('\n')}\n`;
}

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
