import { describe, expect, it } from 'vitest';
import { parseLockfile } from '../../../src/deps/index.js';

const SHA = `sha512-${'A'.repeat(86)}==`;

/** A pnpm lockfile of version `v` with packages a, b, c and the given top-level settings lines. */
function lock(v: string, settings: string): string {
  const key = (n: string) => (v.startsWith('5') ? `/${n}/1.0.0` : v.startsWith('6') ? `/${n}@1.0.0` : `${n}@1.0.0`);
  const pkgs = ['a', 'b', 'c'].map((n) => `  ${key(n)}:\n    resolution: {integrity: ${SHA}}\n`).join('\n');
  const snaps = v.startsWith('9')
    ? `\nsnapshots:\n\n${['a', 'b', 'c'].map((n) => `  ${key(n)}: {}\n`).join('\n')}`
    : '';
  return `lockfileVersion: '${v}'\n\n${settings}\npackages:\n\n${pkgs}${snaps}`;
}

const disabled = (text: string) =>
  Object.fromEntries(parseLockfile('pnpm-lock.yaml', text).packages.map((p) => [p.name, p.buildDisabled ?? null]));

describe('pnpm build settings decide which packages run install scripts (createAllowBuildFunction)', () => {
  it.each([
    {
      name: '6.0 onlyBuiltDependencies: only listed names build',
      text: lock('6.0', 'onlyBuiltDependencies:\n  - a\n'),
      want: { a: null, b: 'onlyBuiltDependencies', c: 'onlyBuiltDependencies' },
    },
    {
      name: '5.4 neverBuiltDependencies: listed names do not build',
      text: lock('5.4', 'neverBuiltDependencies:\n  - b\n'),
      want: { a: null, b: 'neverBuiltDependencies', c: null },
    },
    {
      name: '6.0 an empty onlyBuiltDependencies builds nothing',
      text: lock('6.0', 'onlyBuiltDependencies: []\n'),
      want: { a: 'onlyBuiltDependencies', b: 'onlyBuiltDependencies', c: 'onlyBuiltDependencies' },
    },
    { name: '6.0 without settings: everything may build', text: lock('6.0', ''), want: { a: null, b: null, c: null } },
    {
      // Lockfile 9 does not record the settings (pnpm 10 keeps them in pnpm-workspace.yaml): assume nothing.
      name: '9.0 ignores a stray onlyBuiltDependencies',
      text: lock('9.0', 'onlyBuiltDependencies:\n  - a\n'),
      want: { a: null, b: null, c: null },
    },
  ])('$name', ({ text, want }) => {
    expect(disabled(text)).toEqual(want);
  });
});

/** Lockfile 9 (written by pnpm 9, 10 and 11 alike) with the root manifest and pnpm-workspace.yaml given. */
const disabled9 = (manifest: Record<string, unknown>, pnpmWorkspace?: Record<string, unknown>) =>
  Object.fromEntries(
    parseLockfile('pnpm-lock.yaml', lock('9.0', ''), {
      manifests: { '': manifest },
      ...(pnpmWorkspace !== undefined ? { pnpmWorkspace } : {}),
    }).packages.map((p) => [p.name, p.buildDisabled ?? null]),
  );

describe('pnpm 9/10/11 on lockfile 9: what the pnpm that installs would build (createAllowBuildFunction, getConfig)', () => {
  const none = { a: null, b: null, c: null };
  const pm = (v: string) => ({ packageManager: `pnpm@${v}+sha512.${'0'.repeat(8)}` });
  it.each([
    { name: 'no packageManager, no settings: pnpm 9 builds everything, so nothing is assumed', m: {}, want: none },
    { name: 'pnpm@9 without settings builds everything', m: pm('9.15.4'), want: none },
    {
      name: 'pnpm@10 without settings builds no dependency',
      m: pm('10.4.1'),
      want: { a: 'pnpmDefault', b: 'pnpmDefault', c: 'pnpmDefault' },
    },
    {
      name: 'pnpm@10 builds only what pnpm-workspace.yaml onlyBuiltDependencies lists',
      m: pm('10.4.1'),
      ws: { onlyBuiltDependencies: ['a'], ignoredBuiltDependencies: ['b'] },
      want: { a: null, b: 'onlyBuiltDependencies', c: 'onlyBuiltDependencies' },
    },
    {
      name: 'pnpm@10 reads package.json pnpm.onlyBuiltDependencies; a version list allows only that version',
      m: { ...pm('10.20.0'), pnpm: { onlyBuiltDependencies: ['a', 'b@2.0.0 || 1.0.0', 'c@3.0.0'] } },
      want: { a: null, b: null, c: 'onlyBuiltDependencies' },
    },
    {
      name: 'pnpm@10: pnpm-workspace.yaml wins over package.json for the same key',
      m: { ...pm('10.4.1'), pnpm: { onlyBuiltDependencies: ['a', 'b', 'c'] } },
      ws: { onlyBuiltDependencies: ['c'] },
      want: { a: 'onlyBuiltDependencies', b: 'onlyBuiltDependencies', c: null },
    },
    {
      name: 'pnpm@10 dangerouslyAllowAllBuilds builds everything',
      m: pm('10.9.0'),
      ws: { dangerouslyAllowAllBuilds: true },
      want: none,
    },
    {
      name: 'pnpm@10 neverBuiltDependencies: [] builds everything',
      m: pm('10.0.0'),
      ws: { neverBuiltDependencies: [] },
      want: none,
    },
    {
      name: 'pnpm@10 neverBuiltDependencies builds all but its names',
      m: pm('10.0.0'),
      ws: { neverBuiltDependencies: ['b'] },
      want: { a: null, b: 'neverBuiltDependencies', c: null },
    },
    {
      name: 'pnpm@9 ignores pnpm-workspace.yaml settings (it reads them from package.json only)',
      m: pm('9.15.4'),
      ws: { onlyBuiltDependencies: ['a'] },
      want: none,
    },
    {
      name: 'pnpm@9 honours package.json pnpm.onlyBuiltDependencies',
      m: { ...pm('9.15.4'), pnpm: { onlyBuiltDependencies: ['a'] } },
      want: { a: null, b: 'onlyBuiltDependencies', c: 'onlyBuiltDependencies' },
    },
    {
      name: 'pnpm@11 builds only allowBuilds: true; package.json pnpm is not read',
      m: { ...pm('11.1.2'), pnpm: { onlyBuiltDependencies: ['b', 'c'] } },
      ws: { allowBuilds: { a: true, b: false } },
      want: { a: null, b: 'allowBuilds', c: 'pnpmDefault' },
    },
    {
      name: 'no packageManager, settings in pnpm-workspace.yaml: pnpm 10 and 11 both decide; built if either builds',
      m: {},
      ws: { onlyBuiltDependencies: ['a'], allowBuilds: { b: true } },
      want: { a: null, b: null, c: 'onlyBuiltDependencies' },
    },
    {
      name: 'pnpm@11 allowBuilds: a false entry wins over a true one for the exact version',
      m: pm('11.1.2'),
      ws: { allowBuilds: { a: false, 'a@1.0.0': true, 'b@1.0.0': false, b: true } },
      want: { a: 'allowBuilds', b: 'allowBuilds', c: 'pnpmDefault' },
    },
    {
      name: 'onlyBuiltDependenciesFile (not read here): nothing is assumed unbuilt',
      m: pm('10.4.1'),
      ws: { onlyBuiltDependenciesFile: 'allow.json' },
      want: none,
    },
  ])('$name', ({ m, ws, want }) => {
    expect(disabled9(m, ws)).toEqual(want);
  });
});

/**
 * pnpm's build step asks its allowBuild function of every dependency, not only registry ones: a `file:` tarball and
 * a tarball URL with a postinstall were built by pnpm 9.15.9 and not by pnpm 10.34.9 without a setting.
 */
describe('pnpm build settings decide tarball and local dependencies too', () => {
  const LOCK9 = `lockfileVersion: '9.0'

packages:

  local@file:local-1.0.0.tgz:
    resolution: {integrity: ${SHA}, tarball: file:local-1.0.0.tgz}
    version: 1.0.0

  remote@https://cdn.example/remote-1.0.0.tgz:
    resolution: {integrity: ${SHA}, tarball: https://cdn.example/remote-1.0.0.tgz}
    version: 1.0.0

  from-git@https://codeload.github.com/o/r/tar.gz/${'a'.repeat(40)}:
    resolution: {tarball: https://codeload.github.com/o/r/tar.gz/${'a'.repeat(40)}}
    version: 1.0.0

snapshots:

  local@file:local-1.0.0.tgz: {}

  remote@https://cdn.example/remote-1.0.0.tgz: {}

  from-git@https://codeload.github.com/o/r/tar.gz/${'a'.repeat(40)}: {}
`;
  const blocked = (packageManager: string) =>
    Object.fromEntries(
      parseLockfile('pnpm-lock.yaml', LOCK9, { manifests: { '': { packageManager } } }).packages.map((p) => [
        p.name,
        p.buildDisabled ?? null,
      ]),
    );
  it('pnpm@10 builds neither tarball without a setting; a git package (prepare at fetch) is left to the checks', () => {
    expect(blocked('pnpm@10.34.9')).toEqual({ local: 'pnpmDefault', remote: 'pnpmDefault', 'from-git': null });
  });
  it('pnpm@9 builds them all', () => {
    expect(blocked('pnpm@9.15.9')).toEqual({ local: null, remote: null, 'from-git': null });
  });
});
