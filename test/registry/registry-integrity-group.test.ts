import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { routeRegistries } from './route-registry.js';
import { scanGraphs, tempDir, writeLockfile } from './scan.js';

/**
 * A mirror or private registry that strips `dist.integrity` (or never wrote it, serving only `dist.shasum`) leaves
 * nothing to hold a sha512 lockfile against, for every package it serves: npm then checks each download against the
 * lockfile alone (pacote RegistryFetcher `manifest` throws EINTEGRITY only for an algorithm both sides have). One
 * cause: one CPD130 per lockfile, registry and missing algorithm with the count, each package unverifiable; one
 * package so served among checked ones stays its own CPD130.
 */
const startRegistry = routeRegistries();

const BYTES = (name: string) => Buffer.from(`the tarball of ${name}`);
const sha512 = (name: string) => `sha512-${createHash('sha512').update(BYTES(name)).digest('base64')}`;
const sha1hex = (name: string) => createHash('sha1').update(BYTES(name)).digest('hex');
const NAMES = ['a', 'b', 'c'];

type Dist = 'none' | 'shasum' | 'integrity';

async function scanMirror(dists: Readonly<Record<string, Dist>>) {
  const reg = await startRegistry();
  const tarballOf = (name: string) => `${reg.url}${name}/-/${name}-1.0.0.tgz`;
  for (const [name, dist] of Object.entries(dists)) {
    const sums =
      dist === 'integrity' ? { integrity: sha512(name) } : dist === 'shasum' ? { shasum: sha1hex(name) } : {};
    reg.route(`/${name}`, {
      body: { name, versions: { '1.0.0': { name, version: '1.0.0', dist: { ...sums, tarball: tarballOf(name) } } } },
    });
  }
  const root = tempDir();
  const graph = writeLockfile(
    root,
    Object.keys(dists).map((name) => ({ name, version: '1.0.0', resolved: tarballOf(name), integrity: sha512(name) })),
  );
  const result = await scanGraphs({ root, graphs: [graph], registry: reg.url, policy: { verifySignatures: false } });
  return { result, registry: reg.url };
}

const every = (dist: Dist) => Object.fromEntries(NAMES.map((n) => [n, dist]));

describe('a registry that publishes no integrity to compare with', () => {
  it('no dist.integrity nor shasum for any package: one CPD130 naming the registry, with the count', async () => {
    const { result, registry } = await scanMirror(every('none'));
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD130']);
    const group = result.findings[0]!;
    expect(group.evidence).toMatchObject({
      reason: 'no registry integrity',
      registry,
      count: 3,
      packages: 'a@1.0.0 b@1.0.0 c@1.0.0',
    });
    expect(group.message).toContain(`3 packages of package-lock.json were not checked: ${registry}`);
    expect(group.members).toHaveLength(3);
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable', 'unverifiable', 'unverifiable']);
  });

  it('only dist.shasum beside a sha512 lockfile: one CPD130 saying which digest is missing', async () => {
    const { result, registry } = await scanMirror(every('shasum'));
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD130']);
    expect(result.findings[0]!.evidence).toMatchObject({
      reason: 'no common integrity algorithm',
      registry,
      checked: 'sha512',
      published: 'sha1',
      count: 3,
    });
    expect(result.findings[0]!.message).toContain('publishes no sha512 digest for them (only sha1)');
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable', 'unverifiable', 'unverifiable']);
  });

  it("one package so served among checked ones is that package's own CPD130", async () => {
    const { result } = await scanMirror({ a: 'shasum', b: 'integrity', c: 'integrity' });
    expect(result.findings.map((f) => [f.ruleId, f.artifact?.kind, f.evidence?.count])).toEqual([
      ['CPD130', 'package', undefined],
    ]);
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable', 'verified', 'verified']);
  });

  it('the two causes stay apart', async () => {
    const { result } = await scanMirror({ a: 'none', b: 'none', c: 'shasum' });
    expect(result.findings.map((f) => [f.ruleId, f.evidence?.reason, f.evidence?.count])).toEqual([
      ['CPD130', 'no registry integrity', 2],
      ['CPD130', 'no common integrity algorithm', undefined],
    ]);
  });
});
