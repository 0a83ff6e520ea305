import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFidelity, FIDELITY, type FidelityCase } from './fidelity-cases.js';
import { repoWith, scanDeps } from './helpers.js';

/**
 * yarn berry `conditions:` follow Project.resolveEverything and Cache.fetchPackageFromCache: only a package reached
 * through optional dependencies alone is a conditional locator (skipped off-platform, never checksummed); any other
 * is fetched and checked on every platform, so its missing checksum is CPD002. Fixtures:
 * fixtures/lockfiles/install-agreement/README.md.
 */
const AGREEMENT = path.relative(
  FIDELITY,
  path.resolve(import.meta.dirname, '../../fixtures/lockfiles/install-agreement'),
);

const cases: FidelityCase[] = [
  {
    name: 'a regular dependency with `conditions: os=linux` and no checksum is installed unverified on Linux: CPD002',
    dir: `${AGREEMENT}/berry-conditions-required`,
    want: ['CPD002:error@yarn.lock:8'],
  },
  {
    name: 'conditions listing every OS do not hide the missing checksum either',
    dir: `${AGREEMENT}/berry-conditions-every-os`,
    want: ['CPD002:error@yarn.lock:8'],
  },
  {
    name: 'optional platform packages carry no checksum (yarn writes none); a `name@version` dependenciesMeta key does not make an edge optional',
    dir: `${AGREEMENT}/berry-conditions-optional`,
    want: ['CPD002:error@yarn.lock:15'],
  },
];

describeFidelity('yarn berry conditions and checksums agree with yarn', cases, ['CPD131', 'CPD137']);

describe('berry conditions: message and real lockfiles', () => {
  it('names the conditions in the message and the evidence', async () => {
    const r = await scanDeps(path.join(FIDELITY, `${AGREEMENT}/berry-conditions-required`));
    const f = r.findings.find((x) => x.ruleId === 'CPD002');
    expect(f?.message).toContain('conditions: os=linux');
    expect(f?.evidence?.conditions).toBe('os=linux');
  });

  it('a real yarn 4 lockfile (jest) reports none of its platform packages', async () => {
    const dir = await repoWith({ 'yarn.lock': { copy: 'jest.berry-v10.yarn.lock' } });
    const r = await scanDeps(dir);
    expect(r.findings.filter((f) => f.ruleId === 'CPD002')).toEqual([]);
  });
});
