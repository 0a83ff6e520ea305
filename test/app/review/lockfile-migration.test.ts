import { afterAll, describe, expect, it } from 'vitest';
import { toReviewText } from '../../../src/report/review.js';
import { manifest, npmLock, sri } from './npm-lock.js';
import { makeRepo, reviewHead, type Tree } from './repo.js';

/**
 * A lockfile migration between package managers of one ecosystem (`pnpm import` over a package-lock, `bun install`
 * over a yarn.lock, `uv lock` over requirements): the old lockfile deleted, the new one added in the same folder.
 * Read as two unrelated files, every package was "added" and a version moved or a tarball re-pointed inside the
 * migration sat among them unremarked. Compared package by package across the two lockfiles, the unchanged ones
 * are not listed and what the migration changed is.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const DEPS = { 'left-pad': '1.3.0', 'is-number': '7.0.0', 'is-odd': '3.0.1' };
const registry = (name: string, version: string) => `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`;
const packageLock = npmLock(
  DEPS,
  Object.fromEntries(
    Object.entries(DEPS).map(([n, v], i) => [n, { version: v, resolved: registry(n, v), integrity: sri(i + 1) }]),
  ),
);

/** pnpm-lock.yaml v9 with these versions; `tarball` gives one package a tarball URL instead of the registry. */
function pnpmLock(versions: Record<string, string>, fills: Record<string, number> = {}, tarball?: [string, string]) {
  const names = Object.keys(versions).sort();
  const res = (n: string) => {
    const integrity = sri(fills[n] ?? Object.keys(DEPS).indexOf(n) + 1);
    return tarball?.[0] === n ? `{integrity: ${integrity}, tarball: ${tarball[1]}}` : `{integrity: ${integrity}}`;
  };
  return [
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
    ...names.flatMap((n) => [
      `      ${n}:`,
      `        specifier: ${DEPS[n as keyof typeof DEPS]}`,
      `        version: ${versions[n]}`,
    ]),
    '',
    'packages:',
    '',
    ...names.flatMap((n) => [`  ${n}@${versions[n]}:`, `    resolution: ${res(n)}`, '']),
    'snapshots:',
    '',
    ...names.flatMap((n) => [`  ${n}@${versions[n]}: {}`, '']),
  ].join('\n');
}

const base: Tree = { 'package.json': manifest(DEPS), 'package-lock.json': packageLock };

async function migrate(head: Tree, over: Parameters<typeof reviewHead>[1] = {}) {
  const repo = makeRepo(base, head, ['package-lock.json']);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, over);
}

const rows = (r: Awaited<ReturnType<typeof migrate>>) =>
  r.lockfiles.flatMap((lf) => lf.changes.map((c) => `${c.kind} ${c.name}`));
const cpu = (r: Awaited<ReturnType<typeof migrate>>) =>
  r.findings.filter((f) => f.ruleId.startsWith('CPU')).map((f) => `${f.ruleId}@${f.location.path}`);

describe('review: a lockfile migrated to another package manager', () => {
  it('package-lock.json → pnpm-lock.yaml with the same packages lists no change', async () => {
    const r = await migrate({ 'pnpm-lock.yaml': pnpmLock(DEPS) });
    expect(r.lockfiles.map((lf) => [lf.lockfile, lf.status, lf.movedFrom, lf.migrated])).toEqual([
      ['pnpm-lock.yaml', 'unchanged', 'package-lock.json', true],
    ]);
    expect(rows(r)).toEqual([]);
    expect(toReviewText(r)).toContain('pnpm-lock.yaml (unchanged, migrated from package-lock.json, 3 → 3 packages)');
    // Not a routine update, however few packages moved: another package manager installs from now on.
    const gated = await migrate({ 'pnpm-lock.yaml': pnpmLock(DEPS) }, { gate: 'patch' });
    expect(gated.gate?.reasons).toEqual(['pnpm-lock.yaml replaces package-lock.json (a package manager migration)']);
  });

  it('a version moved inside the migration is listed as the update it is', async () => {
    const r = await migrate({ 'pnpm-lock.yaml': pnpmLock({ ...DEPS, 'is-odd': '3.0.2' }, { 'is-odd': 9 }) });
    expect(rows(r)).toEqual(['upgraded is-odd']);
  });

  it('the same version with other bytes inside the migration is CPU001', async () => {
    const r = await migrate({ 'pnpm-lock.yaml': pnpmLock(DEPS, { 'left-pad': 7 }) });
    expect(rows(r)).toEqual([]);
    expect(cpu(r)).toContain('CPU001@pnpm-lock.yaml');
  });

  it('a migration that keeps its old lockfile beside the new one is not paired', async () => {
    const repo = makeRepo(base, { 'pnpm-lock.yaml': pnpmLock(DEPS) });
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    expect(r.lockfiles.find((lf) => lf.lockfile === 'pnpm-lock.yaml')?.status).toBe('added');
  });
});

describe('review: requirements migrated to uv.lock', () => {
  const hex = (n: number) => String(n).padStart(64, '0');
  const requirements =
    'idna==3.6 \\\n    --hash=sha256:' + hex(1) + '\nsix==1.16.0 \\\n    --hash=sha256:' + hex(2) + '\n';
  const uv = (idna: string, idnaHash: number) =>
    [
      'version = 1',
      'requires-python = ">=3.8"',
      '',
      ...[
        ['idna', idna, idnaHash],
        ['six', '1.16.0', 2],
      ].flatMap(([n, v, h]) => [
        '[[package]]',
        `name = "${n}"`,
        `version = "${v}"`,
        'source = { registry = "https://pypi.org/simple" }',
        `wheels = [{ url = "https://files.pythonhosted.org/packages/x/${n}-${v}-py3-none-any.whl", hash = "sha256:${hex(h as number)}", size = 1 }]`,
        '',
      ]),
    ].join('\n');
  const pyproject = '[project]\nname = "app"\nversion = "1.0.0"\ndependencies = ["idna", "six"]\n';

  it('the same pins are no change; a version moved is listed', async () => {
    const same = makeRepo(
      { 'pyproject.toml': pyproject, 'requirements.txt': requirements },
      { 'uv.lock': uv('3.6', 1) },
      ['requirements.txt'],
    );
    cleanups.push(same.cleanup);
    const r = await reviewHead(same.dir);
    expect(r.lockfiles.map((lf) => [lf.lockfile, lf.status, lf.migrated])).toEqual([['uv.lock', 'unchanged', true]]);
    const moved = makeRepo(
      { 'pyproject.toml': pyproject, 'requirements.txt': requirements },
      { 'uv.lock': uv('3.7', 3) },
      ['requirements.txt'],
    );
    cleanups.push(moved.cleanup);
    expect(rows(await reviewHead(moved.dir))).toEqual(['upgraded idna']);
  });
});

describe('review: a tarball re-pointed inside a migration', () => {
  it('is still reported (the head scan sees the tarball)', async () => {
    const r = await migrate({
      'pnpm-lock.yaml': pnpmLock(DEPS, {}, ['left-pad', 'https://evil.example/left-pad-1.3.0.tgz']),
    });
    expect(r.findings.filter((f) => f.level === 'error').map((f) => `${f.ruleId}@${f.location.path}`)).toEqual([
      'CPD020@pnpm-lock.yaml',
    ]);
  });
});
