import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import type { RegistryLookup } from '../../../src/app/review/online.js';
import { testOptions } from '../../helpers/scan.js';
import { git, makeRepo, reviewHead } from './repo.js';

/**
 * The Action's checkout: `actions/checkout` clones one commit (fetch-depth 1), so the pull request's base SHA is not
 * in the clone. Before, review stopped with "git rev-parse failed" (exit 2, no report). Now it fetches the base from
 * origin, or — offline, or when the fetch fails — writes its reports with one CPU022 error and nothing compared.
 */
const EVIL_PICKLE = "cos\nsystem\n(S'id'\ntR.";
let origin: { dir: string; cleanup: () => void };
let clone: string;
let baseSha: string;

beforeAll(() => {
  origin = makeRepo({ 'README.md': 'model card\n' }, { 'models/clf.pkl': EVIL_PICKLE });
  baseSha = git(origin.dir, 'rev-parse', 'HEAD~1').trim();
  clone = path.join(mkdtempSync(path.join(tmpdir(), 'chainproof-review-shallow-')), 'clone');
  git(path.dirname(clone), 'clone', '--quiet', '--depth=1', `file://${origin.dir}`, clone);
});
afterAll(() => {
  origin.cleanup();
  rmSync(path.dirname(clone), { recursive: true, force: true });
});

/** The review asks no registry here (no lockfile changed); any question would be a bug in the test. */
const NO_REGISTRY: RegistryLookup = {
  packument: () => Promise.reject(new Error('no registry in this test')),
  attestations: () => Promise.reject(new Error('no registry in this test')),
};

describe('review of a shallow clone whose base commit is missing', () => {
  it('offline: one CPU022 error, nothing compared, the gate fails, the scan is incomplete', async () => {
    const r = await reviewHead(clone, { base: baseSha, gate: 'any' });
    expect(r.findings.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPU022:error']);
    expect(r.findings[0]?.evidence?.['reason']).toContain('shallow clone');
    expect(r.gate?.passed).toBe(false);
    expect(r.scan.complete).toBe(false);
  });

  it('online: the base is fetched from origin and the change is reviewed', async () => {
    const r = await reviewHead(clone, {
      base: baseSha,
      gate: 'any',
      options: testOptions({ offline: false }),
      lookup: NO_REGISTRY,
    });
    expect(r.base.commit).toBe(baseSha);
    expect(r.findings.map((f) => f.ruleId)).toContain('CPI001');
    expect(r.findings.map((f) => f.ruleId)).not.toContain('CPU022');
  });

  it('a name that resolves nowhere in a full clone is still a usage error', async () => {
    await expect(reviewHead(origin.dir, { base: 'no-such-branch' })).rejects.toBeInstanceOf(UsageError);
  });
});
