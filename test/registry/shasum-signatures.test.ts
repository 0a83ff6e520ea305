import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { routeRegistries, testSigningKey } from './route-registry.js';
import { scanGraphs, tempDir, writeLockfile } from './scan.js';

/**
 * A version whose packument gives only `dist.shasum` (no `dist.integrity`, as old publishes and some private
 * registries do): pacote's integrity is then `ssri.fromHex(shasum, 'sha1')` and the registry signature is over
 * `name@version:sha1-…` (lib/registry.js `manifest`); `npm audit signatures` checks it, or reports it missing.
 */
const startRegistry = routeRegistries();

const BYTES = Buffer.from('the tarball of old-lib 1.0.0');
const SHASUM = createHash('sha1').update(BYTES).digest('hex');
const SHA1_SRI = `sha1-${createHash('sha1').update(BYTES).digest('base64')}`;

async function scanShasumOnly(signatures: (sign: ReturnType<typeof testSigningKey>) => unknown[]): Promise<ScanResult> {
  const reg = await startRegistry();
  const key = testSigningKey('SHA256:corp', null);
  reg.route('/-/npm/v1/keys', { body: { keys: [key.entry] } });
  const tarball = `${reg.origin}/old-lib/-/old-lib-1.0.0.tgz`;
  const dist = (name: string) => ({ shasum: SHASUM, tarball: `${reg.origin}/${name}/-/${name}-1.0.0.tgz` });
  reg.route('/old-lib', {
    body: {
      name: 'old-lib',
      versions: {
        '1.0.0': { name: 'old-lib', version: '1.0.0', dist: { ...dist('old-lib'), signatures: signatures(key) } },
      },
    },
  });
  // A second package the registry signs, so an unsigned one is the package's own problem (CPD111), not the registry's.
  reg.route('/other', {
    body: {
      name: 'other',
      versions: {
        '1.0.0': {
          name: 'other',
          version: '1.0.0',
          dist: { ...dist('other'), signatures: [key.signature('other', '1.0.0', SHA1_SRI)] },
        },
      },
    },
  });
  const root = tempDir();
  const graph = writeLockfile(root, [
    { name: 'old-lib', version: '1.0.0', resolved: tarball, integrity: SHA1_SRI },
    { name: 'other', version: '1.0.0', resolved: `${reg.origin}/other/-/other-1.0.0.tgz`, integrity: SHA1_SRI },
  ]);
  return scanGraphs({ root, graphs: [graph], registry: reg.url });
}

function verdictOf(result: ScanResult, name: string): { status: string | undefined; rules: string[] } {
  return {
    status: result.verifications.find((v) => v.key.includes(`${name}@`))?.status,
    rules: result.findings.filter((f) => JSON.stringify(f).includes(name)).map((f) => f.ruleId),
  };
}

describe('registry signatures over the shasum integrity (pacote: ssri.fromHex(dist.shasum, "sha1"))', () => {
  it('a signature over name@version:sha1-… verifies', async () => {
    const result = await scanShasumOnly((key) => [key.signature('old-lib', '1.0.0', SHA1_SRI)]);
    expect(verdictOf(result, 'old-lib')).toEqual({ status: 'verified', rules: [] });
  });

  it('a signature over anything else is CPD110, as npm audit signatures says (EINTEGRITYSIGNATURE)', async () => {
    const result = await scanShasumOnly((key) => [key.signature('old-lib', '1.0.0', `sha1-${'A'.repeat(27)}=`)]);
    expect(verdictOf(result, 'old-lib')).toEqual({ status: 'failed', rules: ['CPD110'] });
  });

  it('no signature on a registry that signs the others is CPD111 (npm: missing), not verified', async () => {
    const result = await scanShasumOnly(() => []);
    expect(verdictOf(result, 'old-lib')).toEqual({ status: 'failed', rules: ['CPD111'] });
  });
});
