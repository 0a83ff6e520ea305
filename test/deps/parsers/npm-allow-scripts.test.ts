import { describe, expect, it } from 'vitest';
import { allowScriptsGate } from '../../../src/deps/parsers/npm-allow-scripts.js';
import { parseNpmLock } from '../../../src/deps/parsers/npm-lock.js';

/**
 * Which locked packages npm keeps from running install scripts under package.json `allowScripts`, as arborist's
 * rebuild decides on `isScriptAllowed` (lib/script-allowed.js): npm 11.19 skips what a deny matches, npm 12 runs only
 * what an allow matches. Entries npm cannot match (a dist-tag deny, a version key where the lockfile records no
 * registry URL) must not hide a script npm runs.
 */
const SRI = `sha512-${Buffer.alloc(64, 1).toString('base64')}`;

const LOCK = JSON.stringify({
  name: 'app',
  version: '1.0.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'app', version: '1.0.0', dependencies: { evil: '^1.0.0', bare: '^2.0.0', gitdep: 'github:me/gitdep' } },
    'node_modules/evil': {
      version: '1.0.0',
      resolved: 'https://registry.npmjs.org/evil/-/evil-1.0.0.tgz',
      integrity: SRI,
      hasInstallScript: true,
    },
    // Written with omit-lockfile-registry-resolved: no URL, so no trusted version.
    'node_modules/bare': { version: '2.0.0', integrity: SRI, hasInstallScript: true },
    'node_modules/gitdep': {
      version: '1.0.0',
      resolved: 'git+ssh://git@github.com/me/gitdep.git#0123456789abcdef0123456789abcdef01234567',
      hasInstallScript: true,
    },
  },
});

/** `npm@x` is a `packageManager` pin; a range is `devEngines.packageManager`, which npm ≥ 10.9 enforces. */
const pinOf = (npm: string) =>
  npm.startsWith('npm@') ? { packageManager: npm } : { devEngines: { packageManager: { name: 'npm', version: npm } } };

function unbuilt(npm: string, allowScripts: Record<string, boolean> | undefined): string[] {
  const root = { name: 'app', version: '1.0.0', ...pinOf(npm), ...(allowScripts ? { allowScripts } : {}) };
  const parsed = parseNpmLock('package-lock.json', LOCK, { manifests: { '': root } });
  return parsed.nodes.filter((n) => n.buildDisabled === 'npmAllowScripts').map((n) => n.name);
}

describe('npm allowScripts: what the pinned npm keeps from running', () => {
  it.each([
    { name: '11.19: a name deny stops it', npm: '~11.19.1', policy: { evil: false }, want: ['evil'] },
    {
      name: '11.19: a dist-tag deny matches nothing (npm refuses tags)',
      npm: '~11.19.1',
      policy: { 'evil@latest': false },
      want: [],
    },
    {
      name: '11.19: a version deny with no resolved URL matches nothing',
      npm: '~11.19.1',
      policy: { 'bare@2.0.0': false },
      want: [],
    },
    {
      name: '11.19: a name deny with no resolved URL takes the name from the edge',
      npm: '~11.19.1',
      policy: { bare: false },
      want: ['bare'],
    },
    { name: '11.19: an allow alone stops nothing', npm: '~11.19.1', policy: { evil: true }, want: [] },
    { name: '12: only what is allowed runs', npm: '^12.0.0', policy: { evil: true }, want: ['bare'] },
    {
      name: '12: a deny wins over an allow',
      npm: '^12.0.0',
      policy: { evil: true, 'evil@1.0.0': false },
      want: ['bare', 'evil'],
    },
    {
      name: '12: a version allow with no resolved URL allows nothing',
      npm: '^12.0.0',
      policy: { 'bare@2.0.0': true },
      want: ['bare', 'evil'],
    },
    {
      name: '12: a dist-tag allow is read by name (older matcher)',
      npm: '^12.0.0',
      policy: { 'evil@latest': true },
      want: ['bare'],
    },
    {
      // pacote GitFetcher #prepareDir runs `npm install` in the clone (its root lifecycle) before rebuild's gate:
      // npm 12.2.3 ran an unlisted git dependency's postinstall and prepare while calling its scripts blocked.
      name: '12: an unlisted git dependency still runs its scripts when it is fetched',
      npm: '^12.0.0',
      policy: { evil: true, bare: true },
      want: [],
    },
    {
      name: '11.19: a deny of a git dependency does not stop its preparation either',
      npm: '~11.19.1',
      policy: { 'github:me/gitdep': false, gitdep: false },
      want: [],
    },
    {
      name: '12: a git allow it cannot match offline may allow any package off the registry',
      npm: '^12.0.0',
      policy: { 'github:me/gitdep': true },
      want: ['bare', 'evil'],
    },
    {
      name: '12: a key npa would read but this cannot allows any registry package it names (never less than npm)',
      npm: '^12.0.0',
      policy: { 'evil!': true },
      want: ['bare'],
    },
    {
      name: '12: no package.json policy (the .npmrc files may allow anything): nothing stopped',
      npm: '^12.0.0',
      policy: undefined,
      want: [],
    },
    {
      name: '12: a policy of ranges only is no policy (validatePolicy drops them)',
      npm: '^12.0.0',
      policy: { 'evil@^1': true },
      want: [],
    },
    {
      name: "packageManager npm@12 alone (corepack has no npm shim by default): the runner's npm 10 runs every script",
      npm: 'npm@12.0.2',
      policy: { evil: true, bare: false },
      want: [],
    },
    { name: '10: allowScripts ignored', npm: 'npm@10.9.2', policy: { evil: false }, want: [] },
  ])('$name', ({ npm, policy, want }) => {
    expect(unbuilt(npm, policy).sort()).toEqual(want);
  });
});

describe('allowScriptsGate: the oldest npm the pin admits decides', () => {
  it.each([
    // A packageManager pin is not enforced (corepack has no npm shim by default): the runner's npm ignores the policy.
    { root: { packageManager: 'npm@11.19.0' }, want: undefined },
    { root: { packageManager: 'npm@12.0.0' }, want: undefined },
    {
      root: { packageManager: 'npm@11.19.0', devEngines: { packageManager: { name: 'npm', version: '^12.0.0' } } },
      want: 'allow',
    },
    { root: { packageManager: 'npm@11.18.0' }, want: undefined },
    { root: { devEngines: { packageManager: { name: 'npm', version: '^12.0.0' } } }, want: 'allow' },
    { root: { devEngines: { packageManager: { name: 'npm', version: '>=11.19.0' } } }, want: 'deny' },
    { root: { devEngines: { packageManager: { name: 'npm', version: '^12.0.0', onFail: 'warn' } } }, want: undefined },
    {
      root: {
        devEngines: {
          packageManager: [
            { name: 'npm', version: '^12.0.0' },
            { name: 'npm', version: '^11.19.0' },
          ],
        },
      },
      want: 'deny',
    },
    { root: {}, want: undefined },
  ])('$root → $want', ({ root, want }) => {
    expect(allowScriptsGate(root)).toBe(want);
  });
});
