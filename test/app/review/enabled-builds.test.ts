import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';
import { npmLock, sri } from './npm-lock.js';

/**
 * A change that only edits a build setting makes the package manager run install scripts it did not run before
 * (pnpm `createAllowBuildFunction`, Bun `Lockfile.hasTrustedDependency`). pnpm and Bun lockfiles do not record
 * scripts, so offline the head scan has nothing to say; the review compares which locked packages each revision
 * leaves unbuilt.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree, over: Parameters<typeof reviewHead>[1] = {}): Promise<ReviewResult> {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate: 'patch', ...over });
}

const cpu026 = (r: ReviewResult) => r.findings.filter((f) => f.ruleId === 'CPU026');

const PNPM_LOCK = [
  "lockfileVersion: '9.0'",
  '',
  'settings:',
  '  autoInstallPeers: true',
  '  excludeLinksFromLockfile: false',
  '',
  'importers:',
  '',
  '  .:',
  '    dependencies:',
  '      evil:',
  '        specifier: ^1.0.0',
  '        version: 1.0.0',
  '      esbuild:',
  '        specifier: ^0.25.0',
  '        version: 0.25.0',
  '',
  'packages:',
  '',
  '  esbuild@0.25.0:',
  `    resolution: {integrity: ${sri(2)}}`,
  '',
  '  evil@1.0.0:',
  `    resolution: {integrity: ${sri(1)}}`,
  '',
  'snapshots:',
  '',
  '  esbuild@0.25.0: {}',
  '',
  '  evil@1.0.0: {}',
  '',
].join('\n');

const pnpmManifest = (extra: Record<string, unknown>) =>
  JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { evil: '^1.0.0', esbuild: '^0.25.0' }, ...extra });

const bunLock = (trusted: readonly string[]) =>
  [
    '{',
    '  "lockfileVersion": 1,',
    '  "workspaces": {',
    '    "": {',
    '      "name": "app",',
    '      "dependencies": { "evil": "^1.0.0" },',
    '    },',
    '  },',
    `  "trustedDependencies": ${JSON.stringify(trusted)},`,
    '  "packages": {',
    `    "evil": ["evil@1.0.0", "", {}, "${sri(1)}"],`,
    '  },',
    '}',
    '',
  ].join('\n');
const bunManifest = (trusted: readonly string[]) =>
  JSON.stringify({ name: 'app', dependencies: { evil: '^1.0.0' }, trustedDependencies: trusted });

const NPM_LOCK = npmLock(
  { evil: '^1.0.0' },
  {
    evil: {
      version: '1.0.0',
      resolved: 'https://registry.npmjs.org/evil/-/evil-1.0.0.tgz',
      integrity: sri(1),
      hasInstallScript: true,
    },
  },
);
/** `npm@x` is a `packageManager` pin; a range is `devEngines.packageManager` (npm 12's gate is taken only from it). */
const npmManifest = (npm: string, allowScripts: Record<string, boolean> | undefined) =>
  JSON.stringify({
    name: 'app',
    version: '1.0.0',
    dependencies: { evil: '^1.0.0' },
    allowScripts,
    ...(npm.startsWith('npm@')
      ? { packageManager: npm }
      : { devEngines: { packageManager: { name: 'npm', version: npm } } }),
  });

describe('review of a change that lets the package manager build more packages (CPU026)', () => {
  it.each([
    {
      name: 'pnpm onlyBuiltDependencies widened in package.json',
      base: { pnpm: { onlyBuiltDependencies: ['esbuild'] }, packageManager: 'pnpm@10.4.1' },
      head: { pnpm: { onlyBuiltDependencies: ['esbuild', 'evil'] }, packageManager: 'pnpm@10.4.1' },
      want: "pnpm's onlyBuiltDependencies",
      line: 23,
    },
    {
      name: 'packageManager moved from pnpm 10 (builds nothing by default) to pnpm 9 (builds everything)',
      base: { packageManager: 'pnpm@10.4.1' },
      head: { packageManager: 'pnpm@9.15.0' },
      want: 'pnpm 10+ building no dependency by default',
      line: 20,
    },
  ])('$name', async ({ base, head, want, line }) => {
    const r = await review(
      { 'package.json': pnpmManifest(base), 'pnpm-lock.yaml': PNPM_LOCK },
      { 'package.json': pnpmManifest(head), 'pnpm-lock.yaml': PNPM_LOCK },
    );
    const found = cpu026(r);
    expect(found.map((f) => `${f.location.path}:${f.location.line}`)).toEqual([`pnpm-lock.yaml:${line}`]);
    expect(found[0]!.message).toContain(want);
    expect(found[0]!.evidence?.['packages']).toBe(head.pnpm === undefined ? 'esbuild@0.25.0 evil@1.0.0' : 'evil@1.0.0');
    expect(r.gate?.passed).toBe(false);
  });

  it('pnpm-workspace.yaml onlyBuiltDependencies widened: the same finding, whichever file holds the setting', async () => {
    const ws = (names: string[]) => `onlyBuiltDependencies:\n${names.map((n) => `  - ${n}\n`).join('')}`;
    const r = await review(
      { 'package.json': pnpmManifest({}), 'pnpm-lock.yaml': PNPM_LOCK, 'pnpm-workspace.yaml': ws(['esbuild']) },
      { 'package.json': pnpmManifest({}), 'pnpm-lock.yaml': PNPM_LOCK, 'pnpm-workspace.yaml': ws(['esbuild', 'evil']) },
    );
    expect(cpu026(r).map((f) => f.evidence?.['packages'])).toEqual(['evil@1.0.0']);
  });

  it('one setting keeps one fingerprint however many packages it lets build (a SARIF alert stays one alert)', async () => {
    const ws = (names: string[]) => `onlyBuiltDependencies: ${JSON.stringify(names)}\n`;
    const widened = async (names: string[]) =>
      cpu026(
        await review(
          { 'package.json': pnpmManifest({}), 'pnpm-lock.yaml': PNPM_LOCK, 'pnpm-workspace.yaml': ws([]) },
          { 'package.json': pnpmManifest({}), 'pnpm-lock.yaml': PNPM_LOCK, 'pnpm-workspace.yaml': ws(names) },
        ),
      );
    const [one, two] = [await widened(['esbuild']), await widened(['esbuild', 'evil'])];
    expect([one[0]?.evidence?.['count'], two[0]?.evidence?.['count']]).toEqual([1, 2]);
    expect(two[0]?.fingerprint).toBe(one[0]?.fingerprint);
  });

  it('Bun trustedDependencies widened', async () => {
    const r = await review(
      { 'package.json': bunManifest([]), 'bun.lock': bunLock([]) },
      { 'package.json': bunManifest(['evil']), 'bun.lock': bunLock(['evil']) },
    );
    const found = cpu026(r);
    expect(found.map((f) => `${f.location.path}:${f.location.line}`)).toEqual(['bun.lock:11']);
    expect(found[0]!.message).toContain("Bun's trustedDependencies");
    expect(r.gate?.passed).toBe(false);
  });

  it('a package the policy allows to run install scripts is not reported', async () => {
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowInstallScripts: ['evil'] },
    };
    const r = await review(
      { 'package.json': bunManifest([]), 'bun.lock': bunLock([]) },
      { 'package.json': bunManifest(['evil']), 'bun.lock': bunLock(['evil']) },
      { policy },
    );
    expect(cpu026(r)).toEqual([]);
  });

  it('narrowing the builds, or leaving them as they were, is not reported', async () => {
    const narrowed = await review(
      {
        'package.json': pnpmManifest({ pnpm: { onlyBuiltDependencies: ['esbuild', 'evil'] } }),
        'pnpm-lock.yaml': PNPM_LOCK,
      },
      { 'package.json': pnpmManifest({ pnpm: { onlyBuiltDependencies: ['esbuild'] } }), 'pnpm-lock.yaml': PNPM_LOCK },
    );
    expect(cpu026(narrowed)).toEqual([]);
    const same = await review(
      { 'package.json': bunManifest(['evil']), 'bun.lock': bunLock(['evil']) },
      {
        'package.json': JSON.stringify({
          name: 'app',
          version: '2.0.0',
          dependencies: { evil: '^1.0.0' },
          trustedDependencies: ['evil'],
        }),
        'bun.lock': bunLock(['evil']),
      },
    );
    expect(cpu026(same)).toEqual([]);
  });

  it.each([
    {
      name: 'npm 11.19 allowScripts deny flipped to allow',
      npm: '~11.19.1',
      base: { evil: false },
      head: { evil: true },
    },
    { name: 'npm 11.19 allowScripts deny removed', npm: '~11.19.1', base: { evil: false }, head: {} },
    {
      name: 'npm 12 (devEngines) allowScripts allow added',
      npm: '^12.0.0',
      base: { other: true },
      head: { other: true, evil: true },
    },
    {
      name: 'devEngines moved from npm 11.19 to npm 10, which ignores allowScripts',
      npm: '~11.19.1',
      headNpm: '^10.9.2',
      base: { evil: false },
      head: { evil: false },
    },
  ])(
    '$name: the lockfile records the install script, and the change lets npm run it: CPU026, not the head CPD012 as well',
    async ({ npm, headNpm, base, head }) => {
      const r = await review(
        { 'package.json': npmManifest(npm, base), 'package-lock.json': NPM_LOCK },
        { 'package.json': npmManifest(headNpm ?? npm, head), 'package-lock.json': NPM_LOCK },
      );
      const found = cpu026(r);
      expect(found.map((f) => `${f.location.path}:${f.location.line}`)).toEqual(['package-lock.json:14']);
      expect(found[0]!.message).toContain("npm's allowScripts");
      expect(found[0]!.message).toContain('records install scripts');
      expect(found[0]!.evidence?.['packages']).toBe('evil@1.0.0');
      expect(r.findings.filter((f) => f.ruleId === 'CPD012')).toEqual([]);
      expect(r.gate?.passed).toBe(false);
    },
  );

  it('Bun: a package moved under the name of a trusted package (an alias Bun asks about) now builds: CPU026', async () => {
    const aliasLock = (dep: string, spec: string) =>
      [
        '{',
        '  "lockfileVersion": 1,',
        `  "workspaces": { "": { "name": "app", "dependencies": { "${dep}": "${spec}" } } },`,
        '  "packages": {',
        `    "${dep}": ["evil@1.0.0", "", {}, "${sri(1)}"],`,
        '  },',
        '}',
        '',
      ].join('\n');
    const manifestOf = (dep: string, spec: string) => JSON.stringify({ name: 'app', dependencies: { [dep]: spec } });
    const r = await review(
      { 'package.json': manifestOf('evil', '^1.0.0'), 'bun.lock': aliasLock('evil', '^1.0.0') },
      { 'package.json': manifestOf('esbuild', 'npm:evil@1.0.0'), 'bun.lock': aliasLock('esbuild', 'npm:evil@1.0.0') },
    );
    const found = cpu026(r);
    expect(found.map((f) => `${f.location.path}:${f.location.line}`)).toEqual(['bun.lock:5']);
    expect(found[0]!.message).toContain("Bun's default trusted list");
    expect(found[0]!.evidence?.['packages']).toBe('evil@1.0.0');
  });
});
