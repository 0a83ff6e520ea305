import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistryStage } from '../../src/registry/stage.js';
import { type EndpointsServer } from '../helpers/npm-endpoints-server.js';
import { NPM_KEYS, SIGNED_VERSIONS, endpointsPerTest, scanGraphs, tempDir, writeLockfile } from './scan.js';

/**
 * A token is sent to the origin it was configured for (scheme, host, port), never to another one a redirect names.
 * make-fetch-happen keeps `Authorization` across a redirect that changes only the port or the scheme (it compares
 * host names): two loopback servers on different ports, the first redirecting every request to the second, which
 * records the headers it got.
 */
const SECRET = 'npm_RedirectedTokenSecret0123456789';
const startServer = endpointsPerTest();
const served = SIGNED_VERSIONS.map((s) => ({
  name: s.name,
  versions: [{ ...s, time: '2022-06-01T00:00:00.000Z', signatures: [{ keyid: s.keyid, sig: s.sig }] }],
}));

async function scanThrough(first: EndpointsServer) {
  const home = tempDir('chainproof-home-');
  writeFileSync(path.join(home, '.npmrc'), `//${new URL(first.url).host}/:_authToken=${SECRET}\n`);
  const root = tempDir();
  const graph = writeLockfile(root, SIGNED_VERSIONS);
  const stage = createRegistryStage({ timeoutMs: 5_000, retries: 0 });
  return scanGraphs({ root, graphs: [graph], registry: first.url, env: { HOME: home }, stage });
}

describe('credentials across redirects', () => {
  it.each<{ name: string; target: (second: EndpointsServer) => string }>([
    { name: 'the same host on another port', target: (s) => s.url },
    { name: 'another host name (localhost) on another port', target: (s) => s.url.replace('127.0.0.1', 'localhost') },
  ])('a redirect to $name: the second server never sees the token', async ({ target }) => {
    const second = await startServer({ keys: NPM_KEYS, packages: served });
    const first = await startServer({
      keys: NPM_KEYS,
      packages: served,
      token: SECRET,
      fault: 'redirect',
      redirectTo: target(second),
    });
    const result = await scanThrough(first);
    // The first server required the token (401 otherwise) and redirected; the second answered every request.
    expect(first.requests.length).toBeGreaterThan(0);
    expect(first.requests.every((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(second.requests.length).toBeGreaterThan(0);
    expect(second.requests.map((r) => r.authorization ?? 'none')).toEqual(second.requests.map(() => 'none'));
    expect(result.summary.verified).toBe(SIGNED_VERSIONS.length);
  });

  it('a registry that needs its token still gets it: same-origin requests keep Authorization', async () => {
    const only = await startServer({ keys: NPM_KEYS, packages: served, token: SECRET });
    const result = await scanThrough(only);
    expect(only.requests.length).toBeGreaterThan(0);
    expect(only.requests.every((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(result.summary.verified).toBe(SIGNED_VERSIONS.length);
  });
});
