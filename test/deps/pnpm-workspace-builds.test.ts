import path from 'node:path';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { scanDeps } from './helpers.js';
import { PNPM_FILE_TARBALL_LOCK } from '../helpers/lockfile-text.js';

const SHA = `sha512-${'A'.repeat(86)}==`;
const LOCK = `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      a:
        specifier: 1.0.0
        version: 1.0.0
      b:
        specifier: 1.0.0
        version: 1.0.0

packages:

  a@1.0.0:
    resolution: {integrity: ${SHA}}

  b@1.0.0:
    resolution: {integrity: ${SHA}}

snapshots:

  a@1.0.0: {}

  b@1.0.0: {}
`;
const MANIFEST = JSON.stringify({
  name: 'root',
  packageManager: 'pnpm@10.4.1',
  dependencies: { a: '1.0.0', b: '1.0.0' },
});

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function project(workspace: string | undefined, npmrc?: string, manifest = MANIFEST): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cp-pnpm-ws-'));
  dirs.push(dir);
  await writeFile(path.join(dir, 'pnpm-lock.yaml'), LOCK);
  await writeFile(path.join(dir, 'package.json'), manifest);
  if (workspace !== undefined) await writeFile(path.join(dir, 'pnpm-workspace.yaml'), workspace);
  if (npmrc !== undefined) await writeFile(path.join(dir, '.npmrc'), npmrc);
  return dir;
}

describe('the deps stage reads pnpm-workspace.yaml beside pnpm-lock.yaml (pnpm 10 build settings)', () => {
  it.each([
    {
      name: 'no pnpm-workspace.yaml: pnpm 10 builds nothing',
      yaml: undefined,
      want: ['pnpmDefault', 'pnpmDefault'],
      warn: 0,
    },
    {
      name: 'onlyBuiltDependencies lists b',
      yaml: 'packages:\n  - .\nonlyBuiltDependencies:\n  - b\n',
      want: ['onlyBuiltDependencies', null],
      warn: 0,
    },
    { name: 'an empty file has no settings', yaml: '', want: ['pnpmDefault', 'pnpmDefault'], warn: 0 },
    {
      // pnpm refuses to install with it; its settings are not assumed, and the reader is told.
      name: 'a YAML list, not a map: said, and nothing is assumed from it',
      yaml: '- onlyBuiltDependencies\n',
      want: ['pnpmDefault', 'pnpmDefault'],
      warn: 1,
    },
  ])('$name', async ({ yaml, want, warn }) => {
    const r = await scanDeps(await project(yaml));
    expect(r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null)).toEqual(want);
    expect(r.notifications.filter((n) => n.path === 'pnpm-workspace.yaml')).toHaveLength(warn);
  });
});

/**
 * pnpm 10 reads `dangerously-allow-all-builds` from `.npmrc` too (checked: with it, pnpm 10.34.9 ran a dependency's
 * postinstall that it skipped without; pnpm 12.26.0 skipped it either way), under package.json and pnpm-workspace.yaml.
 */
describe('pnpm 10: dangerously-allow-all-builds in the repository .npmrc', () => {
  const pinned = (v: string) => JSON.stringify({ ...(JSON.parse(MANIFEST) as object), packageManager: `pnpm@${v}` });
  it.each([
    {
      name: 'pnpm@10 builds everything',
      yaml: undefined,
      rc: 'dangerously-allow-all-builds=true\n',
      want: [null, null],
    },
    {
      name: 'a value of false changes nothing',
      yaml: undefined,
      rc: 'dangerously-allow-all-builds=false\n',
      want: ['pnpmDefault', 'pnpmDefault'],
    },
    {
      name: 'pnpm-workspace.yaml onlyBuiltDependencies still decides',
      yaml: 'onlyBuiltDependencies:\n  - b\n',
      rc: 'dangerously-allow-all-builds=true\n',
      want: ['onlyBuiltDependencies', null],
    },
    {
      name: 'pnpm@11 does not read it from .npmrc',
      yaml: undefined,
      rc: 'dangerously-allow-all-builds=true\n',
      pm: '11.1.2',
      want: ['pnpmDefault', 'pnpmDefault'],
    },
  ])('$name', async ({ yaml, rc, pm, want }) => {
    const r = await scanDeps(await project(yaml, rc, pinned(pm ?? '10.34.9')));
    expect(r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null)).toEqual(want);
  });
});

/**
 * pnpm 9 reads `only-built-dependencies[]=` lines from the project's `.npmrc` (checked with pnpm 9.15.9 and a file:
 * tarball whose postinstall writes a marker: `[]=other` and `[]=` alone skipped it, `[]=hello-build` ran it, a
 * package.json `pnpm.onlyBuiltDependencies` naming it ran it over `[]=other`, and `onlyBuiltDependencies[]=other`
 * or `never-built-dependencies[]=hello-build` changed nothing).
 */
describe('pnpm 9: only-built-dependencies[]= in the project .npmrc', () => {
  const pinned = (v: string, pnpm?: object) =>
    JSON.stringify({ ...(JSON.parse(MANIFEST) as object), packageManager: `pnpm@${v}`, ...(pnpm ? { pnpm } : {}) });
  const unpinned = JSON.stringify({ name: 'root', dependencies: { a: '1.0.0', b: '1.0.0' } });
  it.each([
    { name: 'without it pnpm 9 builds all', rc: undefined, want: [null, null] },
    { name: 'only the listed name builds', rc: 'only-built-dependencies[]=b\n', want: ['onlyBuiltDependencies', null] },
    {
      name: 'an empty entry builds nothing',
      rc: 'only-built-dependencies[]=\n',
      want: ['onlyBuiltDependencies', 'onlyBuiltDependencies'],
    },
    {
      name: "package.json's list is laid over it",
      rc: 'only-built-dependencies[]=b\n',
      manifest: pinned('9.15.9', { onlyBuiltDependencies: ['a'] }),
      want: [null, 'onlyBuiltDependencies'],
    },
    { name: 'the camelCase key is not read', rc: 'onlyBuiltDependencies[]=b\n', want: [null, null] },
    {
      // Unpinned, pnpm 10 and 11 build neither by default, and pnpm 9 only b.
      name: 'unpinned: a package no major builds is not built',
      rc: 'only-built-dependencies[]=b\n',
      manifest: unpinned,
      want: ['onlyBuiltDependencies', null],
    },
  ])('$name', async ({ rc, manifest, want }) => {
    const r = await scanDeps(await project(undefined, rc, manifest ?? pinned('9.15.9')));
    expect(r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null)).toEqual(want);
  });

  it('a parent folder .npmrc is not the project config', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-pnpm-ws-'));
    dirs.push(dir);
    await writeFile(path.join(dir, '.npmrc'), 'only-built-dependencies[]=b\n');
    await mkdir(path.join(dir, 'app'));
    await writeFile(path.join(dir, 'app', 'pnpm-lock.yaml'), LOCK);
    await writeFile(path.join(dir, 'app', 'package.json'), pinned('9.15.9'));
    const r = await scanDeps(dir);
    expect(r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null)).toEqual([null, null]);
  });
});

/**
 * pnpm ≥ 10.34.2 asks its build policy with the dependency path (`createAllowBuildFunction`): pnpm 10.34.9 ran a
 * file: tarball's postinstall when onlyBuiltDependencies listed `hello-build@file:hello-build-1.0.0.tgz`, and printed
 * "Ignored build scripts" for `hello-build` and for `hello-build@1.0.0` (a name allows only a registry path). 10.34.1
 * still asked with the package's name and version, so a bare name built the tarball there.
 */
describe('pnpm 10 and 11: a file: tarball allowed by its dependency path', () => {
  const lock = PNPM_FILE_TARBALL_LOCK;
  const manifest = (pnpm: string) =>
    JSON.stringify({
      name: 'p',
      packageManager: `pnpm@${pnpm}`,
      dependencies: { 'hello-build': 'file:hello-build-1.0.0.tgz' },
    });
  it.each([
    { pnpm: '10.34.9', entry: 'hello-build@file:hello-build-1.0.0.tgz', want: [null] },
    { pnpm: '10.34.9', entry: 'other@file:hello-build-1.0.0.tgz', want: ['onlyBuiltDependencies'] },
    { pnpm: '10.34.9', entry: 'hello-build', want: ['onlyBuiltDependencies'] },
    { pnpm: '10.34.9', entry: 'hello-build@1.0.0', want: ['onlyBuiltDependencies'] },
    { pnpm: '10.34.1', entry: 'hello-build', want: [null] },
    { pnpm: '10.34.1', entry: 'hello-build@1.0.0', want: [null] },
  ])('pnpm $pnpm, onlyBuiltDependencies: $entry', async ({ pnpm, entry, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-pnpm-ws-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'pnpm-lock.yaml'), lock);
    await writeFile(path.join(dir, 'package.json'), manifest(pnpm));
    await writeFile(path.join(dir, 'pnpm-workspace.yaml'), `onlyBuiltDependencies:\n  - '${entry}'\n`);
    const r = await scanDeps(dir);
    expect(r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null)).toEqual(want);
  });

  // pnpm 11.5.3+ (`decideAllowBuild`): a false entry for the name wins, a true one for the name is no identity for a
  // tarball path; 11.5.2 still matched names. Read from the 11.5.2, 11.5.3 and 11.29.0 bundles (they need Node 22).
  it.each([
    { pnpm: '11.29.0', allow: { 'hello-build': true }, want: ['pnpmDefault'] },
    { pnpm: '11.5.2', allow: { 'hello-build': true }, want: [null] },
    { pnpm: '11.29.0', allow: { 'hello-build@file:hello-build-1.0.0.tgz': true }, want: [null] },
    {
      pnpm: '11.29.0',
      allow: { 'hello-build': false, 'hello-build@file:hello-build-1.0.0.tgz': true },
      want: ['allowBuilds'],
    },
    {
      pnpm: '11.29.0',
      allow: { 'hello-build@1.0.0': false, 'hello-build@file:hello-build-1.0.0.tgz': true },
      want: [null],
    },
  ])('pnpm $pnpm, allowBuilds: $allow', async ({ pnpm, allow, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-pnpm-ws-'));
    dirs.push(dir);
    await writeFile(path.join(dir, 'pnpm-lock.yaml'), lock);
    await writeFile(path.join(dir, 'package.json'), manifest(pnpm));
    const entries = Object.entries(allow).map(([k, v]) => `  '${k}': ${String(v)}\n`);
    await writeFile(path.join(dir, 'pnpm-workspace.yaml'), `allowBuilds:\n${entries.join('')}`);
    const r = await scanDeps(dir);
    expect(r.graphs[0]!.packages.map((p) => p.buildDisabled ?? null)).toEqual(want);
  });
});
