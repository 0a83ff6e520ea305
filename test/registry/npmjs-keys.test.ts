import { describe, expect, it } from 'vitest';
import { HttpCache } from '../../src/registry/http-cache.js';
import { ABBREVIATED_ACCEPT, KEPT_PACKUMENT } from '../../src/registry/sources.js';
import { tufRegistryKeys } from '../../src/verify/npm/keys.js';
import { fakeIntegrity, testSigningKey } from './route-registry.js';
import { scanGraphs, tempDir, writeLockfile } from './scan.js';

/**
 * npm's `audit signatures` takes registry.npmjs.org's keys from Sigstore's TUF repository only
 * (lib/utils/verify-signatures.js `setKeys`: the target `${host}${pathname}/keys.json`), and asks a registry's
 * `/-/npm/v1/keys` only when TUF has no target for it. A proxy that intercepts TLS, or a poisoned registry cache (an
 * Actions cache restored from another branch), that lists a key of its own at the endpoint must not make what it signs
 * verified.
 */
const NPMJS = 'https://registry.npmjs.org/';

/** The scan's registry cache (pack mode, as a scan writes it) holding what a poisoner wrote for registry.npmjs.org. */
async function poisonedCache(names: readonly string[]): Promise<string> {
  const cacheDir = tempDir('chainproof-npmjs-keys-');
  const attacker = testSigningKey('SHA256:attacker', null);
  const cache = new HttpCache(cacheDir, { pack: true });
  const json = (v: unknown) => ({ body: Buffer.from(JSON.stringify(v)), storedAt: Date.now() });
  await cache.put(`${NPMJS}-/npm/v1/keys`, 'application/json', json({ keys: [attacker.entry] }));
  for (const name of names) {
    const dist = {
      integrity: integrityOf(name),
      tarball: `${NPMJS}${name}/-/${name}-1.0.0.tgz`,
      signatures: [attacker.signature(name, '1.0.0', integrityOf(name))],
    };
    const packument = {
      name,
      modified: '2026-01-01T00:00:00.000Z',
      versions: { '1.0.0': { name, version: '1.0.0', dist } },
    };
    await cache.put(
      `${NPMJS}${name}`,
      `${ABBREVIATED_ACCEPT}\0${KEPT_PACKUMENT.id}`,
      json(KEPT_PACKUMENT.of(packument)),
    );
  }
  await cache.flush();
  return cacheDir;
}

const integrityOf = (name: string) => fakeIntegrity(`${name} 1.0.0, as the poisoner serves it`);

async function scanPoisoned(names: readonly string[]) {
  const cacheDir = await poisonedCache(names);
  const root = tempDir();
  const graph = writeLockfile(
    root,
    names.map((name) => ({
      name,
      version: '1.0.0',
      resolved: `${NPMJS}${name}/-/${name}-1.0.0.tgz`,
      integrity: integrityOf(name),
    })),
  );
  return scanGraphs({ root, graphs: [graph], registry: NPMJS, offline: true, cacheDir });
}

describe("registry.npmjs.org's keys come from Sigstore's TUF repository, never from its keys endpoint", () => {
  it("TUF has a target for registry.npmjs.org only: npm's target name is host and path without the trailing slash", () => {
    // npm's current key (registry.npmjs.org/keys.json in Sigstore's TUF repository since 2025-01-13).
    const npm = tufRegistryKeys(NPMJS)!.map((k) => k.keyid);
    expect(npm).toContain('SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U');
    expect(tufRegistryKeys('https://registry.npmjs.org')?.map((k) => k.keyid)).toEqual(npm);
    // No such target: npm asks these registries' own endpoint.
    expect(tufRegistryKeys('https://registry.npmjs.com/')).toBeUndefined();
    expect(tufRegistryKeys('https://registry.npmjs.org/mirror/')).toBeUndefined();
    expect(tufRegistryKeys('http://127.0.0.1:4873/')).toBeUndefined();
  });

  it('a key the endpoint lists but TUF does not is CPD112, not a verified signature', async () => {
    const result = await scanPoisoned(['left-pad']);
    const cpd112 = result.findings.filter((f) => f.ruleId === 'CPD112');
    expect(cpd112).toHaveLength(1);
    expect(cpd112[0]!.message).toContain('left-pad@1.0.0');
    expect(cpd112[0]!.message).toContain('SHA256:attacker');
    expect(cpd112[0]!.message).toContain("Sigstore's TUF repository");
    expect(result.verifications.map((v) => v.status)).not.toContain('verified');
  });

  it('every package signed with the one unknown key is one CPD112 (one cause), naming them', async () => {
    const result = await scanPoisoned(['left-pad', 'is-odd', 'is-even']);
    const cpd112 = result.findings.filter((f) => f.ruleId === 'CPD112');
    expect(cpd112).toHaveLength(1);
    expect(cpd112[0]!.message).toMatch(
      /^3 packages of package-lock\.json are signed with key SHA256:attacker, which is not among npm's keys/,
    );
    expect(cpd112[0]!.evidence).toMatchObject({ count: 3, packages: 'left-pad@1.0.0 is-odd@1.0.0 is-even@1.0.0' });
    expect(cpd112[0]!.members).toHaveLength(3);
  });
});
