import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { loadProvenanceCase } from '../helpers/npm-endpoints-server.js';
import { fakeIntegrity, routeRegistries } from './route-registry.js';
import { NPM_KEYS, endpointsPerTest, scanGraphs, tempDir, writeLockfile, type LockEntry } from './scan.js';

/**
 * `dist.attestations` is unsigned packument metadata: a registry or mirror can claim provenance the version was not
 * published with. pacote (lib/registry.js `manifest`, verifyAttestations) fetches and verifies what the claim points
 * at, and a claim it cannot follow stops `npm audit signatures`; neither passes silently here.
 */
const startRegistry = routeRegistries();
const serveNpm = endpointsPerTest();

function rules(result: ScanResult): string[] {
  return result.findings.map((f) => f.ruleId).sort();
}

async function scan(url: string, entries: readonly LockEntry[]): Promise<ScanResult> {
  const root = tempDir();
  return scanGraphs({
    root,
    graphs: [writeLockfile(root, entries)],
    registry: url,
    policy: { verifySignatures: false },
  });
}

describe('dist.attestations without a URL (pacote: new URL(dist.attestations.url) throws)', () => {
  it.each([
    { name: 'no url', attestations: { provenance: { predicateType: 'https://slsa.dev/provenance/v1' } } },
    { name: 'a url that is no string', attestations: { url: 42, provenance: {} } },
  ])('$name: unverifiable (CPD130), not a silent pass', async ({ attestations }) => {
    const reg = await startRegistry();
    const integrity = fakeIntegrity('left-pad');
    reg.route('/left-pad', {
      body: {
        name: 'left-pad',
        versions: { '1.3.0': { name: 'left-pad', version: '1.3.0', dist: { integrity, attestations } } },
      },
    });
    const result = await scan(reg.url, [{ name: 'left-pad', version: '1.3.0', integrity }]);
    expect(rules(result)).toEqual(['CPD130']);
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable']);
  });
});

describe('a provenance claim the served attestations do not bear out', () => {
  const c = loadProvenanceCase('gundam-visor-cli-v1-tag');

  /** A scan of the real version served with `attestations`, after an earlier version that claims provenance. */
  async function scanServing(attestations: unknown) {
    const earlier = new Date(Date.parse(c.time) - 86_400_000).toISOString();
    const mirror = await serveNpm({
      keys: NPM_KEYS,
      packages: [
        {
          name: c.name,
          versions: [
            { version: '0.0.1', integrity: fakeIntegrity('older'), time: earlier, provenanceFlagOnly: true },
            // The packument claims provenance (dist.attestations.provenance) for this version too.
            { version: c.version, integrity: c.integrity, time: c.time, attestations },
          ],
        },
      ],
    });
    return scan(mirror.url, [{ name: c.name, version: c.version, integrity: c.integrity }]);
  }

  it('only a publish attestation served: the version has no provenance, so losing it is CPD124', async () => {
    const served = c.attestations as { attestations: { predicateType: string }[] };
    const publishOnly = { attestations: served.attestations.filter((a) => !a.predicateType.includes('slsa.dev')) };
    const result = await scanServing(publishOnly);
    expect(rules(result)).toEqual(['CPD124']);
    expect(result.findings[0]?.evidence).toMatchObject({ previous: '0.0.1' });
  });

  it('the real attestations (publish and provenance): no downgrade', async () => {
    const result = await scanServing(c.attestations);
    expect(rules(result)).toEqual([]);
    expect(result.verifications.map((v) => v.status)).toEqual(['verified']);
  });
});
