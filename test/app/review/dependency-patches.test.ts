import { afterAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { makeRepo, reviewHead, reviewWorkTree, type Tree } from './repo.js';
import { sri } from './npm-lock.js';

/**
 * A patch pnpm, yarn, Bun or patch-package applies to a dependency changes the code installed into node_modules while
 * the lockfile keeps the same version and integrity, so the package diff shows nothing. The review used to say
 * "No dependency or model change" and pass `--gate patch` for a patch that added code to a dependency.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

function repoOf(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  return repo.dir;
}

const patchRules = (r: ReviewResult) =>
  r.findings
    .filter((f) => f.ruleId === 'CPU026' || f.ruleId === 'CPD024')
    .map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`);

const PATCH = 'patches/lodash@4.17.21.patch';
const patchOf = (...added: string[]) =>
  [
    'diff --git a/index.js b/index.js',
    '--- a/index.js',
    '+++ b/index.js',
    `@@ -1 +1,${1 + added.length} @@`,
    " module.exports = require('./lodash');",
    ...added.map((l) => `+${l}`),
    '',
  ].join('\n');
const scriptPatch = [
  'diff --git a/package.json b/package.json',
  '--- a/package.json',
  '+++ b/package.json',
  '@@ -1,2 +1,3 @@',
  ' {',
  '+  "scripts": { "postinstall": "node setup.js" },',
  '   "name": "lodash"',
  '',
].join('\n');

const PNPM_LOCK = [
  "lockfileVersion: '9.0'",
  '',
  'settings:',
  '  autoInstallPeers: true',
  '  excludeLinksFromLockfile: false',
  '',
  'patchedDependencies:',
  '  lodash@4.17.21:',
  '    hash: 0000000000000000000000000000000000000000000000000000000000000000',
  `    path: ${PATCH}`,
  '',
  'importers:',
  '',
  '  .:',
  '    dependencies:',
  '      lodash:',
  '        specifier: ^4.17.21',
  '        version: 4.17.21(patch_hash=0000000000000000000000000000000000000000000000000000000000000000)',
  '',
  'packages:',
  '',
  '  lodash@4.17.21:',
  `    resolution: {integrity: ${sri(1)}}`,
  '',
  'snapshots:',
  '',
  '  lodash@4.17.21(patch_hash=0000000000000000000000000000000000000000000000000000000000000000): {}',
  '',
].join('\n');
const pnpmProject = (patch: string): Tree => ({
  'package.json': JSON.stringify({
    name: 'app',
    version: '1.0.0',
    dependencies: { lodash: '^4.17.21' },
    pnpm: { patchedDependencies: { 'lodash@4.17.21': PATCH } },
  }),
  'pnpm-lock.yaml': PNPM_LOCK,
  [PATCH]: patch,
});

describe('review of a change to a patch the install applies to a dependency (CPU026)', () => {
  it('a pnpm patch that adds code to lodash → CPU026 at the patch, and --gate patch fails', async () => {
    const dir = repoOf(pnpmProject(patchOf('// typo')), pnpmProject(patchOf('// typo', "require('./x');")));
    const r = await reviewHead(dir, { gate: 'patch' });
    expect(patchRules(r)).toEqual([`CPU026@${PATCH}:1`]);
    expect(r.gate?.passed).toBe(false);
    // The same from the work tree (what the Action reviews).
    expect(patchRules(await reviewWorkTree(dir))).toEqual([`CPU026@${PATCH}:1`]);
  });

  it('a patch that adds an install script is the head scan’s CPD024 alone (one finding per cause)', async () => {
    const r = await reviewHead(repoOf(pnpmProject(patchOf('// typo')), pnpmProject(scriptPatch)));
    expect(patchRules(r)).toEqual([`CPD024@${PATCH}:6`]);
  });

  it('a yarn patch: protocol patch rewritten → CPU026', async () => {
    const berryPatch = '.yarn/patches/lodash-npm-4.17.21-6382451519.patch';
    const project = (patch: string): Tree => ({
      'package.json': JSON.stringify({
        name: 'app',
        dependencies: { lodash: `patch:lodash@npm%3A4.17.21#~/${berryPatch}` },
      }),
      [berryPatch]: patch,
    });
    const r = await reviewHead(repoOf(project(patchOf('// a')), project(patchOf('// b'))));
    expect(patchRules(r)).toEqual([`CPU026@${berryPatch}:1`]);
  });

  it('a new patch-package patch (run from the root postinstall) → CPU026', async () => {
    const manifest = JSON.stringify({ name: 'app', scripts: { postinstall: 'patch-package' } });
    const r = await reviewHead(
      repoOf(
        { 'package.json': manifest },
        { 'package.json': manifest, 'patches/lodash+4.17.21.patch': patchOf('// b') },
      ),
    );
    expect(patchRules(r)).toEqual(['CPU026@patches/lodash+4.17.21.patch:1']);
  });

  it('a patch file nothing applies, or one left as it was, → nothing', async () => {
    const r = await reviewHead(
      repoOf(
        { ...pnpmProject(patchOf('// typo')), 'docs/fix.patch': patchOf('// a') },
        { ...pnpmProject(patchOf('// typo')), 'docs/fix.patch': patchOf('// b'), 'README.md': 'x\n' },
      ),
    );
    expect(patchRules(r)).toEqual([]);
  });
});
