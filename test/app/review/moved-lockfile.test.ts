import { afterAll, describe, expect, it } from 'vitest';
import { makeRepo, type Tree, reviewHead } from './repo.js';

/**
 * A monorepo reshuffle moves a lockfile (`package-lock.json` → `apps/web/package-lock.json`). Before, review read it
 * as every package removed and re-added and re-reported the old path's findings (a git dependency's CPD007) as
 * introduced. Now the moved file is compared with its base self: nothing but what really changed.
 */
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const sri = (fill: number) => `sha512-${Buffer.alloc(64, fill).toString('base64')}`;
function npmLock(extra: Record<string, unknown> = {}, aDeps?: Record<string, string>): string {
  const packages: Record<string, unknown> = {
    '': { name: 'web', version: '1.0.0', dependencies: { a: '^1.0.0', g: 'github:o/g' } },
    'node_modules/a': {
      version: '1.0.0',
      resolved: 'https://registry.npmjs.org/a/-/a-1.0.0.tgz',
      integrity: sri(1),
      ...(aDeps ? { dependencies: aDeps } : {}),
    },
    'node_modules/g': { version: '1.0.0', resolved: `git+ssh://git@github.com/o/g.git#${'a'.repeat(40)}` },
    ...extra,
  };
  return (
    JSON.stringify({ name: 'web', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n'
  );
}
const OLD = 'package-lock.json';
const NEW = 'apps/web/package-lock.json';

async function review(base: Tree, head: Tree) {
  const repo = makeRepo(base, head);
  cleanups.push(repo.cleanup);
  return reviewHead(repo.dir, { gate: 'patch' });
}

describe('review of a lockfile the change moved', () => {
  it('moved unchanged → no package change, no finding re-reported, listed as moved', async () => {
    // fast-import adds files only: the old path is emptied into a non-lockfile instead of deleted.
    const r = await review({ [OLD]: npmLock() }, { [NEW]: npmLock(), [OLD]: '' });
    const moved = r.lockfiles.find((lf) => lf.lockfile === NEW);
    expect(moved?.movedFrom).toBe(OLD);
    expect(moved?.changes).toEqual([]);
    expect(r.findings.filter((f) => f.location.path === NEW).map((f) => f.ruleId)).toEqual([]);
  });

  it('moved with a package injected under an unchanged version → CPU015 at the new path', async () => {
    const injected = npmLock(
      {
        'node_modules/evil': {
          version: '1.0.0',
          resolved: 'https://registry.npmjs.org/evil/-/evil-1.0.0.tgz',
          integrity: sri(9),
        },
      },
      { evil: '^1.0.0' },
    );
    const r = await review({ [OLD]: npmLock() }, { [NEW]: injected, [OLD]: '' });
    expect(r.findings.filter((f) => f.ruleId === 'CPU015').map((f) => f.location.path)).toEqual([NEW]);
    expect(r.lockfiles.find((lf) => lf.lockfile === NEW)?.changes.map((c) => `${c.kind} ${c.name}`)).toEqual([
      'added evil',
    ]);
  });
});
