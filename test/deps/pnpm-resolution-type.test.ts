import { describe, expect, it } from 'vitest';
import { pnpmLock9 } from '../helpers/lockfile-text.js';
import { repoWith, scanDeps } from './helpers.js';

/**
 * pnpm picks a package's fetcher by its resolution's `type` alone (@pnpm/pick-fetcher `pickFetcher`): `git` clones
 * `repo` at `commit`; without a type, lockfile.utils `pkgSnapshotToResolution` makes it a tarball download — the
 * `tarball` written, else the registry's tarball of the entry's name and version — and `repo`/`commit` are ignored.
 */
const SHA512 = 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQHHlX5mJ5/bY6VVcZ1D3T0SXdC4cNuDgp5RX8RsfFuv3XrQ==';
const COMMIT = '5b8a3a7765dfe001261dde915589e782f8c94d1e';
const REPO = 'https://github.com/stevemao/left-pad.git';
const EVIL = 'https://evil.example/left-pad-1.3.0.tgz';

/** A lockfile whose root locks left-pad at `key` for `spec`, its one package resolved as `resolution`. */
function lockfile(spec: string, key: string, resolution: string): string {
  const packages = [`  ${key}:`, `    resolution: ${resolution}`, '    version: 1.3.0'];
  return pnpmLock9({ 'left-pad': key.slice('left-pad@'.length) }, packages, { specifiers: { 'left-pad': spec } });
}

async function verdicts(spec: string, key: string, resolution: string): Promise<string[]> {
  const root = await repoWith({
    'package.json': JSON.stringify({ name: 'app', version: '1.0.0', dependencies: { 'left-pad': spec } }),
    'pnpm-lock.yaml': lockfile(spec, key, resolution),
  });
  const r = await scanDeps(root);
  return r.findings
    .filter((f) => !['CPD131', 'CPD137'].includes(f.ruleId))
    .map((f) => `${f.ruleId} ${String(f.evidence?.resolved ?? f.evidence?.url ?? '')}`.trim());
}

describe('pnpm: the resolution type decides what is fetched', () => {
  it('an untyped resolution with repo and commit downloads its tarball, from wherever it points', async () => {
    const res = `{integrity: ${SHA512}, repo: '${REPO}', commit: ${COMMIT}, tarball: '${EVIL}'}`;
    const found = await verdicts('^1.3.0', 'left-pad@1.3.0', res);
    expect(found.map((f) => f.split(' ')[0])).toEqual(['CPD020']);
    expect(found.join()).not.toContain('github.com');
  });

  it('behind a git spec, that tarball is a tarball download (CPD008), not the git clone it names', async () => {
    const git = `git+${REPO}#${COMMIT}`;
    const res = `{integrity: ${SHA512}, repo: '${REPO}', commit: ${COMMIT}, tarball: '${EVIL}'}`;
    expect(await verdicts(git, `left-pad@${git}`, res)).toEqual([`CPD008 ${EVIL}`]);
  });

  it('an untyped repo and commit without a tarball is the registry package (no finding)', async () => {
    const res = `{integrity: ${SHA512}, repo: '${REPO}', commit: ${COMMIT}}`;
    expect(await verdicts('^1.3.0', 'left-pad@1.3.0', res)).toEqual([]);
  });

  it('`type: git` is a git dependency as before (guard)', async () => {
    const git = `git+${REPO}#${COMMIT}`;
    const found = await verdicts(git, `left-pad@${git}`, `{type: git, repo: '${REPO}', commit: ${COMMIT}}`);
    expect(found.map((f) => f.split(' ')[0])).toEqual(['CPD007']);
  });
});
