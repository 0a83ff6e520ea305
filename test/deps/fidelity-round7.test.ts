import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIDELITY, describeFidelity, type FidelityCase } from './fidelity-cases.js';
import { scanDeps } from './helpers.js';

/**
 * Round 7: verdicts that follow npm 11.19's (and 12's) `allowScripts` policy in package.json, and pnpm 9's reading of
 * `snapshots` and `packages` as one table. Fixtures and where each came
 * from: fixtures/lockfiles/fidelity/README.md. The offline-only notes (CPD131 not verified, CPD137 install scripts
 * unknown) are left out.
 */
/** Every package of allow-scripts.v3 with an install script, denied or not. */
const ALL_FIVE = [12, 19, 25, 31, 37].map((l) => `CPD012:warning@package-lock.json:${l}`);

const cases: FidelityCase[] = [
  {
    name: "npm: allowScripts under packageManager npm@11.19.1 alone (npm does not check the field, corepack has no npm shim by default: the runner's npm 10 ignores allowScripts): every install script is reported",
    dir: 'allow-scripts.v3',
    want: ALL_FIVE,
  },
  {
    name: 'npm: dangerously-allow-all-scripts in the project .npmrc bypasses allowScripts, so a denied package still runs its scripts',
    dir: 'allow-scripts-bypass.v3',
    want: ['CPD012:warning@package-lock.json:12'],
  },
  {
    name: 'npm: allowScripts with no npm pinned (the runner’s npm 10 ignores it): every install script is reported',
    dir: 'allow-scripts-unpinned.v3',
    want: ALL_FIVE,
  },
  {
    name: 'npm: allowScripts under packageManager npm@10.9.2, which ignores it: every install script is reported',
    dir: 'allow-scripts-old-npm.v3',
    want: ALL_FIVE,
  },
  {
    name: 'npm: allowScripts with devEngines.packageManager npm >=11.19.0 (npm 10.9+ refuses another): a deny (name, or the alias target from resolved) stops its scripts; ranges, other versions and allows do not',
    dir: 'allow-scripts-devengines.v3',
    want: [
      'CPD012:warning@package-lock.json:19',
      'CPD012:warning@package-lock.json:25',
      'CPD012:warning@package-lock.json:37',
    ],
  },
  {
    name: 'npm: allowScripts with devEngines onFail "warn" (another npm installs anyway): every install script is reported',
    dir: 'allow-scripts-devengines-warn.v3',
    want: ALL_FIVE,
  },
  {
    name: 'npm 12 (devEngines): allowScripts runs only what it allows (a name allow, not overridden by a deny of another version); denied, unreviewed and range-keyed packages do not run',
    dir: 'allow-scripts-npm12.v3',
    want: ['CPD012:warning@package-lock.json:19'],
  },
  {
    name: 'pnpm 9: a snapshot without its packages entry stops a frozen install (no resolution): CPD165, not a silent pass',
    dir: 'snapshot-no-package.pnpm9',
    want: ['CPD165:error@pnpm-lock.yaml:19'],
  },
  {
    name: 'pnpm 9: a snapshot dependency no snapshot has is ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY: CPD165 at the snapshot',
    dir: 'snapshot-dep-missing.pnpm9',
    want: ['CPD165:error@pnpm-lock.yaml:22'],
  },
  {
    name: 'pnpm 9: an importer dependency no snapshot has is ERR_PNPM_LOCKFILE_MISSING_DEPENDENCY: CPD165 at the importer',
    dir: 'importer-dep-missing.pnpm9',
    want: ['CPD165:error@pnpm-lock.yaml:9'],
  },
  {
    name: 'pnpm 9: a packages entry no snapshot names is never installed, so its tarball URL is no CPD008',
    dir: 'package-no-snapshot.pnpm9',
    want: [],
  },
];

describeFidelity('dependency verdicts agree with the package manager (round 7)', cases, ['CPD131', 'CPD137']);

describe('allowScripts denials are said once per lockfile', () => {
  it('names the count and that an older npm still runs them (allow-scripts-devengines.v3)', async () => {
    const r = await scanDeps(path.join(FIDELITY, 'allow-scripts-devengines.v3'));
    const notes = r.notifications.filter((n) => n.message.includes('allowScripts'));
    expect(notes.map((n) => [n.level, n.path])).toEqual([['note', 'package-lock.json']]);
    expect(notes[0]?.message).toContain('2 package(s)');
  });

  it('says when the denials are not applied because no npm that reads them is pinned (allow-scripts-unpinned.v3)', async () => {
    const r = await scanDeps(path.join(FIDELITY, 'allow-scripts-unpinned.v3'));
    const notes = r.notifications.filter((n) => n.message.includes('allowScripts'));
    expect(notes.map((n) => [n.level, n.path])).toEqual([['note', 'package-lock.json']]);
    expect(notes[0]?.message).toMatch(
      /denies the install scripts of 2 package\(s\), but nothing makes npm ≥ 11\.19 install/,
    );
  });
});
