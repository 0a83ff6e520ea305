import { describe, expect, it } from 'vitest';
import { LockfileError, parseLockfile } from '../../src/deps/index.js';
import { checkBerryChecksum, checkSri } from '../../src/deps/checks/integrity.js';
import { redactUrls } from '../../src/deps/checks/finding.js';
import { classifyResolved, parseRegistryTarball } from '../../src/deps/source.js';

const SHA512 = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;
const SHA1 = `sha1-${Buffer.alloc(20, 1).toString('base64')}`;

describe('SRI', () => {
  it.each([
    { name: 'sha512', input: SHA512, want: 'ok' },
    { name: 'sha1 only', input: SHA1, want: 'weak' },
    { name: 'sha1 and sha512', input: `${SHA1} ${SHA512}`, want: 'ok' },
    { name: 'short digest', input: 'sha512-abc=', want: 'invalid' },
    { name: 'unknown algorithm', input: `md5-${Buffer.alloc(16).toString('base64')}`, want: 'invalid' },
    { name: 'hex instead of base64', input: `sha512-${'ab'.repeat(64)}`, want: 'invalid' },
    { name: 'one bad token among good', input: `${SHA512} sha256-x`, want: 'invalid' },
  ])('$name', ({ input, want }) => expect(checkSri(input)).toBe(want));

  it.each([
    { input: `10c0/${'a'.repeat(128)}`, want: 'ok' },
    { input: 'a'.repeat(128), want: 'ok' },
    { input: SHA512, want: 'invalid' },
  ])('berry checksum $input', ({ input, want }) => expect(checkBerryChecksum(input)).toBe(want));
});

describe('sources', () => {
  it.each([
    { input: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', want: 'registry' },
    { input: 'https://registry.npmjs.org/@s/a/-/a-1.0.0.tgz', want: 'registry' },
    { input: 'https://example.com/a.tgz', want: 'tarball' },
    { input: 'https://gl.example/npm/@s/a/-/@s/a-1.0.0.tgz', want: 'registry' },
    { input: 'https://r.example/a/-/sub/a-1.0.0.tgz', want: 'tarball' },
    { input: 'git+ssh://git@github.com/a/b.git#abc', want: 'git' },
    { input: 'github:a/b#abc', want: 'git' },
    { input: 'https://codeload.github.com/a/b/tar.gz/abc', want: 'git' },
    { input: 'file:../x', want: 'file' },
  ])('classify $input', ({ input, want }) => expect(classifyResolved(input)).toBe(want));

  it.each([
    {
      input: 'https://registry.npmjs.org/@types%2fnode/-/node-20.0.0.tgz',
      want: { name: '@types/node', version: '20.0.0' },
    },
    { input: 'https://r.example/npm/repo/lodash/-/lodash-4.17.21.tgz', want: { name: 'lodash', version: '4.17.21' } },
    { input: 'https://registry.npmjs.org/lodash/-/evil-1.0.0.tgz', want: { name: 'lodash', version: undefined } },
    // GitLab (and registry.npmjs.org, Artifactory) serve the scoped name in the file name.
    {
      input: 'https://gl.example/api/v4/projects/1/packages/npm/@s/a/-/@s/a-1.2.0.tgz',
      want: { name: '@s/a', version: '1.2.0' },
    },
    {
      input: 'https://gl.example/api/v4/packages/npm/@s%2Fa/-/@s%2Fa-1.2.0.tgz',
      want: { name: '@s/a', version: '1.2.0' },
    },
    { input: 'https://gl.example/npm/@s/a/-/@t/a-1.2.0.tgz', want: { name: '@s/a', version: undefined } },
    { input: 'https://gl.example/npm/a/-/@s/a-1.2.0.tgz', want: { name: 'a', version: undefined } },
  ])('registry tarball $input', ({ input, want }) => expect(parseRegistryTarball(input)).toMatchObject(want));

  it('redacts URL credentials', () => {
    expect(redactUrls('https://bob:s3cr3t@r.example/a?token=abc&x=1')).toBe('https://***@r.example/a?token=***&x=1');
  });
});

describe('parseLockfile errors', () => {
  it.each([
    {
      name: 'package-lock.json',
      text: '{\n  "lockfileVersion": 3,\n  "packages": {\n',
      code: 'LOCKFILE_SYNTAX',
      line: 4,
    },
    { name: 'package-lock.json', text: '[1, 2]', code: 'LOCKFILE_SHAPE', line: 1 },
    // `{"name": "x"}` is no error: arborist loads it as a lockfile with no packages (fidelity round 5).
    { name: 'package-lock.json', text: '{"name": "x", "packages": 1}', code: 'LOCKFILE_SHAPE', line: 1 },
    { name: 'pnpm-lock.yaml', text: 'importers: {}\n', code: 'LOCKFILE_SHAPE', line: 1 },
    { name: 'pnpm-lock.yaml', text: "lockfileVersion: '9.0'\npackages:\n  a: [\n", code: 'LOCKFILE_SYNTAX', line: 4 },
    {
      name: 'yarn.lock',
      // The `]` makes the YAML reading yarn 1 falls back to fail too (as `version "1` alone reads as a string).
      text: '# yarn lockfile v1\n\na@^1:\n  version "1\n]\n',
      code: 'LOCKFILE_SYNTAX',
      line: undefined,
    },
    {
      name: 'yarn.lock',
      text: '__metadata:\n  version: 8\n\n"a@npm:1":\n  - x\n  y: [\n',
      code: 'LOCKFILE_SYNTAX',
      line: undefined,
    },
    { name: 'Cargo.lock', text: '', code: 'LOCKFILE_UNSUPPORTED', line: undefined },
  ])('$name: $code', ({ name, text, code, line }) => {
    let err: unknown;
    try {
      parseLockfile(name, text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LockfileError);
    expect((err as LockfileError).code).toBe(code);
    expect((err as LockfileError).file).toBe(name);
    if (line !== undefined) expect((err as LockfileError).line).toBe(line);
  });
});
