import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { createRegistryStage } from '../../src/registry/stage.js';
import type { EndpointsServer, ServedVersion } from '../helpers/npm-endpoints-server.js';
import { NPM_KEYS, SIGNED_VERSIONS, endpointsPerTest, scanGraphs, tempDir, writeLockfile } from './scan.js';

// The registry stage reads the abbreviated packument (what npm installs from) and asks for the full one only when
// a check needs publish times: a signing key that expired after the packument's `modified` could have signed
// the version before or after its expiry (pacote compares the key's expiry with the publish time), and a
// provenance downgrade (CPD124) is judged by publish order. npm's old signing key expires 2025-01-29.
const startServer = endpointsPerTest();
const GENEROUS = createRegistryStage({ timeoutMs: 5_000, retries: 0 });
const s = SIGNED_VERSIONS[0]!;
const signed = (time: string): ServedVersion => ({
  version: s.version,
  integrity: s.integrity,
  time,
  signatures: [{ keyid: s.keyid, sig: s.sig }],
});
const later: ServedVersion = { version: '99.0.0', integrity: s.integrity, time: '2025-06-01T00:00:00.000Z' };

const fullRequests = (server: EndpointsServer) =>
  server.requests.filter((r) => r.accept === 'application/json' && !r.url.startsWith('/-/')).length;
const rulesOf = (r: ScanResult) => r.findings.map((f) => f.ruleId);

async function scanOne(versions: ServedVersion[], policy = {}) {
  const server = await startServer({
    keys: NPM_KEYS,
    abbreviated: true,
    packages: [{ name: s.name, versions }],
  });
  const root = tempDir();
  const graph = writeLockfile(root, [{ name: s.name, version: s.version, integrity: s.integrity }]);
  // Generous deadline: on a loaded machine a slow first answer must not become a timeout cause.
  const result = await scanGraphs({ root, graphs: [graph], registry: server.url, policy, stage: GENEROUS });
  return { server, result };
}

describe('abbreviated packuments, the full one only where a check needs publish times', () => {
  const cases: { name: string; versions: ServedVersion[]; full: number; rules: string[]; verified: number }[] = [
    {
      name: 'packument unchanged since before the old key expired: no full packument',
      versions: [signed('2022-06-01T00:00:00.000Z')],
      full: 0,
      rules: [],
      verified: 1,
    },
    {
      name: 'packument changed after the expiry: the full packument gives the publish time, signature verified',
      versions: [signed('2022-06-01T00:00:00.000Z'), later],
      full: 1,
      rules: [],
      verified: 1,
    },
    {
      name: 'published after the key expired (a time only the full packument has): CPD112',
      versions: [signed('2025-03-01T00:00:00.000Z')],
      full: 1,
      rules: ['CPD112'],
      verified: 0,
    },
  ];
  it.each(cases)('$name', async (c) => {
    const { server, result } = await scanOne(c.versions);
    expect(fullRequests(server)).toBe(c.full);
    expect(rulesOf(result)).toEqual(c.rules);
    expect(result.summary.verified).toBe(c.verified);
  });

  it('a provenance downgrade (CPD124) is still found: publish order from the full packument', async () => {
    const older: ServedVersion = {
      version: '0.1.0',
      integrity: s.integrity,
      time: '2022-01-01T00:00:00.000Z',
      provenanceFlagOnly: true,
    };
    const { server, result } = await scanOne([older, signed('2022-02-01T00:00:00.000Z')]);
    expect(rulesOf(result)).toEqual(['CPD124']);
    expect(result.findings[0]?.evidence).toMatchObject({ previous: '0.1.0' });
    expect(fullRequests(server)).toBe(1);
  });
});
