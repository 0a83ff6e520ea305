import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { toReviewMarkdown } from '../../../src/report/review.js';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * A huge pull request reads as its causes, not as hundreds of lines: 300 packages patch-bumped and moved to one new
 * registry host (one the policy allows), plus 3 moved to a host it refuses. Before, review reported 303 CPU002
 * findings.
 */
const N = 300;
const sri = (i: number) => `sha512-${Buffer.alloc(64, i % 251).toString('base64')}`;
function npmLock(version: (i: number) => string, host: (i: number) => string): string {
  const names = Array.from({ length: N }, (_, i) => `p${String(i).padStart(3, '0')}`);
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: Object.fromEntries(names.map((n) => [n, '^1.0.0'])) },
  };
  names.forEach((n, i) => {
    const v = version(i);
    packages[`node_modules/${n}`] = {
      version: v,
      resolved: `https://${host(i)}/${n}/-/${n}-${v}.tgz`,
      integrity: sri(i),
    };
  });
  return (
    JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2) + '\n'
  );
}

let r: ReviewResult;
let cleanup: () => void;
beforeAll(async () => {
  const repo = makeRepo(
    {
      'package-lock.json': npmLock(
        () => '1.0.0',
        () => 'registry.npmjs.org',
      ),
    },
    {
      'package-lock.json': npmLock(
        () => '1.0.1',
        (i) => (i < 3 ? 'npm.evil.example' : 'mirror.corp.example'),
      ),
    },
  );
  cleanup = repo.cleanup;
  const policy = {
    ...DEFAULT_POLICY,
    dependencies: {
      ...DEFAULT_POLICY.dependencies,
      allowedRegistries: [...DEFAULT_POLICY.dependencies.allowedRegistries, 'https://mirror.corp.example/'],
    },
  };
  r = await reviewHead(repo.dir, { gate: 'patch', policy });
});
afterAll(() => cleanup());

describe('review of a huge change', () => {
  it('297 packages moved to one host → one CPU002 with the count; 3 moved to a refused host → one CPD005', () => {
    const cpu002 = r.findings.filter((f) => f.ruleId === 'CPU002');
    expect(cpu002.map((f) => f.evidence?.['count'])).toEqual([N - 3]);
    // Their CPU002 folds into the head scan's CPD005 group for the host (moved-entries.test.ts).
    const refused = r.findings.filter((f) => f.ruleId === 'CPD005');
    expect(refused.map((f) => f.evidence?.['count'])).toEqual([3]);
    expect(refused[0]?.message).toContain('they came from registry (registry.npmjs.org) at the base revision');
    const group = cpu002.find((f) => f.evidence?.['count'] === N - 3);
    expect(group?.evidence?.['cause']).toBe('registry (registry.npmjs.org) → registry (mirror.corp.example)');
    expect(group?.related).toHaveLength(N - 4);
  });

  it('stays a handful of findings in all, and fails the gate', () => {
    expect(r.findings.length).toBeLessThan(10);
    expect(r.gate?.passed).toBe(false);
  });

  it('the Markdown comment shows the findings before the 300-row change table', () => {
    const md = toReviewMarkdown(r);
    expect(md.indexOf('### Findings')).toBeGreaterThan(0);
    expect(md.indexOf('### Findings')).toBeLessThan(md.indexOf('| Lockfile | Package |'));
  });
});
