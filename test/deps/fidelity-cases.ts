import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { scanDeps } from './helpers.js';

/** Hand-made lockfile shapes, each an attack or a normal use: fixtures/lockfiles/fidelity/README.md says which. */
export const FIDELITY = path.resolve(import.meta.dirname, '../../fixtures/lockfiles/fidelity');

export interface FidelityCase {
  name: string;
  dir: string;
  /** `ruleId:level@path:line`, sorted. */
  want: string[];
  /** Evidence `count` of each finding with one, in the order of `want`. */
  counts?: Record<string, number>;
}

function place(f: Finding): string {
  return `${f.ruleId}:${f.level ?? ''}@${f.location.path}:${f.location.line ?? ''}`;
}

/** One test per case: the deps stage's findings over the folder (less `ignore`d rules) are exactly `want`. */
export function describeFidelity(title: string, cases: FidelityCase[], ignore: readonly string[] = []): void {
  describe(title, () => {
    it.each(cases)('$name ($dir)', async ({ dir, want, counts }) => {
      const r = await scanDeps(path.join(FIDELITY, dir));
      const findings = r.findings
        .filter((f) => !ignore.includes(f.ruleId))
        .sort((a, b) => (place(a) < place(b) ? -1 : place(a) > place(b) ? 1 : 0));
      expect(findings.map(place)).toEqual(want);
      for (const [rule, count] of Object.entries(counts ?? {}))
        expect(findings.find((f) => f.ruleId === rule)?.evidence?.count).toBe(count);
    });
  });
}
