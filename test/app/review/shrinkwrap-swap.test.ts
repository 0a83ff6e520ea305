import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { toReviewText } from '../../../src/report/review.js';
import { corpusPath } from '../../helpers/corpus.js';
import { makeRepo, type Tree, reviewHead } from './repo.js';

/**
 * npm reads `npm-shrinkwrap.json` in place of the `package-lock.json` beside it (arborist `Shrinkwrap.load`:
 * `data = sw || lock`). A change that adds a shrinkwrap next to the package-lock, renames the package-lock to a
 * shrinkwrap, or deletes the shrinkwrap that hid a package-lock, swaps the file npm installs from. Review read the
 * new file as a new lockfile, every package "added", and never compared it with the file npm read before: a version
 * republished under other bytes (CPU001) passed `--gate any`. The real actions/checkout lockfile stands in for both.
 */
const LOCK = readFileSync(
  corpusPath('lockfiles', 'update-pairs', 'actions-checkout-130a169.before.package-lock.json'),
  'utf8',
);
const PKG = JSON.stringify({ name: 'checkout', version: '1.0.0', devDependencies: { 'js-yaml': '^4.1.0' } });

/** The lockfile with an entry the update never touched given other bytes under the same version. */
function republished(): string {
  const m =
    /"node_modules\/@actions\/core": \{\n\s+"version": "1\.10\.1",\n\s+"resolved": "[^"]+",\n\s+"integrity": "(sha512-[^"]+)"/.exec(
      LOCK,
    );
  if (!m) throw new Error('@actions/core entry not found');
  return LOCK.replace(m[1]!, `sha512-${Buffer.alloc(64, 7).toString('base64')}`);
}

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function review(base: Tree, head: Tree, remove: string[] = []) {
  const repo = makeRepo({ 'package.json': PKG, ...base }, head, remove);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate: 'any' });
}

const errors = (r: Awaited<ReturnType<typeof review>>) =>
  r.findings.filter((f) => f.level === 'error').map((f) => `${f.ruleId}@${f.location.path}`);

describe('review of a swap between package-lock.json and npm-shrinkwrap.json', () => {
  it('a shrinkwrap added beside the package-lock is compared with it: a republished version is CPU001', async () => {
    const r = await review({ 'package-lock.json': LOCK }, { 'npm-shrinkwrap.json': republished() });
    expect(errors(r)).toEqual(['CPU001@npm-shrinkwrap.json']);
    expect(r.gate?.passed).toBe(false);
    const lf = r.lockfiles.find((x) => x.lockfile === 'npm-shrinkwrap.json');
    expect(lf?.movedFrom).toBe('package-lock.json');
    expect(lf?.changes).toEqual([]);
    expect(toReviewText(r)).toContain('npm-shrinkwrap.json (unchanged, read in place of package-lock.json,');
  });

  it('a package-lock renamed to npm-shrinkwrap.json is compared with its base self', async () => {
    const r = await review({ 'package-lock.json': LOCK }, { 'npm-shrinkwrap.json': republished() }, [
      'package-lock.json',
    ]);
    expect(errors(r)).toEqual(['CPU001@npm-shrinkwrap.json']);
  });

  it('a shrinkwrap deleted or emptied: the package-lock it hid is compared with it', async () => {
    for (const [head, remove] of [
      [{}, ['npm-shrinkwrap.json']],
      [{ 'npm-shrinkwrap.json': '' }, []],
    ] as const) {
      const r = await review({ 'package-lock.json': republished(), 'npm-shrinkwrap.json': LOCK }, head, [...remove]);
      expect(errors(r)).toEqual(['CPU001@package-lock.json']);
    }
  });

  it('an unchanged copy added as a shrinkwrap changes no package and passes', async () => {
    const r = await review({ 'package-lock.json': LOCK }, { 'npm-shrinkwrap.json': LOCK });
    expect(r.lockfiles.flatMap((x) => x.changes)).toEqual([]);
    expect(r.gate?.passed).toBe(true);
  });
});

describe('review of a lockfile new to the change', () => {
  it('compares each version with what the base revision locks anywhere: a republished copy is CPU001', async () => {
    // A workspace or tool folder gains its own lockfile: nothing at its path to compare with, but the root lockfile
    // locks the same @actions/core@1.10.1 with the registry's tarball.
    const r = await review({ 'package-lock.json': LOCK }, { 'tools/package-lock.json': republished() });
    expect(errors(r)).toEqual(['CPU001@tools/package-lock.json']);
    expect(r.findings.find((f) => f.ruleId === 'CPU001')?.message).toContain('than package-lock.json records');
    const clean = await review({ 'package-lock.json': LOCK }, { 'tools/package-lock.json': LOCK });
    expect(errors(clean)).toEqual([]);
  });
});
