import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import { policyWith, repoWith, scanDeps } from './helpers.js';

/** A package.json as a project writes it: one dependency a line, so each finding names its own line. */
const manifest = (deps: Record<string, string>, devDeps: Record<string, string> = {}) =>
  JSON.stringify({ name: 'app', version: '1.0.0', dependencies: deps, devDependencies: devDeps }, null, 2) + '\n';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const SPECS = {
  branch: 'github:evil/a#main',
  bare: 'evil/b',
  pinned: `git+https://github.com/evil/c.git#${SHA}`,
  plain: 'http://evil.example/d-1.0.0.tgz',
  url: 'https://evil.example/e-1.0.0.tgz',
  range: '^1.0.0',
  semver: 'git+ssh://git@github.com/evil/f.git#semver:^1',
};

const unlocked = async (files: Record<string, string>, policy?: Policy) =>
  (await scanDeps(await repoWith(files), policy ? { policy } : {})).findings
    .filter((f) => f.message.includes('no lockfile pins it'))
    .map(
      (f) =>
        `${f.location.path}:${f.location.line} ${f.ruleId}${f.level ? `(${f.level})` : ''} ${String(f.evidence?.declared)}`,
    );

describe('a package.json no lockfile pins: what every install fetches afresh', () => {
  // npm (pacote's GitFetcher takes only a 40-hex committish as resolved), yarn, pnpm and bun resolve a git ref and
  // fetch a URL again at each install when no lockfile records the commit or the integrity.
  it('a git ref that is not a commit is CPD023, an http tarball CPD006, a tarball URL CPD008', async () => {
    expect(await unlocked({ 'package.json': manifest(SPECS, { g: 'gitlab:evil/g#v1.0.0' }) })).toEqual([
      `package.json:5 CPD023(error) ${SPECS.branch}`,
      `package.json:6 CPD023(error) ${SPECS.bare}`,
      // pinned: only the policy's git source level (default warning), as under a lockfile
      `package.json:7 CPD007(warning) ${SPECS.pinned}`,
      `package.json:8 CPD006(error) ${SPECS.plain}`,
      `package.json:9 CPD008(warning) ${SPECS.url}`,
      // userinfo is redacted in output, as everywhere (core/redact-userinfo.ts)
      'package.json:11 CPD023(error) git+ssh://***@github.com/evil/f.git#semver:^1',
      'package.json:14 CPD023(error) gitlab:evil/g#v1.0.0',
    ]);
  });

  it('a tarball URL takes the level the policy gives tarball sources, as a locked one does', async () => {
    const files = { 'package.json': manifest({ e: SPECS.url }) };
    const at = (tarball: 'off' | 'note') =>
      unlocked(files, policyWith({ sources: { git: 'warning', tarball, file: 'note' } }));
    expect(await at('note')).toEqual([`package.json:5 CPD008(note) ${SPECS.url}`]);
    expect(await at('off')).toEqual([]);
  });

  // A lockfile's git entry is CPD007 and its file: entry CPD009 at the policy's source levels (checks/sources.ts),
  // a link: entry nothing: with no lockfile the same specs are judged the same, not let through.
  it('a commit-pinned git spec is CPD007 and a file: spec CPD009 at the policy levels, as a locked one', async () => {
    const files = {
      'package.json': manifest({ c: SPECS.pinned, l: 'file:../l', t: 'file:vendor/t-1.0.0.tgz', k: 'link:../k' }),
    };
    const at = (git: 'off' | 'error', file: 'off' | 'note') =>
      unlocked(files, policyWith({ sources: { git, tarball: 'warning', file } }));
    expect(await at('error', 'note')).toEqual([
      `package.json:5 CPD007(error) ${SPECS.pinned}`,
      'package.json:6 CPD009(note) file:../l',
      'package.json:7 CPD009(note) file:vendor/t-1.0.0.tgz',
    ]);
    expect(await at('off', 'off')).toEqual([]);
  });

  // The spec is classified trimmed, so it is judged trimmed too: an http tarball with a leading space is still http.
  it('judges the trimmed spec', async () => {
    const spaced = ` ${SPECS.plain}`;
    expect(await unlocked({ 'package.json': manifest({ d: spaced }) })).toEqual([
      `package.json:5 CPD006(error) ${spaced}`,
    ]);
  });

  it('says nothing where a lockfile beside the package.json, or its workspace root, pins the project', async () => {
    const lock = JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages: { '': {} } });
    const root = JSON.stringify({ name: 'app', workspaces: ['tools/*', '!tools/own'], dependencies: SPECS }, null, 2);
    expect(
      await unlocked({
        'package.json': root,
        'package-lock.json': lock,
        'tools/x/package.json': manifest({ h: 'github:evil/h' }),
        'tools/own/package.json': manifest({ o: 'github:evil/o' }),
        'pnpm/pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
        'pnpm/pnpm-workspace.yaml': 'packages:\n  - apps/*\n',
        'pnpm/apps/web/package.json': manifest({ p: 'github:evil/p' }),
      }),
    ).toEqual(['tools/own/package.json:5 CPD023(error) github:evil/o']);
  });

  // npm, yarn, pnpm and bun run in web/ take web/ as the project unless a folder above lists it among its workspaces
  // (arborist's `workspaces` globs, pnpm-workspace.yaml `packages`): a lockfile above does not lock it.
  it('judges a package.json under a lockfile whose project does not list it as a workspace', async () => {
    const lock = JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages: { '': {} } });
    expect(
      await unlocked({
        'yarn.lock': '# yarn lockfile v1\n',
        'web/package.json': manifest({ h: 'github:evil/h' }),
        'lib/package-lock.json': lock,
        'lib/package.json': manifest({}),
        'lib/examples/package.json': manifest({ i: 'github:evil/i' }),
      }),
    ).toEqual([
      'lib/examples/package.json:5 CPD023(error) github:evil/i',
      'web/package.json:5 CPD023(error) github:evil/h',
    ]);
  });

  // npm, yarn, pnpm and bun read a project's `package.json` by that exact name; a template beside it is data.
  it('judges only files named package.json, not template-package.json', async () => {
    expect(
      await unlocked({
        'sub/template-package.json': manifest({ x: 'github:o/x#main' }),
        'sub/package.json': manifest({ y: 'github:o/y#main' }),
      }),
    ).toEqual(['sub/package.json:5 CPD023(error) github:o/y#main']);
  });

  it('judges a nested project with no lockfile above it', async () => {
    expect(
      await unlocked({
        'examples/demo/package.json': manifest({ h: 'github:evil/h' }),
        'lib/yarn.lock': '# yarn lockfile v1\n',
        'lib/package.json': manifest({ i: 'github:evil/i' }),
      }),
    ).toEqual(['examples/demo/package.json:5 CPD023(error) github:evil/h']);
  });
});
