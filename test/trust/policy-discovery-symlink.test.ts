import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli.js';
import { corpusPath } from '../helpers/corpus.js';

/**
 * The repository's own configuration (policy, trusted registry) is read only from inside the scan root. The
 * red-team case: `.chainproof/policy.yml -> ../../outside/.chainproof/policy.yml` was read and applied (CPI001 down
 * to a note, exit 0) while the report said the link was not followed. A policy named with --policy is the user's
 * choice and may live anywhere.
 */
const MALICIOUS = corpusPath('pickles', 'picklescan-data', 'malicious0.pkl');
const LENIENT = 'version: 1\nrules:\n  CPI001: note\n  CPM001: off\n';
const LENIENT_REGISTRY = 'version: 1\nmodels: []\n';

/** A scan root holding the malicious pickle, and a folder beside it (outside the root) holding a lenient policy. */
function setUp(): { root: string; outside: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'chainproof-policy-link-'));
  const root = path.join(base, 'repo');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(outside, '.chainproof'), { recursive: true });
  mkdirSync(path.join(outside, 'trusted-registry'), { recursive: true });
  writeFileSync(path.join(outside, '.chainproof', 'policy.yml'), LENIENT);
  writeFileSync(path.join(outside, 'trusted-registry', 'r.yml'), LENIENT_REGISTRY);
  mkdirSync(root);
  copyFileSync(MALICIOUS, path.join(root, 'hard.pkl'));
  return { root, outside };
}

const link = (target: string, at: string): void => {
  mkdirSync(path.dirname(at), { recursive: true });
  symlinkSync(target, at);
};

describe('repository configuration behind a symbolic link out of the root', () => {
  it.each([
    {
      name: '.chainproof/policy.yml → ../../outside/.chainproof/policy.yml (relative)',
      make: (root: string) => link('../../outside/.chainproof/policy.yml', path.join(root, '.chainproof/policy.yml')),
      names: '.chainproof/policy.yml',
    },
    {
      name: 'chainproof.policy.yml → an absolute path outside',
      make: (root: string, outside: string) =>
        link(path.join(outside, '.chainproof/policy.yml'), path.join(root, 'chainproof.policy.yml')),
      names: 'chainproof.policy.yml',
    },
    {
      name: 'the .chainproof folder itself → outside',
      make: (root: string, outside: string) => link(path.join(outside, '.chainproof'), path.join(root, '.chainproof')),
      names: '.chainproof/policy.yml',
    },
    {
      name: 'trusted-registry/r.yml → outside',
      make: (root: string, outside: string) =>
        link(path.join(outside, 'trusted-registry/r.yml'), path.join(root, 'trusted-registry/r.yml')),
      names: 'trusted-registry/r.yml',
    },
    {
      name: 'the trusted-registry folder itself → outside',
      make: (root: string, outside: string) =>
        link(path.join(outside, 'trusted-registry'), path.join(root, 'trusted-registry')),
      names: 'trusted-registry',
    },
  ])('$name: scan exits 2 naming the file, nothing scanned', async ({ make, names }) => {
    const { root, outside } = setUp();
    make(root, outside);
    const r = await runMain(['scan', root, '--offline', '--no-cache', '-f', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(names);
    expect(r.stderr).toMatch(/outside the scan root/);
    expect(r.stdout).toBe('');
  });

  it('policy validate refuses the repository policy behind such a link (exit 2)', async () => {
    const { root } = setUp();
    link('../../outside/.chainproof/policy.yml', path.join(root, '.chainproof/policy.yml'));
    const r = await runMain(['policy', 'validate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.chainproof/policy.yml');
  });

  it('a link that stays inside the root is read as the file it leads to (the lenient policy applies)', async () => {
    const { root } = setUp();
    writeFileSync(path.join(root, 'policies.yml'), LENIENT);
    link('../policies.yml', path.join(root, '.chainproof/policy.yml'));
    const r = await runMain(['scan', root, '--offline', '--no-cache', '-f', 'json']);
    const report = JSON.parse(r.stdout) as { findings: { ruleId: string; level: string }[] };
    expect(report.findings.filter((f) => f.ruleId === 'CPI001').map((f) => f.level)).toContain('note');
    expect(r.code).toBe(0);
  });

  it('a policy outside the root named with --policy is the user choice and applies', async () => {
    const { root, outside } = setUp();
    const r = await runMain([
      'scan',
      root,
      '--offline',
      '--no-cache',
      '-f',
      'json',
      '-p',
      path.join(outside, '.chainproof/policy.yml'),
    ]);
    expect(r.code).toBe(0);
  });

  it('without any policy the malicious pickle fails the scan (exit 1): the cases above are not vacuous', async () => {
    const { root } = setUp();
    const r = await runMain(['scan', root, '--offline', '--no-cache', '-f', 'json']);
    expect(r.code).toBe(1);
  });
});
