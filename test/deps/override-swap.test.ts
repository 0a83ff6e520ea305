import { describe, expect, it } from 'vitest';
import { repoWith, scanDeps } from './helpers.js';

/**
 * An override that puts another package under a dependency's name, as the lockfile records it once the package
 * manager applied it (npm: `node_modules/lodash` holding `name: evil-lodash`; pnpm: a snapshot edge
 * `lodash: evil-lodash@1.0.0`). Hand-written in the shape npm 11 and pnpm 9 write.
 */
const NPM_PACKAGE =
  '{"name":"app","version":"1.0.0","dependencies":{"express-lite":"^1.0.0"},"overrides":{"lodash":"npm:evil-lodash@1.0.0"}}';
const NPM_LOCK =
  '{\n  "name": "app",\n  "version": "1.0.0",\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": {\n    "": {"name": "app","version": "1.0.0","dependencies": {"express-lite": "^1.0.0"}},\n    "node_modules/express-lite": {"version": "1.0.0","resolved": "https://registry.npmjs.org/express-lite/-/express-lite-1.0.0.tgz","integrity": "sha512-BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw==","dependencies": {"lodash": "^4.17.21"}},\n    "node_modules/lodash": {"name": "evil-lodash","version": "1.0.0","resolved": "https://registry.npmjs.org/evil-lodash/-/evil-lodash-1.0.0.tgz","integrity": "sha512-BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw=="}\n  }\n}\n';
const PNPM_PACKAGE =
  '{"name":"app","version":"1.0.0","dependencies":{"express-lite":"^1.0.0"},"pnpm":{"overrides":{"lodash":"npm:evil-lodash@1.0.0"}}}';
const PNPM_LOCK =
  "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\noverrides:\n  lodash: npm:evil-lodash@1.0.0\n\nimporters:\n\n  .:\n    dependencies:\n      express-lite:\n        specifier: ^1.0.0\n        version: 1.0.0\n\npackages:\n\n  evil-lodash@1.0.0:\n    resolution: {integrity: sha512-BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw==}\n\n  express-lite@1.0.0:\n    resolution: {integrity: sha512-BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBw==}\n\nsnapshots:\n\n  evil-lodash@1.0.0: {}\n\n  express-lite@1.0.0:\n    dependencies:\n      lodash: evil-lodash@1.0.0\n";

describe('CPD172: an override that swaps in another package, judged in a scan', () => {
  it.each([
    { manager: 'npm overrides', files: { 'package.json': NPM_PACKAGE, 'package-lock.json': NPM_LOCK }, line: 9 },
    { manager: 'pnpm.overrides', files: { 'package.json': PNPM_PACKAGE, 'pnpm-lock.yaml': PNPM_LOCK }, line: 20 },
  ])('$manager: one warning at the entry it swapped', async ({ files, line }) => {
    const r = await scanDeps(await repoWith(files));
    const swaps = r.findings.filter((f) => f.ruleId === 'CPD172');
    expect(swaps.map((f) => f.location.line)).toEqual([line]);
    expect(swaps[0]!.message).toContain('overrides lodash with npm:evil-lodash@1.0.0');
    expect(swaps[0]!.evidence?.['override']).toBe('lodash');
    // Not also CPD021: the override asked for the alias.
    expect(r.findings.filter((f) => f.ruleId === 'CPD021')).toEqual([]);
  });

  it('an override that keeps the name (a version pin) is no swap', async () => {
    const files = {
      'package.json': NPM_PACKAGE.replace('npm:evil-lodash@1.0.0', '4.17.21'),
      'package-lock.json': NPM_LOCK,
    };
    const r = await scanDeps(await repoWith(files));
    expect(r.findings.filter((f) => f.ruleId === 'CPD172')).toEqual([]);
  });
});
