import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { routeRegistries } from './route-registry.js';
import { scanGraphs, tempDir, writeLockfile, type LockEntry } from './scan.js';

/**
 * A lockfile written without integrities (npm rebuilding from a hidden lockfile: sigstore-js's lacks 811 of 1,062)
 * has one cause, which CPD002 reports from the lockfile alone. The registry check cannot compare those packages
 * either: one CPD130 per lockfile and reason with the count, not one per package (a scan of sigstore-js printed 450),
 * while each package stays unverifiable.
 */
const startRegistry = routeRegistries();

const sri = (seed: string) => `sha512-${createHash('sha512').update(seed).digest('base64')}`;
const NAMES = ['a', 'b', 'c'];

async function registryOf(names: readonly string[]) {
  const reg = await startRegistry();
  for (const name of names)
    reg.route(`/${name}`, {
      body: {
        name,
        'dist-tags': { latest: '1.0.0' },
        versions: {
          '1.0.0': { name, version: '1.0.0', dist: { integrity: sri(name), tarball: tarballOf(reg.url, name) } },
        },
      },
    });
  return reg;
}

const tarballOf = (base: string, name: string) => `${base}${name}/-/${name}-1.0.0.tgz`;

async function scan(entries: (base: string) => LockEntry[], failClosed = false) {
  const reg = await registryOf(NAMES);
  const root = tempDir();
  const graph = writeLockfile(root, entries(reg.url));
  return scanGraphs({ root, graphs: [graph], registry: reg.url, policy: { verifySignatures: false, failClosed } });
}

const entry = (base: string, name: string, integrity?: string): LockEntry => ({
  name,
  version: '1.0.0',
  resolved: tarballOf(base, name),
  ...(integrity !== undefined ? { integrity } : {}),
});

/** A sha512 digest 40 bytes long: ssri reads it, SRI refuses it (CPD004). */
const INVALID = `sha512-${Buffer.alloc(40, 7).toString('base64')}`;

describe('packages whose lockfile integrity cannot be compared with the registry', () => {
  it.each([
    { name: 'none written', integrity: undefined, reason: 'no lockfile integrity' },
    { name: 'no valid SRI', integrity: INVALID, reason: 'lockfile integrity not valid SRI' },
  ])('$name in every entry: one CPD130 with the count, each package unverifiable', async ({ integrity, reason }) => {
    const result = await scan((base) => NAMES.map((n) => entry(base, n, integrity)));
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD130']);
    const group = result.findings[0]!;
    expect(group.evidence).toMatchObject({ reason, count: 3, packages: 'a@1.0.0 b@1.0.0 c@1.0.0' });
    expect(group.location).toMatchObject({ path: 'package-lock.json' });
    expect(group.members?.map((m) => m.artifact)).toMatchObject(NAMES.map((name) => ({ name })));
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable', 'unverifiable', 'unverifiable']);
  });

  it('one entry without an integrity among checked ones stays its own CPD130 (what a stripped entry looks like)', async () => {
    const result = await scan((base) => [entry(base, 'a'), entry(base, 'b', sri('b')), entry(base, 'c', sri('c'))]);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD130']);
    expect(result.findings[0]?.artifact).toMatchObject({ kind: 'package', name: 'a' });
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable', 'verified', 'verified']);
  });

  it('the two reasons stay apart, and fail-closed keeps the group an error', async () => {
    const result = await scan((base) => [entry(base, 'a'), entry(base, 'b'), entry(base, 'c', INVALID)], true);
    expect(result.findings.map((f) => [f.ruleId, f.level, f.evidence?.count])).toEqual([
      ['CPD130', 'error', 2],
      ['CPD130', 'error', undefined],
    ]);
  });
});
