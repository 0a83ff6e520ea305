import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEMIC_MIN } from '../../../src/deps/checks/systemic.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * A lockfile where many entries lack an integrity gets ONE grouped CPD002 (src/deps/checks/systemic.ts), whose
 * fingerprint ignores its count so that code scanning keeps one alert. A review must still show the entries a change
 * adds to that group: otherwise a pull request could add a package without integrity to such a lockfile unseen.
 */
const SHA512 = `sha512-${'A'.repeat(86)}==`;
const F = 'package-lock.json';

/** A v3 lockfile: `bare` names without integrity (p0…), then `pinned` with one (q0…). */
function lock(bare: readonly string[], pinned: readonly string[]): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  const entry = (name: string, integrity?: string) => ({
    version: '1.0.0',
    resolved: `https://registry.npmjs.org/${name}/-/${name}-1.0.0.tgz`,
    ...(integrity !== undefined ? { integrity } : {}),
  });
  for (const name of bare) packages[`node_modules/${name}`] = entry(name);
  for (const name of pinned) packages[`node_modules/${name}`] = entry(name, SHA512);
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function introducedCpd002(base: string, head: string): Promise<string[]> {
  const repo = makeRepo({ [F]: base }, { [F]: head });
  cleanups.push(repo.cleanup);
  const r = await reviewHead(repo.dir);
  return r.findings
    .filter((f) => f.ruleId === 'CPD002')
    .map((f) => (f.artifact?.kind === 'package' ? f.artifact.name : `group:${String(f.evidence?.['count'])}`))
    .sort();
}

describe('review: entries a change adds to a grouped finding are shown', () => {
  const many = names('p', SYSTEMIC_MIN + 5);

  it('a package without integrity added to a lockfile that already has many: that package, not the group', async () => {
    expect(await introducedCpd002(lock(many, names('q', 3)), lock([...many, 'evil'], names('q', 3)))).toEqual(['evil']);
  });

  it('a change that adds no such entry introduces nothing, whatever the group count does', async () => {
    expect(await introducedCpd002(lock(many, names('q', 3)), lock(many.slice(1), names('q', 4)))).toEqual([]);
  });

  it('a lockfile crossing the threshold: the entries the change added, as one group of their own', async () => {
    const few = names('p', 3);
    expect(await introducedCpd002(lock(few, []), lock([...few, ...names('n', SYSTEMIC_MIN)], []))).toEqual([
      `group:${SYSTEMIC_MIN}`,
    ]);
    expect(await introducedCpd002(lock(few, []), lock([...few, 'n0'], []))).toEqual(['n0']);
  });
});

describe('review: dependencies a change declares without locking them', () => {
  /** package.json declaring `declared`, and a lockfile locking `locked` (each name at ^1.0.0). */
  const project = (declared: readonly string[], locked: readonly string[]) => {
    const lockfile = JSON.parse(lock([], locked)) as { packages: Record<string, Record<string, unknown>> };
    lockfile.packages['']!['dependencies'] = Object.fromEntries(locked.map((n) => [n, '^1.0.0']));
    return {
      'package.json': JSON.stringify(
        { name: 'app', version: '1.0.0', dependencies: Object.fromEntries(declared.map((n) => [n, '^1.0.0'])) },
        null,
        2,
      ),
      [F]: JSON.stringify(lockfile, null, 2),
    };
  };

  it('hundreds added to package.json with the lockfile left alone: one CPD014 naming the lockfile', async () => {
    const locked = names('q', 3);
    const repo = makeRepo(project(locked, locked), project([...locked, ...names('n', 300)], locked));
    cleanups.push(repo.cleanup);
    const r = await reviewHead(repo.dir);
    const unlocked = r.findings.filter((f) => f.ruleId === 'CPD014');
    expect(unlocked).toHaveLength(1);
    expect(unlocked[0]!.evidence?.['count']).toBe(300);
    expect(unlocked[0]!.message).toMatch(
      /^300 dependencies declared in package\.json are not locked by package-lock\.json/,
    );
  });
});
