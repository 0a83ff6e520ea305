import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INIT_POLICY_FILE, initRepository } from '../../src/app/init.js';
import type { ScanResult } from '../../src/core/result.js';
import { corpusPath } from '../helpers/corpus.js';
import { scanAsCli } from '../helpers/scan.js';

/** A scan exactly as `chainproof scan <root> --offline` runs it: trust looked up under the root, every stage. */
const scanAsCliNow = (root: string): Promise<ScanResult> => scanAsCli(root, { today: '2026-01-01' });

const byRule = (r: ScanResult): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const f of r.findings) out[f.ruleId] = (out[f.ruleId] ?? 0) + 1;
  return out;
};

describe('init then scan (#13): scan finds what init wrote', () => {
  it.each([
    {
      name: 'npm v3 lockfile with install scripts (npm/cli)',
      file: 'npm-cli.v3-workspaces.package-lock.json',
      as: 'package-lock.json',
    },
    {
      name: 'npm shrinkwrap (@salesforce/cli)',
      file: 'salesforce-cli-2.146.3.v3.npm-shrinkwrap.json',
      as: 'npm-shrinkwrap.json',
    },
  ])('$name: fewer findings after init', async ({ file, as }) => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'chainproof-init-scan-'));
    copyFileSync(corpusPath('lockfiles', file), path.join(root, as));
    const alone = await scanAsCliNow(root);

    const { files } = await initRepository(root, {}, false);
    expect(files.map((f) => f.rel)).toContain(INIT_POLICY_FILE);
    expect(existsSync(path.join(root, INIT_POLICY_FILE))).toBe(true);
    const afterInit = await scanAsCliNow(root);

    // The install scripts the lockfile has today are recorded by init; everything else is unchanged.
    expect(byRule(alone)['CPD012']).toBeGreaterThan(0);
    expect(byRule(afterInit)['CPD012']).toBeUndefined();
    expect(afterInit.findings.length).toBeLessThan(alone.findings.length);
    expect(afterInit.findings.length).toBe(alone.findings.length - (byRule(alone)['CPD012'] ?? 0));
  });
});

describe('init surveys Python lockfiles too (#16)', () => {
  it('lists a uv.lock with its package count and leaves the npm registry list alone', async () => {
    const { surveyRepository } = await import('../../src/app/init-survey.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-init-py-'));
    copyFileSync(corpusPath('python', 'lockfiles', 'karpathy-nanochat.uv.lock'), path.join(dir, 'uv.lock'));
    const survey = await surveyRepository(dir, {});
    expect(survey.lockfiles).toEqual([{ path: 'uv.lock', kind: 'uv', packages: 104 }]);
    expect(survey.resolvedRegistries).toEqual({});
  });
});

describe('init reads the registries of .yarnrc.yml (yarn 2+ never reads .npmrc)', () => {
  it('a private scope registry in npmScopes: CPD150 before init, none after', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'chainproof-init-yarnrc-'));
    const cases = path.join(
      import.meta.dirname,
      '..',
      '..',
      'fixtures',
      'lockfiles',
      'cases',
      'yarnrc-untrusted.berry',
    );
    for (const f of ['yarn.lock', 'package.json']) copyFileSync(path.join(cases, f), path.join(root, f));
    writeFileSync(
      path.join(root, '.yarnrc.yml'),
      'npmScopes:\n  acme:\n    npmRegistryServer: "https://npm.acme.example/"\n    npmAuthToken: "${ACME_TOKEN}"\n',
    );
    const alone = await scanAsCliNow(root);
    expect(byRule(alone)['CPD150']).toBe(1);
    await initRepository(root, {}, false);
    const afterInit = await scanAsCliNow(root);
    expect(byRule(afterInit)['CPD150']).toBeUndefined();
  });
});
