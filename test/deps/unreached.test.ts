import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/core/finding.js';
import { registryWith, scanDeps } from './helpers.js';

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

describe('a known-malicious entry the frozen install never reaches', () => {
  it.each([
    { dir: 'npm', orphanLine: 26, manager: '`npm ci`' },
    { dir: 'yarn1', orphanLine: 13, manager: '`yarn install --frozen-lockfile`' },
    { dir: 'pnpm', orphanLine: 28, manager: '`pnpm install --frozen-lockfile`' },
    // bun locks a tarball entry without a version, which no advisory's version list can match.
  ])('$dir: stays CPD013 at its line, saying the manager does not install it', async (c) => {
    const registry = registryWith([{ id: 'MAL-ORPHAN', name: 'orphan', ranges: [], versions: ['1.0.0'] }]);
    const r = await scanDeps(path.join(UNREACHED, c.dir), { registry });
    const malicious = r.findings.filter((f) => f.ruleId === 'CPD013');
    // A known-malicious name in the lockfile is a signal whether or not it installs: not folded into CPD171.
    expect(malicious.map((f) => f.location.line)).toEqual([c.orphanLine]);
    expect(malicious[0]!.message).toContain(`${c.manager} does not install it`);
    expect(malicious[0]!.evidence?.['advisory']).toBe('MAL-ORPHAN');
  });

  it('an installed known-malicious entry keeps the plain wording', async () => {
    const registry = registryWith([{ id: 'MAL-B', name: 'b', ranges: [], versions: ['1.0.0'] }]);
    const r = await scanDeps(path.join(UNREACHED, 'npm'), { registry });
    const malicious = r.findings.filter((f) => f.ruleId === 'CPD013');
    expect(malicious.map((f) => f.location.line)).toEqual([20]);
    expect(malicious[0]!.message).not.toContain('does not install');
  });
});
