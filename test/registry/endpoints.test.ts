import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, exitCodeForScan } from '../../src/cli/exit-codes.js';
import type { ScanResult } from '../../src/core/result.js';
import { packageKey } from '../../src/core/package-key.js';
import { corpusPath } from '../helpers/corpus.js';
import {
  loadProvenanceCase,
  type EndpointsOptions,
  type EndpointsServer,
  type Fault,
} from '../helpers/npm-endpoints-server.js';
import { lineOf, scanGraphs, tempDir, writeLockfile, type LockEntry, type ScanSetup } from './scan.js';
import { NPM_KEYS, SIGNED_VERSIONS, endpointsPerTest } from './scan.js';

const KEYS = NPM_KEYS;
const SIGNED = SIGNED_VERSIONS;
const IN_WINDOW = '2022-06-01T00:00:00.000Z';
const AFTER_EXPIRY = '2025-06-01T00:00:00.000Z';

const startServer = endpointsPerTest();

async function serve(opts: EndpointsOptions): Promise<EndpointsServer> {
  const s = await startServer(opts);
  return s;
}

function tarballUrl(server: EndpointsServer, name: string, version: string): string {
  return `${server.url}${name}/-/${name.slice(name.lastIndexOf('/') + 1)}-${version}.tgz`;
}

async function scanEntries(
  server: EndpointsServer,
  entries: readonly LockEntry[],
  extra: Partial<ScanSetup> = {},
): Promise<{ result: ScanResult; root: string }> {
  const root = extra.root ?? tempDir();
  const graph = writeLockfile(root, entries);
  const result = await scanGraphs({ root, graphs: [graph], registry: server.url, ...extra });
  return { result, root };
}

function rulesOf(result: ScanResult): string[] {
  return [...new Set(result.findings.map((f) => f.ruleId))].sort();
}

describe('provenance through the stage: every real attestation case gives the verdict its name promises', () => {
  const cases = readdirSync(corpusPath('sigstore', 'npm-provenance', 'gha'))
    .filter((f) => f.endsWith('.tgz.json'))
    .map((f) => f.slice(0, -'.tgz.json'.length))
    .sort();
  it.each(cases.map((file) => ({ file, want: /-invalidsig(pub|prov)$/.test(file) ? 'failed' : 'verified' })))(
    '$file → $want',
    async ({ file, want }) => {
      const c = loadProvenanceCase(file);
      const server = await serve({
        keys: KEYS,
        packages: [
          {
            name: c.name,
            versions: [
              {
                version: c.version,
                integrity: c.integrity,
                time: c.time,
                tarball: c.tarball,
                attestations: c.attestations,
              },
            ],
          },
        ],
      });
      const { result, root } = await scanEntries(
        server,
        [{ name: c.name, version: c.version, integrity: c.integrity, resolved: tarballUrl(server, c.name, c.version) }],
        // The corpus has no registry signatures for these versions: signatures are tested on their own below.
        { verifyTarballs: true, policy: { verifySignatures: false } },
      );
      expect(result.verifications).toEqual([
        expect.objectContaining({ key: packageKey('npm', c.name, c.version), status: want }),
      ]);
      expect(rulesOf(result)).toEqual(want === 'failed' ? ['CPD120'] : []);
      for (const f of result.findings)
        expect(f.location).toEqual({ path: 'package-lock.json', line: entryLine(root, c.name) });
    },
  );
});

describe('registry signatures through the stage (the five real signatures)', () => {
  const variants = [
    { name: 'published inside the key window', time: IN_WINDOW, tamper: false, want: [] as string[] },
    { name: 'published after the key expired', time: AFTER_EXPIRY, tamper: false, want: ['CPD112'] },
    { name: 'packument integrity swapped for another package', time: IN_WINDOW, tamper: true, want: ['CPD110'] },
  ];
  it.each(SIGNED.flatMap((s, i) => variants.map((v) => ({ ...v, s, other: SIGNED[(i + 1) % SIGNED.length]! }))))(
    '$s.name@$s.version $name → $want',
    async ({ s, other, time, tamper, want }) => {
      const integrity = tamper ? other.integrity : s.integrity;
      const server = await serve({
        keys: KEYS,
        packages: [
          {
            name: s.name,
            versions: [{ version: s.version, integrity, time, signatures: [{ keyid: s.keyid, sig: s.sig }] }],
          },
        ],
      });
      const { result } = await scanEntries(server, [
        { name: s.name, version: s.version, integrity, resolved: tarballUrl(server, s.name, s.version) },
      ]);
      expect(rulesOf(result)).toEqual(want);
      expect(result.summary).toMatchObject({ verified: want.length === 0 ? 1 : 0, failed: want.length === 0 ? 0 : 1 });
    },
  );

  it('a version without a signature from a registry that signs its neighbours is CPD111 (its own problem)', async () => {
    const [signed, unsigned] = [SIGNED[0]!, SIGNED[1]!];
    const server = await serve({
      keys: KEYS,
      packages: [
        { name: signed.name, versions: [{ ...signed, time: IN_WINDOW, signatures: [signed] }] },
        {
          name: unsigned.name,
          versions: [{ version: unsigned.version, integrity: unsigned.integrity, time: IN_WINDOW }],
        },
      ],
    });
    const { result, root } = await scanEntries(
      server,
      [signed, unsigned].map((x) => ({ ...x, resolved: tarballUrl(server, x.name, x.version) })),
    );
    expect(rulesOf(result)).toEqual(['CPD111']);
    expect(result.findings[0]).toMatchObject({
      level: 'error',
      location: { path: 'package-lock.json', line: entryLine(root, unsigned.name) },
    });
    expect(result.summary).toMatchObject({ verified: 1, failed: 1, unverifiable: 0 });
  });
});

describe('packument checks', () => {
  const s = SIGNED[2]!;
  const signed = {
    version: s.version,
    integrity: s.integrity,
    time: IN_WINDOW,
    signatures: [{ keyid: s.keyid, sig: s.sig }],
  };
  it.each([
    {
      name: 'deprecated version (a note; still verified)',
      versions: [{ ...signed, deprecated: 'use v3' }],
      lock: s.version,
      want: ['CPD102'],
      status: 'verified',
    },
    { name: 'version no longer exists', versions: [signed], lock: '2.4.9', want: ['CPD101'], status: 'failed' },
    {
      name: 'package does not exist',
      versions: [],
      lock: s.version,
      want: ['CPD101'],
      status: 'failed',
      pkgName: 'no-such-package',
    },
  ])('$name → $want', async ({ versions, lock, want, status, pkgName }) => {
    const server = await serve({ keys: KEYS, packages: versions.length ? [{ name: s.name, versions }] : [] });
    const name = pkgName ?? s.name;
    const { result } = await scanEntries(server, [
      { name, version: lock, integrity: s.integrity, resolved: tarballUrl(server, name, lock) },
    ]);
    expect(rulesOf(result)).toEqual(want);
    expect(result.verifications[0]?.status).toBe(status);
  });
});

describe('provenance policy', () => {
  const c = loadProvenanceCase('provenance-npm-test-ossf');
  const pkg = {
    name: c.name,
    versions: [
      { version: c.version, integrity: c.integrity, time: c.time, tarball: c.tarball, attestations: c.attestations },
    ],
  };
  it.each([
    {
      name: 'required, identity allowed',
      identities: [
        {
          sourceRepository: 'https://github\\.com/laurentsimon/provenance-npm-test',
          issuer: 'https://token\\.actions\\.githubusercontent\\.com',
        },
      ],
      want: [] as string[],
    },
    {
      name: 'required, another repository pinned',
      identities: [{ sourceRepository: 'https://github\\.com/laurentsimon/other' }],
      want: ['CPD123'],
    },
    {
      name: 'required, pattern is a prefix only (anchored, so no match)',
      identities: [{ sourceRepository: 'https://github\\.com/laurentsimon/provenance' }],
      want: ['CPD123'],
    },
    { name: 'required, any identity', identities: [], want: [] },
  ])('$name → $want', async ({ identities, want }) => {
    const server = await serve({ keys: KEYS, packages: [pkg] });
    const { result } = await scanEntries(
      server,
      [{ name: c.name, version: c.version, integrity: c.integrity, resolved: tarballUrl(server, c.name, c.version) }],
      {
        policy: { verifySignatures: false, requireProvenance: [{ packages: ['@laurentsimon/*'], identities }] },
      },
    );
    expect(rulesOf(result)).toEqual(want);
  });

  it('a required package without provenance is CPD122', async () => {
    const s = SIGNED[1]!;
    const server = await serve({
      keys: KEYS,
      packages: [
        { name: s.name, versions: [{ version: s.version, integrity: s.integrity, time: IN_WINDOW, signatures: [s] }] },
      ],
    });
    const { result } = await scanEntries(
      server,
      [{ name: s.name, version: s.version, integrity: s.integrity, resolved: tarballUrl(server, s.name, s.version) }],
      {
        policy: { requireProvenance: [{ packages: ['node-fetch'], identities: [] }] },
      },
    );
    expect(rulesOf(result)).toEqual(['CPD122']);
  });

  it('losing provenance since the previous version is a downgrade (CPD124)', async () => {
    const s = SIGNED[1]!;
    const server = await serve({
      keys: undefined,
      packages: [
        {
          name: s.name,
          versions: [
            {
              version: '1.7.0',
              integrity: SIGNED[0]!.integrity,
              time: '2022-01-01T00:00:00.000Z',
              provenanceFlagOnly: true,
            },
            { version: s.version, integrity: s.integrity, time: '2022-02-01T00:00:00.000Z' },
          ],
        },
      ],
    });
    // Signatures are not the point here (a registry without keys is CPD133, tested on its own).
    const { result } = await scanEntries(
      server,
      [{ name: s.name, version: s.version, integrity: s.integrity, resolved: tarballUrl(server, s.name, s.version) }],
      { policy: { verifySignatures: false } },
    );
    expect(rulesOf(result)).toEqual(['CPD124']);
    expect(result.findings[0]?.evidence).toMatchObject({ previous: '1.7.0' });
  });
});

describe('faults: an unanswered registry is unverifiable, never a pass, never a crash', () => {
  const s = SIGNED[0]!;
  const pkgs = [
    { name: s.name, versions: [{ version: s.version, integrity: s.integrity, time: IN_WINDOW, signatures: [s] }] },
  ];
  const faults: Fault[] = ['timeout', 'http-500', 'garbage-json'];

  it.each(faults)('%s → one CPD131 (the cause), status unverifiable', async (fault) => {
    const server = await serve({ keys: KEYS, packages: pkgs, fault, delayMs: 3_000 });
    const { result, root } = await scanEntries(server, [
      { name: s.name, version: s.version, integrity: s.integrity, resolved: tarballUrl(server, s.name, s.version) },
    ]);
    expect(rulesOf(result)).toEqual(['CPD131']);
    expect(result.findings[0]?.evidence).toMatchObject({
      cause: { timeout: 'timeout', 'http-500': 'http-error', 'garbage-json': 'invalid-answer' }[fault as string],
      count: 1,
      packages: `${s.name}@${s.version}`,
    });
    expect(result.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 1 });
    expect(result.findings[0]).toMatchObject({
      level: 'warning',
      location: { path: 'package-lock.json', line: entryLine(root, s.name) },
    });
  });

  it.each(faults)(
    '%s with a fail-closed policy: the scan finishes, its result fails closed (exit 3)',
    async (fault) => {
      const server = await serve({ keys: KEYS, packages: pkgs, fault, delayMs: 3_000 });
      const { result } = await scanEntries(server, [{ name: s.name, version: s.version, integrity: s.integrity }], {
        policy: { failClosed: true },
      });
      expect(result.failClosed).toHaveLength(1);
      expect(result.findings.find((f) => f.ruleId === 'CPD131')?.level).toBe('error');
      expect(exitCodeForScan(result, 'error')).toBe(EXIT.operational);
    },
  );

  it.each(faults)('keys endpoint %s: the signature is unverifiable, not passed', async (fault) => {
    const server = await serve({ keys: KEYS, packages: pkgs, fault, faultPaths: /\/-\/npm\/v1\/keys/, delayMs: 3_000 });
    const { result } = await scanEntries(server, [
      { name: s.name, version: s.version, integrity: s.integrity, resolved: tarballUrl(server, s.name, s.version) },
    ]);
    expect(rulesOf(result)).toEqual(['CPD131']);
    expect(result.verifications[0]?.status).toBe('unverifiable');
  });
});

describe('offline and the on-disk cache', () => {
  const s = SIGNED[3]!;
  const pkgs = [
    { name: s.name, versions: [{ version: s.version, integrity: s.integrity, time: IN_WINDOW, signatures: [s] }] },
  ];

  it('--offline without a cache makes no request and reports unverifiable', async () => {
    const server = await serve({ keys: KEYS, packages: pkgs });
    const { result } = await scanEntries(server, [{ name: s.name, version: s.version, integrity: s.integrity }], {
      offline: true,
    });
    expect(server.requests).toEqual([]);
    expect(rulesOf(result)).toEqual(['CPD131']);
    expect(result.findings[0]?.evidence).toMatchObject({ cause: 'offline', count: 1 });
  });

  it('--offline answers from a warm cache with no request', async () => {
    const server = await serve({ keys: KEYS, packages: pkgs });
    const cacheDir = tempDir('chainproof-cache-');
    const entries = [
      { name: s.name, version: s.version, integrity: s.integrity, resolved: tarballUrl(server, s.name, s.version) },
    ];
    const online = await scanEntries(server, entries, { cacheDir });
    expect(online.result.summary.verified).toBe(1);
    const before = server.requests.length;
    expect(before).toBeGreaterThan(0);
    const offline = await scanEntries(server, entries, { cacheDir, offline: true });
    expect(server.requests.length).toBe(before);
    expect(offline.result.summary).toMatchObject({ verified: 1, unverifiable: 0 });
  });

  it('--offline with a cold cache is unverifiable and, fail-closed, exit 3', async () => {
    const server = await serve({ keys: KEYS, packages: pkgs });
    const cacheDir = tempDir('chainproof-cache-');
    const { result } = await scanEntries(server, [{ name: s.name, version: s.version, integrity: s.integrity }], {
      cacheDir,
      offline: true,
      policy: { failClosed: true },
    });
    expect(result.failClosed?.[0]).toContain('offline, no cached answer');
    expect(exitCodeForScan(result, 'none')).toBe(EXIT.operational);
    expect(server.requests).toEqual([]);
  });
});

/** The line of `"node_modules/<name>"` in the lockfile the test wrote. */
function entryLine(root: string, name: string): number {
  return lineOf(readFileSync(path.join(root, 'package-lock.json'), 'utf8'), `"node_modules/${name}"`);
}
