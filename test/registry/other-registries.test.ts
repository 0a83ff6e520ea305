import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { parseLockfile } from '../../src/deps/index.js';
import { fakeIntegrity, routeRegistries, testSigningKey, type RouteRegistry } from './route-registry.js';
import { loadProvenanceCase } from '../helpers/npm-endpoints-server.js';
import {
  NPM_KEYS,
  SIGNED_VERSIONS,
  endpointsPerTest,
  scanGraphs,
  tempDir,
  writeLockfile,
  type LockEntry,
  type ScanSetup,
} from './scan.js';

/**
 * Registries chainproof has never seen, each stood up on loopback as its documented convention says, and the verdict
 * compared with what npm decides with the same registry (the npm function named per case).
 */
const startRegistry = routeRegistries();

function packument(name: string, versions: Record<string, Record<string, unknown>>, extra = {}): unknown {
  return {
    name,
    'dist-tags': { latest: Object.keys(versions).at(-1) },
    versions: Object.fromEntries(Object.entries(versions).map(([v, dist]) => [v, { name, version: v, dist }])),
    ...extra,
  };
}

async function scan(entries: readonly LockEntry[], setup: Partial<ScanSetup>): Promise<ScanResult> {
  const root = setup.root ?? tempDir();
  const graph = writeLockfile(root, entries);
  return scanGraphs({ root, graphs: [graph], ...setup });
}

function rules(result: ScanResult): string[] {
  return result.findings.map((f) => f.ruleId).sort();
}

function statuses(result: ScanResult): string[] {
  return result.verifications.map((v) => v.status).sort();
}

/** A user .npmrc outside the scanned tree (npm's `userconfig`), as a CI runner's would be. */
function userNpmrc(text: string): Record<string, string> {
  const file = path.join(tempDir('chainproof-userrc-'), '.npmrc');
  writeFileSync(file, text);
  return { npm_config_userconfig: file };
}

describe('a registry that publishes tarballs on another origin than its packuments', () => {
  // A registry behind a proxy (Verdaccio without url_prefix, Nexus/Artifactory with another base URL) or a blob host.
  it('resolved equal to the published tarball URL on another host is what npm installs: no CPD107', async () => {
    const reg = await startRegistry();
    const blobs = await startRegistry();
    const integrity = fakeIntegrity('left-pad');
    const tarball = `${blobs.origin}/repository/npm-hosted/left-pad/-/left-pad-1.3.0.tgz`;
    reg.route('/left-pad', { body: packument('left-pad', { '1.3.0': { integrity, tarball } }) });
    const result = await scan([{ name: 'left-pad', version: '1.3.0', resolved: tarball, integrity }], {
      registry: reg.url,
      policy: { verifySignatures: false },
    });
    expect(rules(result)).toEqual([]);
    expect(statuses(result)).toEqual(['verified']);
  });

  it('resolved on a third host that the registry does not publish is still CPD107', async () => {
    const reg = await startRegistry();
    const blobs = await startRegistry();
    const integrity = fakeIntegrity('left-pad');
    reg.route('/left-pad', {
      body: packument('left-pad', {
        '1.3.0': { integrity, tarball: `${blobs.origin}/repository/npm-hosted/left-pad/-/left-pad-1.3.0.tgz` },
      }),
    });
    const result = await scan(
      [
        {
          name: 'left-pad',
          version: '1.3.0',
          resolved: 'https://evil.example/left-pad/-/left-pad-1.3.0.tgz',
          integrity,
        },
      ],
      { registry: reg.url, policy: { verifySignatures: false } },
    );
    expect(rules(result)).toEqual(['CPD107']);
  });
});

describe('a resolved that is no URL (npm reads a registry spec; yarn 1 a path on the registry)', () => {
  // npm 11.19 fetched `b@<spec>` through the packument for `"resolved": "<spec>"`: no download URL to compare, so no
  // CPD107; the version it names is CPD010's (offline) and the bytes CPD100's.
  it.each([
    { resolved: '1.0.0', integrity: 'one', want: [], status: 'verified' },
    { resolved: '2.0.0', integrity: 'two', want: ['CPD100'], status: 'failed' },
  ])('$resolved → $want', async ({ resolved, integrity, want, status }) => {
    const reg = await startRegistry();
    const one = fakeIntegrity('b1');
    reg.route('/b', {
      body: packument('b', {
        '1.0.0': { integrity: one, tarball: `${reg.url}b/-/b-1.0.0.tgz` },
        '2.0.0': { integrity: fakeIntegrity('b2'), tarball: `${reg.url}b/-/b-2.0.0.tgz` },
      }),
    });
    const result = await scan(
      [{ name: 'b', version: '1.0.0', resolved, integrity: integrity === 'one' ? one : fakeIntegrity('b2') }],
      { registry: reg.url, policy: { verifySignatures: false } },
    );
    expect(rules(result)).toEqual(want);
    expect(statuses(result)).toEqual([status]);
  });
});

describe('keys endpoint conventions (npm lib/utils/verify-signatures.js setKeys)', () => {
  it.each([
    { name: '404', status: 404, want: ['CPD133'] },
    { name: '400 (npm treats E400 as "no keys")', status: 400, want: ['CPD133'] },
  ])('keys answer $name: one "no keys" finding, not "registry unreachable"', async ({ status, want }) => {
    const reg = await startRegistry();
    for (const n of ['a', 'b', 'c']) {
      reg.route(`/${n}`, {
        body: packument(n, {
          '1.0.0': { integrity: fakeIntegrity(n), tarball: `${reg.origin}/${n}/-/${n}-1.0.0.tgz` },
        }),
      });
    }
    reg.route('/-/npm/v1/keys', { status, body: { error: 'bad request' } });
    const result = await scan(
      ['a', 'b', 'c'].map((n) => ({
        name: n,
        version: '1.0.0',
        resolved: `${reg.origin}/${n}/-/${n}-1.0.0.tgz`,
        integrity: fakeIntegrity(n),
      })),
      { registry: reg.url, policy: { failClosed: true } },
    );
    expect(rules(result)).toEqual(want);
    expect(result.findings[0]?.evidence?.count).toBe(3);
    expect(result.failClosed).toBeUndefined();
  });
});

describe('publish times a registry does not serve (pacote lib/registry.js MISSING_TIME_CUTOFF)', () => {
  it('a signature by an expiring key on a packument without `time` verifies, as npm audit signatures says', async () => {
    const reg = await startRegistry();
    const key = testSigningKey('SHA256:corp-2025', '2025-01-29T00:00:00.000Z');
    reg.route('/-/npm/v1/keys', { body: { keys: [key.entry] } });
    const integrity = fakeIntegrity('corp-lib');
    const tarball = `${reg.origin}/corp-lib/-/corp-lib-2.0.0.tgz`;
    // No `time` and no `modified`: the full document is all this registry has.
    reg.route('/corp-lib', {
      body: packument('corp-lib', {
        '2.0.0': { integrity, tarball, signatures: [key.signature('corp-lib', '2.0.0', integrity)] },
      }),
    });
    const result = await scan([{ name: 'corp-lib', version: '2.0.0', resolved: tarball, integrity }], {
      registry: reg.url,
    });
    expect(rules(result)).toEqual([]);
    expect(statuses(result)).toEqual(['verified']);
  });

  it('a version published after its key expired is still CPD112', async () => {
    const reg = await startRegistry();
    const key = testSigningKey('SHA256:corp-2025', '2025-01-29T00:00:00.000Z');
    reg.route('/-/npm/v1/keys', { body: { keys: [key.entry] } });
    const integrity = fakeIntegrity('corp-lib');
    const tarball = `${reg.origin}/corp-lib/-/corp-lib-2.0.0.tgz`;
    reg.route('/corp-lib', {
      body: packument(
        'corp-lib',
        { '2.0.0': { integrity, tarball, signatures: [key.signature('corp-lib', '2.0.0', integrity)] } },
        { time: { '2.0.0': '2025-06-01T00:00:00.000Z', modified: '2025-06-01T00:00:00.000Z' } },
      ),
    });
    const result = await scan([{ name: 'corp-lib', version: '2.0.0', resolved: tarball, integrity }], {
      registry: reg.url,
    });
    expect(rules(result)).toEqual(['CPD112']);
  });
});

describe('a private registry that wants credentials', () => {
  async function privateRegistry(status: number): Promise<RouteRegistry> {
    const reg = await startRegistry();
    for (const n of ['@corp/a', '@corp/b', '@corp/c'])
      reg.route(`/${n}`, {
        status,
        headers: { 'www-authenticate': 'Basic realm="Artifactory Realm"' },
        body: { errors: [{ status, message: 'Unauthorized' }] },
      });
    return reg;
  }

  it.each([401, 403])('HTTP %i for every package: one CPD156 naming the .npmrc key npm reads', async (status) => {
    const reg = await privateRegistry(status);
    const prefix = `${reg.url}api/npm/npm-remote/`;
    for (const n of ['@corp/a', '@corp/b', '@corp/c'])
      reg.route(`/api/npm/npm-remote/${n}`, { status, body: { error: 'unauthorized' } });
    const result = await scan(
      ['@corp/a', '@corp/b', '@corp/c'].map((n) => ({ name: n, version: '1.0.0', integrity: fakeIntegrity(n) })),
      {
        env: userNpmrc(`@corp:registry=${prefix}\n`),
        policy: { verifySignatures: false, allowedRegistries: [prefix] },
      },
    );
    expect(rules(result)).toEqual(['CPD156']);
    const f = result.findings[0]!;
    expect(f.evidence?.count).toBe(3);
    expect(f.evidence?.authKey).toBe(`${prefix.replace(/^http:/, '')}:_authToken`);
    expect(statuses(result)).toEqual(['unverifiable', 'unverifiable', 'unverifiable']);
  });
});

describe('GitHub Packages: tarballs at /download/@scope/name/<version>/<digest>', () => {
  const digest = 'ab'.repeat(20);
  const download = (v: string, d = digest) => `https://npm.pkg.github.com/download/@corp/ui/${v}/${d}`;

  async function githubLike(): Promise<RouteRegistry> {
    // The loopback registry stands in for npm.pkg.github.com: its packument names the download URLs GitHub's does.
    const reg = await startRegistry();
    reg.route('/@corp/ui', {
      body: packument('@corp/ui', {
        '1.0.0': { integrity: fakeIntegrity('ui1'), tarball: download('1.0.0', 'cd'.repeat(20)) },
        '1.1.0': { integrity: fakeIntegrity('ui2'), tarball: download('1.1.0') },
      }),
    });
    return reg;
  }

  it('is a registry package npm installs from the scope registry: verified against it', async () => {
    const reg = await githubLike();
    const result = await scan(
      [{ name: '@corp/ui', version: '1.1.0', resolved: download('1.1.0'), integrity: fakeIntegrity('ui2') }],
      {
        env: userNpmrc(`@corp:registry=${reg.url}\n`),
        policy: { verifySignatures: false, allowedRegistries: [reg.url] },
      },
    );
    expect(rules(result)).toEqual([]);
    expect(statuses(result)).toEqual(['verified']);
    expect(reg.seen.map((r) => r.path)).toContain('/@corp/ui');
  });

  it('a resolved download URL the registry does not publish for that version is CPD107', async () => {
    const reg = await githubLike();
    const result = await scan(
      [
        {
          name: '@corp/ui',
          version: '1.1.0',
          resolved: download('1.1.0', 'ee'.repeat(20)),
          integrity: fakeIntegrity('ui2'),
        },
      ],
      {
        env: userNpmrc(`@corp:registry=${reg.url}\n`),
        policy: { verifySignatures: false, allowedRegistries: [reg.url] },
      },
    );
    expect(rules(result)).toEqual(['CPD107']);
  });
});

describe('a lockfile written against another registry (arborist #registryResolved, replace-registry-host)', () => {
  const names = ['a', 'b', 'c'];

  async function newRegistry(): Promise<RouteRegistry> {
    const reg = await startRegistry();
    for (const n of names)
      reg.route(`/${n}`, {
        body: packument(n, {
          '1.0.0': { integrity: fakeIntegrity(n), tarball: `${reg.origin}/${n}/-/${n}-1.0.0.tgz` },
        }),
      });
    return reg;
  }

  const oldBase = 'https://old-artifactory.example/artifactory/api/npm/npm-remote/';
  const entries = (base: string) =>
    names.map((n) => ({
      name: n,
      version: '1.0.0',
      resolved: `${base}${n}/-/${n}-1.0.0.tgz`,
      integrity: fakeIntegrity(n),
    }));

  it('every entry on the old base: one CPD157 with the count, each package failed', async () => {
    const reg = await newRegistry();
    const result = await scan(entries(oldBase), { registry: reg.url, policy: { verifySignatures: false } });
    expect(rules(result)).toEqual(['CPD157']);
    expect(result.findings[0]?.evidence).toMatchObject({ count: 3, resolvedBase: oldBase.replace(/\/$/, '/') });
    expect(result.findings[0]?.members?.map((m) => m.ruleId)).toEqual(['CPD107', 'CPD107', 'CPD107']);
    expect(statuses(result)).toEqual(['failed', 'failed', 'failed']);
  });

  it.each([
    { name: 'the old host', setting: 'old-artifactory.example' },
    { name: 'the old registry URL with its path', setting: oldBase },
  ])(
    'replace-registry-host naming $name: npm fetches from the configured registry, so no finding',
    async ({ setting }) => {
      const reg = await newRegistry();
      // The old path prefix swapped for the new registry's (empty here): arborist's full-URL form. A bare hostname
      // keeps the path, so only the URL form lands on the new registry's tarball.
      const result = await scan(entries(oldBase), {
        registry: reg.url,
        env: userNpmrc(`replace-registry-host=${setting}\n`),
        policy: { verifySignatures: false },
      });
      const want = setting === oldBase ? [] : ['CPD157'];
      expect(rules(result)).toEqual(want);
    },
  );

  it("one entry elsewhere is that entry's own problem: CPD107", async () => {
    const reg = await newRegistry();
    const list = entries(reg.url);
    list[1] = { ...list[1]!, resolved: `${oldBase}b/-/b-1.0.0.tgz` };
    const result = await scan(list, { registry: reg.url, policy: { verifySignatures: false } });
    expect(rules(result)).toEqual(['CPD107']);
  });
});

describe('a registry that has none of the packages (wrong URL or scope mapping)', () => {
  it('404 for every packument: one CPD158, not one CPD101 per package', async () => {
    const reg = await startRegistry();
    const result = await scan(
      ['x', 'y', 'z'].map((n) => ({ name: n, version: '1.0.0', integrity: fakeIntegrity(n) })),
      { registry: reg.url, policy: { verifySignatures: false } },
    );
    expect(rules(result)).toEqual(['CPD158']);
    expect(result.findings[0]?.evidence).toMatchObject({ count: 3, registry: reg.url });
    expect(statuses(result)).toEqual(['failed', 'failed', 'failed']);
  });

  it('a registry that has the others: the missing ones stay CPD101 each', async () => {
    const reg = await startRegistry();
    reg.route('/x', {
      body: packument('x', { '1.0.0': { integrity: fakeIntegrity('x'), tarball: `${reg.origin}/x/-/x-1.0.0.tgz` } }),
    });
    const result = await scan(
      ['x', 'y', 'z'].map((n) => ({ name: n, version: '1.0.0', integrity: fakeIntegrity(n) })),
      { registry: reg.url, policy: { verifySignatures: false } },
    );
    expect(rules(result)).toEqual(['CPD101', 'CPD101']);
  });
});

describe('a mirror of registry.npmjs.org that passes dist.signatures through but serves no keys', () => {
  const serveNpm = endpointsPerTest();
  const IN_WINDOW = '2022-06-01T00:00:00.000Z';

  it.each([
    { name: 'keys 404', keys: undefined },
    { name: 'keys of the wrong shape', keys: { not: 'keys' } },
  ])(
    "$name: npm-signed versions verify with npm's own keys (pacote would stop at EMISSINGSIGNATUREKEY)",
    async ({ keys }) => {
      const mirror = await serveNpm({
        keys,
        packages: SIGNED_VERSIONS.map((s) => ({
          name: s.name,
          versions: [{ ...s, time: IN_WINDOW, signatures: [s] }],
        })),
      });
      const result = await scan(SIGNED_VERSIONS, { registry: mirror.url });
      expect(rules(result)).toEqual([]);
      expect(result.summary).toMatchObject({ verified: SIGNED_VERSIONS.length, unverifiable: 0 });
    },
  );

  it('a mirror that changed what npm signed is CPD110, not "no keys"', async () => {
    const [first, other] = [SIGNED_VERSIONS[0]!, SIGNED_VERSIONS[1]!];
    // The mirror serves another integrity under npm's signature (and the lockfile agrees with the mirror).
    const mirror = await serveNpm({
      keys: undefined,
      packages: [
        {
          name: first.name,
          versions: [{ ...first, integrity: other.integrity, time: IN_WINDOW, signatures: [first] }],
        },
      ],
    });
    const result = await scan([{ ...first, integrity: other.integrity }], { registry: mirror.url });
    expect(rules(result)).toEqual(['CPD110']);
  });

  it('unsigned private packages on that mirror keep the one "no keys" cause (CPD133), not CPD111 each', async () => {
    const mirror = await serveNpm({
      keys: undefined,
      packages: [
        ...SIGNED_VERSIONS.slice(0, 2).map((s) => ({
          name: s.name,
          versions: [{ ...s, time: IN_WINDOW, signatures: [s] }],
        })),
        { name: 'corp-private', versions: [{ version: '1.0.0', integrity: fakeIntegrity('p'), time: IN_WINDOW }] },
      ],
    });
    const result = await scan(
      [...SIGNED_VERSIONS.slice(0, 2), { name: 'corp-private', version: '1.0.0', integrity: fakeIntegrity('p') }],
      { registry: mirror.url },
    );
    expect(rules(result)).toEqual(['CPD133']);
    expect(result.summary).toMatchObject({ verified: 2, unverifiable: 1 });
  });
});

describe('the token reaches exactly the hosts npm sends it to (npm-registry-fetch getAuth / regFromURI)', () => {
  const TOKEN = 'npm_corpTOKEN0123456789abcdef';

  it.each([
    { name: 'packument under the path-prefixed registry', to: 'registry', want: true },
    { name: 'tarball on another host (--verify-tarballs)', to: 'blobs', want: false },
    { name: 'keys endpoint under the registry', to: 'keys', want: true },
  ])('$name → token sent: $want', async ({ to, want }) => {
    const reg = await startRegistry();
    const blobs = await startRegistry();
    const prefix = `${reg.url}api/npm/npm-remote/`;
    const integrity = fakeIntegrity('left-pad');
    const tarball = `${blobs.origin}/api/npm/npm-remote/left-pad/-/left-pad-1.3.0.tgz`;
    reg.route('/api/npm/npm-remote/left-pad', { body: packument('left-pad', { '1.3.0': { integrity, tarball } }) });
    reg.route('/api/npm/npm-remote/-/npm/v1/keys', { status: 404 });
    const dart = prefix.replace(/^http:/, '');
    await scan([{ name: 'left-pad', version: '1.3.0', resolved: tarball, integrity }], {
      env: userNpmrc(`registry=${prefix}\n${dart}:_authToken=${TOKEN}\n`),
      verifyTarballs: true,
      policy: { allowedRegistries: [prefix] },
    });
    const server = to === 'blobs' ? blobs : reg;
    const path = {
      registry: '/api/npm/npm-remote/left-pad',
      blobs: '/api/npm/npm-remote/left-pad/-/left-pad-1.3.0.tgz',
      keys: '/api/npm/npm-remote/-/npm/v1/keys',
    }[to]!;
    const seen = server.seen.filter((r) => r.path === path);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((r) => r.authorization === (want ? `Bearer ${TOKEN}` : undefined))).toBe(true);
  });

  it('a token for another path of the same host is not sent to this registry', async () => {
    const reg = await startRegistry();
    const prefix = `${reg.url}api/npm/npm-remote/`;
    reg.route('/api/npm/npm-remote/left-pad', { status: 401 });
    const other = `${reg.url.replace(/^http:/, '')}api/npm/other-repo/`;
    const result = await scan([{ name: 'left-pad', version: '1.3.0', integrity: fakeIntegrity('left-pad') }], {
      env: userNpmrc(`registry=${prefix}\n${other}:_authToken=${TOKEN}\n`),
      policy: { verifySignatures: false, allowedRegistries: [prefix] },
    });
    expect(reg.seen.every((r) => r.authorization === undefined)).toBe(true);
    expect(rules(result)).toEqual(['CPD156']);
    expect(String(result.findings[0]?.evidence?.reason)).toContain('no credentials are configured');
  });
});

describe('abbreviated packuments that omit dist.signatures the full ones carry (pacote verifySignatures: fullMetadata)', () => {
  async function registry(corgiSigned: boolean, fullSigned: boolean) {
    const reg = await startRegistry();
    const key = testSigningKey('SHA256:corp', null);
    reg.route('/-/npm/v1/keys', { body: { keys: [key.entry] } });
    const names = ['a', 'b', 'c'];
    for (const n of names) {
      const integrity = fakeIntegrity(n);
      const tarball = `${reg.origin}/${n}/-/${n}-1.0.0.tgz`;
      const sig = [key.signature(n, '1.0.0', integrity)];
      const full = packument(
        n,
        { '1.0.0': { integrity, tarball, ...(fullSigned ? { signatures: sig } : {}) } },
        {
          time: { '1.0.0': '2024-01-01T00:00:00.000Z', modified: '2024-01-01T00:00:00.000Z' },
        },
      );
      const corgi = {
        ...(packument(n, { '1.0.0': { integrity, tarball, ...(corgiSigned ? { signatures: sig } : {}) } }) as object),
        modified: '2024-01-01T00:00:00.000Z',
      };
      reg.route(`/${n}`, { body: full, corgi });
    }
    const entries = names.map((n) => ({ name: n, version: '1.0.0', integrity: fakeIntegrity(n) }));
    return { reg, entries };
  }

  it('signatures only in the full document: verified, as npm audit signatures says', async () => {
    const { reg, entries } = await registry(false, true);
    const result = await scan(entries, { registry: reg.url });
    expect(rules(result)).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 3 });
  });

  it('signatures in neither: one CPD132, and the full document was asked once, not per package', async () => {
    const { reg, entries } = await registry(false, false);
    const result = await scan(entries, { registry: reg.url });
    expect(rules(result)).toEqual(['CPD132']);
    const fullAsks = reg.seen.filter((r) => r.accept === 'application/json' && /^\/[abc]$/.test(r.path));
    expect(fullAsks).toHaveLength(1);
  });
});

describe('packuments that name another package (pacote builds _id from the document)', () => {
  it.each([
    { name: 'packument of another package', doc: (i: string) => packument('evil', { '1.0.0': { integrity: i } }) },
    {
      name: 'version document of another package',
      doc: (i: string) => ({
        name: 'left-pad',
        versions: { '1.0.0': { name: 'evil', version: '1.0.0', dist: { integrity: i } } },
      }),
    },
    {
      name: 'version document of another version',
      doc: (i: string) => ({
        name: 'left-pad',
        versions: { '1.0.0': { name: 'left-pad', version: '6.6.6', dist: { integrity: i } } },
      }),
    },
  ])('$name → CPD159, failed', async ({ doc }) => {
    const reg = await startRegistry();
    const integrity = fakeIntegrity('x');
    reg.route('/left-pad', { body: doc(integrity) });
    const result = await scan([{ name: 'left-pad', version: '1.0.0', integrity }], {
      registry: reg.url,
      policy: { verifySignatures: false },
    });
    expect(rules(result)).toEqual(['CPD159']);
    expect(statuses(result)).toEqual(['failed']);
  });

  it('a version document that states v1.0.0 for 1.0.0 is the same version (semver clean)', async () => {
    const reg = await startRegistry();
    const integrity = fakeIntegrity('x');
    reg.route('/left-pad', {
      body: { name: 'left-pad', versions: { '1.0.0': { name: 'left-pad', version: 'v1.0.0', dist: { integrity } } } },
    });
    const result = await scan([{ name: 'left-pad', version: '1.0.0', integrity }], {
      registry: reg.url,
      policy: { verifySignatures: false },
    });
    expect(rules(result)).toEqual([]);
  });
});

describe('a mirror that passes dist.attestations through but does not serve /-/npm/v1/attestations/', () => {
  const serveNpm = endpointsPerTest();

  it('404 for every attestation: one cause with the count, not one CPD130 per package', async () => {
    const names = ['p1', 'p2', 'p3'];
    const mirror = await serveNpm({
      keys: undefined,
      packages: names.map((n) => ({
        name: n,
        versions: [
          { version: '1.0.0', integrity: fakeIntegrity(n), time: '2024-01-01T00:00:00.000Z', provenanceFlagOnly: true },
        ],
      })),
    });
    const result = await scan(
      names.map((n) => ({ name: n, version: '1.0.0', integrity: fakeIntegrity(n) })),
      { registry: mirror.url, policy: { verifySignatures: false } },
    );
    expect(rules(result)).toEqual(['CPD160']);
    expect(result.findings[0]?.evidence).toMatchObject({ count: 3 });
    expect(statuses(result)).toEqual(['unverifiable', 'unverifiable', 'unverifiable']);
  });

  it("one package's attestations missing while the registry serves another's: that package's own CPD130", async () => {
    const c = loadProvenanceCase('gundam-visor-cli-v1-tag');
    const mirror = await serveNpm({
      keys: NPM_KEYS,
      packages: [
        {
          name: c.name,
          versions: [{ version: c.version, integrity: c.integrity, time: c.time, attestations: c.attestations }],
        },
        {
          name: 'p1',
          versions: [
            {
              version: '1.0.0',
              integrity: fakeIntegrity('p1'),
              time: '2024-01-01T00:00:00.000Z',
              provenanceFlagOnly: true,
            },
          ],
        },
      ],
    });
    const result = await scan(
      [
        { name: c.name, version: c.version, integrity: c.integrity },
        { name: 'p1', version: '1.0.0', integrity: fakeIntegrity('p1') },
      ],
      { registry: mirror.url, policy: { verifySignatures: false } },
    );
    expect(rules(result)).toEqual(['CPD130']);
    expect(result.findings[0]?.artifact).toEqual({ kind: 'package', ecosystem: 'npm', name: 'p1', version: '1.0.0' });
  });
});

describe('a mirror whose /-/npm/v1/attestations/ answers 500 (only npm audit signatures reads it; npm install never does)', () => {
  const serveNpm = endpointsPerTest();

  it('never stops the packuments being asked: a lock entry changed after the breaker opened is still found', async () => {
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8'];
    const mirror = await serveNpm({
      keys: undefined,
      fault: 'http-500',
      faultPaths: /^\/-\/npm\/v1\/attestations\//,
      packages: names.map((n) => ({
        name: n,
        versions: [
          { version: '1.0.0', integrity: fakeIntegrity(n), time: '2024-01-01T00:00:00.000Z', provenanceFlagOnly: true },
        ],
      })),
    });
    // The last entry's integrity is not what the registry publishes: the packument check must still see it.
    const result = await scan(
      names.map((n) => ({ name: n, version: '1.0.0', integrity: fakeIntegrity(n === 'p8' ? 'tampered' : n) })),
      { registry: mirror.url, policy: { verifySignatures: false } },
    );
    const packuments = mirror.requests.filter((r) => !r.url.startsWith('/-/')).map((r) => r.url);
    expect([...new Set(packuments)].sort()).toEqual(names.map((n) => `/${n}`));
    expect(result.verifications.find((v) => v.key === 'pkg:npm/p8@1.0.0')?.status).toBe('failed');
    // p8's integrity is CPD100; the attestations that could not be read stay one cause for the rest, each unverifiable.
    expect(rules(result)).toEqual(['CPD100', 'CPD131']);
    expect(statuses(result).filter((s) => s === 'unverifiable')).toHaveLength(7);
  });
});

describe('CPD107 names the package manager of the lockfile', () => {
  it('bun.lock: "bun fetches", not npm', async () => {
    const reg = await startRegistry();
    const integrity = fakeIntegrity('left-pad');
    reg.route('/left-pad', {
      body: packument('left-pad', { '1.3.0': { integrity, tarball: `${reg.url}left-pad/-/left-pad-1.3.0.tgz` } }),
    });
    const root = tempDir();
    const text = `${JSON.stringify(
      {
        lockfileVersion: 1,
        workspaces: { '': { name: 'app', dependencies: { 'left-pad': '^1.3.0' } } },
        packages: {
          'left-pad': ['left-pad@1.3.0', 'https://evil.example/left-pad/-/left-pad-1.3.0.tgz', {}, integrity],
        },
      },
      null,
      2,
    )}\n`;
    writeFileSync(path.join(root, 'bun.lock'), text);
    const result = await scanGraphs({
      root,
      graphs: [parseLockfile('bun.lock', text)],
      registry: reg.url,
      policy: { verifySignatures: false },
    });
    expect(rules(result)).toEqual(['CPD107']);
    expect(result.findings[0]?.message).toContain('. bun fetches https://evil.example/left-pad/-/left-pad-1.3.0.tgz');
  });
});
