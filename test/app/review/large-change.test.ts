import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReviewResult } from '../../../src/app/review/index.js';
import { toReviewMarkdown } from '../../../src/report/review.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * A huge pull request reads as its causes, not as hundreds of lines: 300 packages patch-bumped and moved to one new
 * registry host, plus 3 moved to another host. Before, review reported 303 CPU002 findings.
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
  r = await reviewHead(repo.dir, { gate: 'patch' });
});
afterAll(() => cleanup());

describe('review of a huge change', () => {
  it('300 packages moved to one host → one CPU002 with the count; 3 moved elsewhere stay per package', () => {
    const cpu002 = r.findings.filter((f) => f.ruleId === 'CPU002');
    expect(cpu002.map((f) => f.evidence?.['count'] ?? 1).sort((a, b) => Number(a) - Number(b))).toEqual([
      1,
      1,
      1,
      N - 3,
    ]);
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
