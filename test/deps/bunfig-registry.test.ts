import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFidelity, FIDELITY, type FidelityCase } from './fidelity-cases.js';
import { scanDeps } from './helpers.js';

/**
 * `scan` reads the bunfig.toml beside a bun lockfile as bun does (bunfig.zig `Parser.parseRegistry`): its
 * `[install] registry` and `[install.scopes]` are judged like a repository `.npmrc` (CPD134), and so are a pnpm
 * lockfile's pnpm-workspace.yaml `registry` and `registries`, and a yarn 1 lockfile's `.yarnrc`. Fixtures:
 * fixtures/lockfiles/install-agreement/README.md.
 */
const AGREEMENT = path.relative(
  FIDELITY,
  path.resolve(import.meta.dirname, '../../fixtures/lockfiles/install-agreement'),
);

const cases: FidelityCase[] = [
  {
    name: 'an http default registry in bunfig.toml is CPD134, as the same line in .npmrc is',
    dir: `${AGREEMENT}/bunfig-registry.bun`,
    want: ['CPD134:error@bunfig.toml:2'],
  },
  {
    name: 'a scope registry in [install.scopes] is CPD134',
    dir: `${AGREEMENT}/bunfig-scope.bun`,
    want: ['CPD134:error@bunfig.toml:2'],
  },
  {
    name: 'registries with userinfo and a token table: one finding each, and one CPD168 for the written secrets',
    dir: `${AGREEMENT}/bunfig-credentials.bun`,
    want: ['CPD134:error@bunfig.toml:2', 'CPD134:error@bunfig.toml:5', 'CPD168:error@bunfig.toml:2'],
  },
  {
    // pnpm reads pnpm-workspace.yaml's `registry` and `registries` over `.npmrc` (@pnpm/config `getConfig`).
    name: 'pnpm-workspace.yaml registries the policy does not allow are CPD134, as the same lines in .npmrc are',
    dir: `${AGREEMENT}/pnpm-workspace-registry.pnpm9`,
    want: ['CPD134:error@pnpm-workspace.yaml:3', 'CPD134:error@pnpm-workspace.yaml:5'],
  },
  {
    // yarn 1 reads `.yarnrc` registries under `.npmrc`'s (npm-registry.js `getRegistry`), and a `--registry` line
    // as the command-line option rc.js `getRcArgs` makes of it; `strict-ssl` as npm's (CPD135).
    name: 'yarn 1 .yarnrc registries the policy does not allow are CPD134, as the same lines in .npmrc are',
    dir: `${AGREEMENT}/yarnrc-v1-registry.yarn-v1`,
    want: ['CPD134:error@.yarnrc:2', 'CPD134:error@.yarnrc:3', 'CPD135:error@.yarnrc:4'],
  },
];

describeFidelity('bunfig.toml and pnpm-workspace.yaml registries in scan', cases, ['CPD131', 'CPD137']);

describe('bunfig.toml credentials', () => {
  it('never appear in messages or evidence', async () => {
    const r = await scanDeps(path.join(FIDELITY, `${AGREEMENT}/bunfig-credentials.bun`));
    const text = JSON.stringify(r.findings.map((f) => [f.message, f.evidence]));
    expect(r.findings.some((f) => f.ruleId === 'CPD134')).toBe(true);
    for (const secret of ['hunter2', 'ci-user', 'SECRETTOKEN']) expect(text).not.toContain(secret);
    expect(r.findings.find((f) => f.location.line === 5)?.evidence?.key).toBe('install.scopes.@acme');
  });
});
