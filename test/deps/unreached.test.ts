import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { scanDeps } from './helpers.js';

/**
 * A lockfile entry nothing the project declares reaches, with a preinstall script, from a local tarball: each
 * lockfile was written by the real tool with `orphan` declared, then `orphan` was dropped from package.json and the
 * lockfile's root. Measured: npm 11.19.1 `npm ci`, yarn 1.22.22, pnpm 10.34 and bun 1.4.5 `--frozen-lockfile` install
 * `a` and `b` and pass, and neither install nor run `orphan`. Fixtures: fixtures/lockfiles/unreached/README.md.
 */
const UNREACHED = path.resolve(import.meta.dirname, '../../fixtures/lockfiles/unreached');

const place = (f: Finding) => `${f.ruleId}@${f.location.path}:${f.location.line ?? 0}`;

describe('lockfile entries the frozen install never reaches', () => {
  it.each([
    { dir: 'npm', lockfile: 'package-lock.json', orphanLine: 26, bLine: 20, kept: 'CPD012', manager: '`npm ci`' },
    { dir: 'yarn1', lockfile: 'yarn.lock', orphanLine: 13, bLine: 9, kept: 'CPD012', manager: 'yarn install' },
    { dir: 'pnpm', lockfile: 'pnpm-lock.yaml', orphanLine: 28, bLine: 24, kept: 'CPD012', manager: 'pnpm install' },
    { dir: 'bun', lockfile: 'bun.lock', orphanLine: 18, bLine: 16, kept: 'CPD009', manager: 'bun install' },
  ])('$dir: one CPD171 for the entry, the installed one keeps its findings', async (c) => {
    const r = await scanDeps(path.join(UNREACHED, c.dir));
    const onOrphan = r.findings.filter((f) => f.location.line === c.orphanLine).map(place);
    // Its install scripts and local-path source are not reported one by one: they do not reach a machine.
    expect(onOrphan).toEqual([`CPD171@${c.lockfile}:${c.orphanLine}`]);
    const summary = r.findings.find((f) => f.ruleId === 'CPD171')!;
    expect(summary.message).toContain('orphan');
    expect(summary.message).toContain(c.manager);
    expect(summary.evidence?.['count']).toBe(1);
    expect(summary.evidence?.['leftOut']).toBeGreaterThanOrEqual(1);
    // b is declared and installed: its own findings stay at its line (install scripts; for bun, which runs no
    // untrusted package's scripts, its local-path source).
    expect(r.findings.map(place)).toContain(`${c.kept}@${c.lockfile}:${c.bLine}`);
  });
});
