import { describe, expect, it } from 'vitest';
import { npmResolvedSource } from '../../src/deps/parsers/npm-common.js';
import { berryLock, pnpmLock9 } from '../helpers/lockfile-text.js';
import { policyWith, repoWith, scanDeps } from './helpers.js';

/**
 * npm reads a lockfile's `resolved` with npm-package-arg (arborist loadVirtual → consistentResolve), not as a URL:
 * a value without a scheme is still installed. Checked with npm 11.19: `npm ci` installed `"resolved":
 * "../evil/left-pad-1.3.0.tgz"` for `left-pad@^1.3.0` from the folder beside the project and ran its postinstall.
 */
const integrity = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEuc4HgtHyg7RHuGtDoSJu7kE2nGibyAurvsMAgc3BOV1gA==';

/** A lockfileVersion 3 package-lock.json of project `x` declaring `deps`, with `packages` below the root. */
function lockV3(deps: Record<string, string>, packages: Record<string, unknown>): unknown {
  const root = { name: 'x', version: '1.0.0', dependencies: deps };
  return { name: 'x', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': root, ...packages } };
}

const CASES: { name: string; resolved: string; want: string }[] = [
  { name: 'relative tarball path', resolved: '../evil/left-pad-1.3.0.tgz', want: 'file' },
  { name: 'relative folder', resolved: './vendor/left-pad', want: 'file' },
  { name: 'absolute path', resolved: '/tmp/left-pad.tgz', want: 'file' },
  { name: 'home folder', resolved: '~/left-pad.tgz', want: 'file' },
  { name: 'Windows drive', resolved: 'C:\\evil\\left-pad.tgz', want: 'file' },
  { name: 'bare tarball name', resolved: 'left-pad-1.3.0.tgz', want: 'file' },
  { name: 'path with two slashes', resolved: 'vendor/npm/left-pad.tgz', want: 'file' },
  { name: 'GitHub shorthand', resolved: 'evil/left-pad#0123456789abcdef', want: 'git' },
  { name: 'GitHub shorthand that looks like a file', resolved: 'evil/left-pad-1.3.0.tgz', want: 'git' },
  { name: 'scp-like ssh remote', resolved: 'git@evil.example:x/left-pad.git', want: 'git' },
  { name: 'alias of another package', resolved: 'npm:evil@1.0.0', want: 'registry' },
  { name: 'a version (a registry spec: npm fetches it)', resolved: '1.3.0', want: 'registry' },
  { name: 'a dist-tag', resolved: 'latest', want: 'registry' },
  { name: 'name@version (npm drops the name)', resolved: 'evil@1.0.0', want: 'registry' },
  { name: 'registry tarball URL as before', resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz', want: 'registry' },
  { name: 'file: URL as before', resolved: 'file:../a.tgz', want: 'file' },
  // npa reads `[git+]scheme:` with `new URL`, which needs no `//` after http(s) and reads `\` as `/`.
  { name: 'https without slashes', resolved: 'https:evil.example/left-pad-1.3.0.tgz', want: 'tarball' },
  { name: 'http with one slash', resolved: 'http:/evil.example/left-pad-1.3.0.tgz', want: 'tarball' },
  { name: 'backslashes', resolved: 'HTTPS:\\\\evil.example\\left-pad-1.3.0.tgz', want: 'tarball' },
  { name: 'registry layout without slashes', resolved: 'https:registry.npmjs.org/a/-/a-1.0.0.tgz', want: 'registry' },
];

describe('npm resolved values read as npm-package-arg reads them', () => {
  it.each(CASES)('$name: $resolved', ({ resolved, want }) => {
    expect(npmResolvedSource(resolved)).toBe(want);
  });

  it('a bare path outside the repository is CPD017 and CPD020, an alias of another package CPD010 (v3); git forms CPD020 (v1)', async () => {
    const v3 = lockV3(
      { 'left-pad': '^1.3.0', c: '^2.0.0', d: '^1.0.0' },
      {
        'node_modules/c': { version: '2.0.0', resolved: 'npm:evil@1.0.0', integrity },
        'node_modules/d': { name: 'real', version: '1.0.0', resolved: 'npm:real@1.0.0', integrity },
        'node_modules/left-pad': { version: '1.3.0', resolved: '../../evil/left-pad-1.3.0.tgz', integrity },
      },
    );
    const v1 = {
      name: 'y',
      version: '1.0.0',
      lockfileVersion: 1,
      requires: true,
      dependencies: {
        a: { version: '1.0.0', resolved: 'evil/a#0123456789abcdef0123456789abcdef01234567', integrity },
        b: { version: '1.0.0', resolved: 'git@evil.example:x/b.git', integrity },
      },
    };
    const root = await repoWith({
      'v3/package.json': JSON.stringify({
        name: 'x',
        version: '1.0.0',
        dependencies: { 'left-pad': '^1.3.0', c: '^2.0.0', d: '^1.0.0' },
      }),
      'v3/package-lock.json': JSON.stringify(v3, null, 2),
      'v1/package.json': JSON.stringify({ name: 'y', version: '1.0.0', dependencies: { a: '^1.0.0', b: '^1.0.0' } }),
      'v1/package-lock.json': JSON.stringify(v1, null, 2),
    });
    const r = await scanDeps(root);
    const got = r.findings
      .filter((f) => ['CPD010', 'CPD017', 'CPD020'].includes(f.ruleId))
      .map(
        (f) =>
          `${f.ruleId} ${f.location.path}:${f.location.line ?? ''} ${f.artifact?.kind === 'package' ? f.artifact.name : ''}`,
      )
      .sort();
    // c: `npm:evil@1.0.0` installs evil (npm 11.19, loopback registry); d: an alias resolving to itself is the
    // registry fetch npm would make anyway.
    expect(got).toEqual([
      'CPD010 v3/package-lock.json:16 c',
      'CPD017 v3/package-lock.json:27 left-pad',
      'CPD020 v1/package-lock.json:12 b',
      'CPD020 v1/package-lock.json:7 a',
      'CPD020 v3/package-lock.json:27 left-pad',
    ]);
  });
});

describe('an npm resolved URL written without `//`', () => {
  // npm 11.19: `"resolved": "http:127.0.0.1:<port>/left-pad/-/left-pad-1.3.0.tgz"` was fetched from that host and
  // installed (npa fromURL, then fetch): before, such a value had no source and passed with no finding at all.
  it.each([
    { resolved: 'https:evil.example/b/-/b-1.0.0.tgz', want: ['CPD005'] },
    { resolved: 'https:registry.npmjs.org/evil/-/evil-1.0.0.tgz', want: ['CPD010'] },
    { resolved: 'https:/registry.npmjs.org/b/-/b-1.0.0.tgz', want: [] },
    { resolved: 'https:evil.example/b.tgz', want: ['CPD008'] },
  ])('$resolved → $want', async ({ resolved, want }) => {
    const root = await repoWith({
      'package-lock.json': JSON.stringify(
        lockV3({ b: '^1.0.0' }, { 'node_modules/b': { version: '1.0.0', resolved, integrity } }),
        null,
        2,
      ),
    });
    const r = await scanDeps(root);
    expect(r.findings.map((f) => `${f.ruleId}@${f.location.line ?? ''}`).sort()).toEqual(want.map((id) => `${id}@14`));
    expect(r.graphs[0]?.packages[0]?.source).toBe(want.includes('CPD008') ? 'tarball' : 'registry');
  });
});

describe('an npm resolved that is a registry spec', () => {
  // npm 11.19, loopback registry: for a `b` entry of version 1.0.0, `npm ci` installed b@2.0.0 from resolved `2.0.0`,
  // `latest` and `b@2.0.0`, and a@1.0.0 (not evil) from `evil@1.0.0` (consistentResolve keeps the rawSpec only).
  it.each([
    { resolved: '2.0.0', want: ['CPD010'], spec: '2.0.0' },
    { resolved: 'latest', want: ['CPD010'], spec: 'latest' },
    { resolved: 'b@2.0.0', want: ['CPD010'], spec: '2.0.0' },
    { resolved: 'evil@', want: ['CPD010'], spec: '*' },
    { resolved: 'evil@1.0.0', want: [], spec: undefined },
    { resolved: '1.0.0', want: [], spec: undefined },
  ])('$resolved on version 1.0.0 → $want', async ({ resolved, want, spec }) => {
    const root = await repoWith({
      'package-lock.json': JSON.stringify(
        lockV3({ b: '^1.0.0' }, { 'node_modules/b': { version: '1.0.0', resolved, integrity } }),
        null,
        2,
      ),
    });
    const r = await scanDeps(root);
    const got = r.findings.filter((f) => f.ruleId === 'CPD010');
    expect(got.map((f) => `${f.ruleId}@${f.location.line ?? ''}`)).toEqual(want.map((id) => `${id}@14`));
    expect(got[0]?.evidence?.actual).toBe(spec === undefined ? undefined : `b@${spec}`);
    expect(r.findings.filter((f) => ['CPD002', 'CPD008', 'CPD009', 'CPD017'].includes(f.ruleId))).toEqual([]);
  });
});

describe('an npm dependency with its own npm-shrinkwrap.json', () => {
  it('is CPD027 at its entry, counting the lockfile entries below it that npm does not install', async () => {
    const reg = (name: string) => ({
      version: '1.0.0',
      resolved: `https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz`,
      integrity,
    });
    const lock = lockV3(
      { shr: '^1.0.0', plain: '^1.0.0' },
      {
        'node_modules/plain': reg('plain'),
        'node_modules/shr': { ...reg('shr'), hasShrinkwrap: true, dependencies: { inner: '^1.0.0' } },
        'node_modules/shr/node_modules/inner': reg('inner'),
        'node_modules/shr/node_modules/inner/node_modules/deep': reg('deep'),
      },
    );
    const root = await repoWith({ 'package-lock.json': JSON.stringify(lock, null, 2) });
    const r = await scanDeps(root);
    const f = r.findings.filter((x) => x.ruleId === 'CPD027');
    expect(f.map((x) => `${x.location.line ?? ''} ${x.artifact?.kind === 'package' ? x.artifact.name : ''}`)).toEqual([
      '20 shr',
    ]);
    expect(f[0]?.evidence?.ignoredEntries).toBe(2);
  });
});

describe('yarn 1 resolved values without a protocol', () => {
  it('a path is a local tarball (TarballFetcher fetchFromLocal): CPD017 outside the repository, CPD020 for a range', async () => {
    const root = await repoWith({
      'package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' } }),
      'yarn.lock': [
        '# yarn lockfile v1',
        '',
        'left-pad@^1.3.0:',
        '  version "1.3.0"',
        '  resolved "../../evil/left-pad-1.3.0.tgz#abc"',
        '  integrity sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEuc4HgtHyg7RHuGtDoSJu7kE2nGibyAurvsMAgc3BOV1gA==',
        '',
      ].join('\n'),
    });
    const r = await scanDeps(root);
    const got = r.findings
      .filter((f) => ['CPD017', 'CPD020'].includes(f.ruleId))
      .map((f) => `${f.ruleId} ${f.location.path}:${f.location.line ?? ''}`)
      .sort();
    expect(got).toEqual(['CPD017 yarn.lock:3', 'CPD020 yarn.lock:3']);
    expect(r.findings.find((f) => f.ruleId === 'CPD017')?.evidence?.path).toBe('../../evil/left-pad-1.3.0.tgz');
  });

  it('any other value is a path on the registry (NpmRegistry.getRequestUrl): CPD010 when it names another package', async () => {
    // yarn 1.22.22, loopback registry: `resolved "evil/-/evil-1.0.0.tgz"` installed evil as left-pad.
    const entry = (name: string, resolved: string) => [
      `${name}@^1.0.0:`,
      '  version "1.0.0"',
      `  resolved "${resolved}"`,
      `  integrity ${integrity}`,
      '',
    ];
    const root = await repoWith({
      'package.json': JSON.stringify({
        name: 'x',
        version: '1.0.0',
        dependencies: { a: '^1.0.0', b: '^1.0.0', c: '^1.0.0' },
      }),
      'yarn.lock': [
        '# yarn lockfile v1',
        '',
        ...entry('a', 'evil/-/evil-1.0.0.tgz#0123456789abcdef0123456789abcdef01234567'),
        ...entry('b', 'b/-/b-1.0.0.tgz'),
        ...entry('c', 'c/-/c-2.0.0.tgz'),
      ].join('\n'),
    });
    const r = await scanDeps(root);
    const got = r.findings
      .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
      .map((f) => `${f.ruleId} ${f.location.path}:${f.location.line ?? ''} ${String(f.evidence?.actual)}`)
      .sort();
    expect(got).toEqual(['CPD010 yarn.lock:13 c@2.0.0', 'CPD010 yarn.lock:3 evil@1.0.0']);
  });
});

describe('a pnpm resolution tarball without a scheme', () => {
  it('is fetched from the registry at that path (pkgSnapshotToResolution): CPD010 for another package, CPD011 for a private scope, CPD005 for a scheme-relative host', async () => {
    // pnpm 9.15.9, loopback registry: `tarball: evil/-/evil-1.0.0.tgz` on left-pad installed evil as left-pad.
    const pkg = (key: string, tarball: string) => [
      `  ${key}:`,
      `    resolution: {integrity: ${integrity}, tarball: '${tarball}'}`,
      '',
    ];
    const root = await repoWith({
      'pnpm-lock.yaml': pnpmLock9({ 'left-pad': '1.3.0', '@corp/x': '1.0.0', ok: '1.0.0', other: '1.0.0' }, [
        ...pkg("'@corp/x@1.0.0'", '@corp/x/-/x-1.0.0.tgz'),
        ...pkg('left-pad@1.3.0', 'evil/-/evil-1.0.0.tgz'),
        ...pkg('ok@1.0.0', 'ok/-/ok-1.0.0.tgz'),
        ...pkg('other@1.0.0', '//evil.example/other/-/other-1.0.0.tgz'),
      ]),
    });
    const r = await scanDeps(root, { policy: policyWith({ privateScopes: ['@corp'] }) });
    const got = r.findings
      .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
      .map((f) => `${f.ruleId} ${f.location.line ?? ''} ${f.artifact?.kind === 'package' ? f.artifact.name : ''}`)
      .sort();
    // other: a scheme-relative tarball is fetched from that host (pnpm 9.15.9 fetched `//127.0.0.1:4874/…`).
    expect(got).toEqual(['CPD005 22 other', 'CPD010 16 left-pad', 'CPD011 13 @corp/x']);
  });
});

describe('a yarn berry __archiveUrl without a scheme', () => {
  it('is fetched from the registry at that path (npmHttpUtils.get: registry + path): CPD010 for another package', async () => {
    // yarn 4 (@yarnpkg/cli-dist), loopback registry: `__archiveUrl=%2Fevil%2F-%2Fevil-1.0.0.tgz` on left-pad
    // installed evil as left-pad.
    const entry = (name: string, archive: string) => [
      `"${name}@npm:^1.0.0":`,
      '  version: 1.0.0',
      `  resolution: "${name}@npm:1.0.0::__archiveUrl=${archive}"`,
      '  languageName: node',
      '  linkType: hard',
      '',
    ];
    const root = await repoWith({
      'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { a: '^1.0.0', b: '^1.0.0' } }),
      'yarn.lock': berryLock({ a: 'npm:^1.0.0', b: 'npm:^1.0.0' }, [
        ...entry('a', '%2Fevil%2F-%2Fevil-1.0.0.tgz'),
        ...entry('b', '%2Fb%2F-%2Fb-1.0.0.tgz'),
      ]),
    });
    const r = await scanDeps(root);
    const got = r.findings
      .filter((f) => f.ruleId === 'CPD010')
      .map((f) => `${f.ruleId} ${f.location.line ?? ''} ${String(f.evidence?.actual)}`);
    expect(got).toEqual(['CPD010 14 evil@1.0.0']);
  });
});
