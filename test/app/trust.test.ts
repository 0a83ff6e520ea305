import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTrustMaterial, loadTrust } from '../../src/app/trust.js';
import { scanRepository } from '../../src/app/scan.js';
import { silentLogger } from '../../src/core/context.js';
import { ConfigError } from '../../src/core/errors.js';
import { EMPTY_REGISTRY } from '../../src/core/trusted-registry.js';
import { DEFAULT_POLICY } from '../../src/trust/policy/default.js';
import { PUBLIC_GOOD_SOURCE, trustedRootFileReads } from '../../src/trust/sigstore/root.js';
import { corpusPath } from '../helpers/corpus.js';
import { testOptions } from '../helpers/scan.js';

const KEYS = path.resolve('fixtures/policies/keys');

/** A repository whose policy names a custom trusted root, a key signer and a signature requirement. */
function repoWithPolicy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainproof-trust-'));
  mkdirSync(path.join(dir, '.chainproof'));
  mkdirSync(path.join(dir, 'models'));
  copyFileSync(corpusPath('sigstore', 'public-good', 'trusted_root.json'), path.join(dir, '.chainproof', 'root.json'));
  copyFileSync(path.join(KEYS, 'p256-public.pem'), path.join(dir, '.chainproof', 'release.pem'));
  writeFileSync(
    path.join(dir, '.chainproof', 'policy.yml'),
    [
      'version: 1',
      'signatures:',
      '  trustedRoot: root.json',
      '  signers:',
      '    release: {kind: key, key: release.pem}',
      '  require:',
      "    - paths: ['models/**']",
      '      signers: [release]',
      '',
    ].join('\n'),
  );
  writeFileSync(path.join(dir, 'models', 'weights.bin'), Buffer.alloc(64, 1));
  // A registry package, so the registry stage (which verifies npm provenance with the same root) runs too.
  writeFileSync(
    path.join(dir, 'package-lock.json'),
    JSON.stringify(
      {
        name: 'app',
        lockfileVersion: 3,
        requires: true,
        packages: {
          '': { name: 'app', dependencies: { 'left-pad': '1.3.0' } },
          'node_modules/left-pad': {
            version: '1.3.0',
            resolved: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz',
            integrity: 'sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQEQCgFPRUS8TqA3oJqm1xg0Nu6T2AXLd82ZK5+B5iMIc4Q==',
          },
        },
      },
      null,
      2,
    ),
  );
  return dir;
}

describe('trust material is built once', () => {
  it('a scan reads the trusted root once: policy validation, npm provenance and signatures share it', async () => {
    const dir = repoWithPolicy();
    const before = trustedRootFileReads();
    const trust = await loadTrust(dir, undefined, []);
    const result = await scanRepository({
      root: dir,
      trust,
      options: testOptions(),
      include: [],
      exclude: [],
      logger: silentLogger,
      today: '2026-01-01',
    });
    expect(trustedRootFileReads() - before).toBe(1);
    expect(trust.sigstore.source).toBe(path.join(dir, '.chainproof', 'root.json'));
    expect(trust.signers.map((s) => `${s.name}:${s.kind}`)).toEqual(['release:key']);
    // The requirement was checked from the context: the unsigned model is a finding, not a silent pass.
    expect(result.findings.map((f) => f.ruleId)).toContain('CPS003');
  });

  it('is frozen', async () => {
    const trust = await loadTrust(repoWithPolicy(), undefined, []);
    expect(Object.isFrozen(trust)).toBe(true);
    expect(Object.isFrozen(trust.policy)).toBe(true);
    expect(Object.isFrozen(trust.signers)).toBe(true);
  });

  it.each([
    { name: 'no policy file: the embedded public-good root, no file read', policy: DEFAULT_POLICY, reads: 0 },
    {
      name: 'a policy built in code naming a root: read once, relative to the scan root',
      policy: {
        ...DEFAULT_POLICY,
        signatures: {
          ...DEFAULT_POLICY.signatures,
          trustedRoot: corpusPath('sigstore', 'public-good', 'trusted_root.json'),
        },
      },
      reads: 1,
    },
  ])('$name', async ({ policy, reads }) => {
    const before = trustedRootFileReads();
    const trust = await buildTrustMaterial(policy, EMPTY_REGISTRY, os.tmpdir());
    expect(trustedRootFileReads() - before).toBe(reads);
    if (reads === 0) expect(trust.sigstore.source).toBe(PUBLIC_GOOD_SOURCE);
  });

  it('a key a policy built in code names, that is not a public key, is a ConfigError before anything is scanned', async () => {
    const policy = {
      ...DEFAULT_POLICY,
      signatures: {
        ...DEFAULT_POLICY.signatures,
        signers: { bad: { kind: 'key' as const, key: path.join(KEYS, 'p384-private.pem') } },
      },
    };
    await expect(buildTrustMaterial(policy, EMPTY_REGISTRY, os.tmpdir())).rejects.toBeInstanceOf(ConfigError);
  });
});
