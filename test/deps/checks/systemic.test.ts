import path from 'node:path';
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { SYSTEMIC_MIN } from '../../../src/deps/checks/systemic.js';
import { corpusPath } from '../../helpers/corpus.js';
import { scanDeps } from '../helpers.js';

const SHA512 = `sha512-${'A'.repeat(86)}==`;
const SHA1 = `sha1-${'A'.repeat(27)}=`;

/** A v3 package-lock.json with `n` registry entries, the first `bare` without integrity and the next `sha1` SHA-1 only. */
function lock(n: number, bare: number, sha1: number): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  for (let i = 0; i < n; i++) {
    const integrity = i < bare ? undefined : i < bare + sha1 ? SHA1 : SHA512;
    packages[`node_modules/p${i}`] = {
      version: '1.0.0',
      resolved: `https://registry.npmjs.org/p${i}/-/p${i}-1.0.0.tgz`,
      ...(integrity !== undefined ? { integrity } : {}),
    };
  }
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

const count = (ids: string[], id: string) => ids.filter((i) => i === id).length;

describe('one finding per cause: integrity missing or SHA-1 across the lockfile', () => {
  it.each([
    { name: 'a few stripped entries stay per package (tampering)', bare: 3, sha1: 2, want: { CPD002: 3, CPD003: 2 } },
    { name: 'most entries without integrity: one CPD002', bare: 40, sha1: 0, want: { CPD002: 1, CPD003: 0 } },
    {
      name: 'an old lockfile of SHA-1 entries: one CPD003',
      bare: 0,
      sha1: SYSTEMIC_MIN,
      want: { CPD002: 0, CPD003: 1 },
    },
    {
      name: 'one below the threshold stays per package',
      bare: SYSTEMIC_MIN - 1,
      sha1: 0,
      want: { CPD002: SYSTEMIC_MIN - 1, CPD003: 0 },
    },
  ])('$name', async ({ bare, sha1, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-systemic-'));
    await writeFile(path.join(dir, 'package-lock.json'), lock(60, bare, sha1));
    const r = await scanDeps(dir);
    const ids = r.findings.map((f) => f.ruleId);
    expect({ CPD002: count(ids, 'CPD002'), CPD003: count(ids, 'CPD003') }).toEqual(want);
    const summary = r.findings.find((f) => f.ruleId === 'CPD002' && f.evidence?.['count'] !== undefined);
    if (bare >= SYSTEMIC_MIN) {
      // At the first entry, with the count and every other entry as a related location.
      expect(summary?.location.line).toBe(r.findings.filter((f) => f.ruleId === 'CPD002')[0]!.location.line);
      expect(summary?.evidence?.['count']).toBe(bare);
      expect(summary?.related).toHaveLength(bare - 1);
    }
  });

  it('sigstore-js (825 entries without integrity) gets one CPD002', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-systemic-real-'));
    await copyFile(
      corpusPath('lockfiles', 'sigstore-js.v3-workspaces.package-lock.json'),
      path.join(dir, 'package-lock.json'),
    );
    const r = await scanDeps(dir);
    const missing = r.findings.filter((f) => f.ruleId === 'CPD002');
    expect(missing).toHaveLength(1);
    expect(missing[0]!.evidence?.['count']).toBeGreaterThan(800);
  });
});

/** A v3 package-lock.json whose entry i resolves from `hosts[i]` over `scheme`. */
function lockFrom(hosts: readonly string[], scheme = 'https'): string {
  const packages: Record<string, unknown> = { '': { name: 'app', version: '1.0.0' } };
  hosts.forEach((host, i) => {
    packages[`node_modules/p${i}`] = {
      version: '1.0.0',
      resolved: `${scheme}://${host}/p${i}/-/p${i}-1.0.0.tgz`,
      integrity: SHA512,
    };
  });
  return JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2);
}

describe('CPD005: one finding per refused host, with the count; its members kept for review', () => {
  const npmjs = 'registry.npmjs.org';
  it.each([
    {
      name: 'one stray entry from a refused host stays per package',
      hosts: [npmjs, 'evil.example', npmjs],
      want: { 'evil.example': 1 },
    },
    {
      name: 'a lockfile built against a private registry: one finding for the host',
      hosts: Array.from({ length: 30 }, () => 'npm.corp.example'),
      want: { 'npm.corp.example': 30 },
    },
    {
      name: 'two refused hosts: one finding each',
      hosts: ['a.example', npmjs, 'b.example', 'a.example', 'b.example', 'b.example'],
      want: { 'a.example': 2, 'b.example': 3 },
    },
  ])('$name', async ({ hosts, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cpd005-'));
    await writeFile(path.join(dir, 'package-lock.json'), lockFrom(hosts));
    const r = await scanDeps(dir);
    const cpd005 = r.findings.filter((f) => f.ruleId === 'CPD005');
    const got = Object.fromEntries(
      cpd005.map((f) => {
        const host = String(f.evidence?.['host'] ?? new URL(String(f.evidence?.['resolved'])).host);
        return [host, Number(f.evidence?.['count'] ?? 1)];
      }),
    );
    expect(got).toEqual(want);
    // Every grouped finding points at its first entry and keeps its members (src/app/review/grouped.ts).
    for (const f of cpd005.filter((g) => g.evidence?.['count'] !== undefined)) {
      expect(f.members).toHaveLength(Number(f.evidence?.['count']));
      expect(f.location.line).toBe(Math.min(...f.members!.map((m) => m.location.line ?? 0)));
    }
  });
});

describe('CPD006: one finding per insecure origin, with the count', () => {
  it.each([
    {
      name: 'one stray http entry stays per package',
      hosts: ['registry.yarnpkg.com', 'a.example', 'registry.yarnpkg.com'],
      want: { 'http://a.example': 1 },
    },
    {
      name: 'a lockfile built against a registry served over http: one finding for the origin',
      hosts: Array.from({ length: 30 }, () => 'npm.corp.example'),
      want: { 'http://npm.corp.example': 30 },
    },
    {
      name: 'two insecure origins: one finding each',
      hosts: ['a.example', 'b.example', 'a.example', 'b.example', 'b.example'],
      want: { 'http://a.example': 2, 'http://b.example': 3 },
    },
  ])('$name', async ({ hosts, want }) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-cpd006-'));
    // Every entry over http, but the stray case's registry.yarnpkg.com ones, which stay https.
    const lockfile = lockFrom(hosts, 'http').replaceAll('http://registry.yarnpkg.com', 'https://registry.yarnpkg.com');
    await writeFile(path.join(dir, 'package-lock.json'), lockfile);
    const r = await scanDeps(dir);
    const cpd006 = r.findings.filter((f) => f.ruleId === 'CPD006');
    const got = Object.fromEntries(
      cpd006.map((f) => {
        const origin = String(f.evidence?.['origin'] ?? new URL(String(f.evidence?.['resolved'])).origin);
        return [origin, Number(f.evidence?.['count'] ?? 1)];
      }),
    );
    expect(got).toEqual(want);
    for (const f of cpd006.filter((g) => g.evidence?.['count'] !== undefined)) {
      expect(f.members).toHaveLength(Number(f.evidence?.['count']));
      expect(f.location.line).toBe(Math.min(...f.members!.map((m) => m.location.line ?? 0)));
    }
  });
});

describe('one finding per cause: dependencies a package.json declares and the lockfile does not lock', () => {
  /** A package.json declaring p0…p(n-1) and q0…q(unlocked-1); the lockfile locks the p's only. */
  async function project(unlocked: number): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'cp-systemic-unlocked-'));
    const dependencies: Record<string, string> = {};
    for (let i = 0; i < 30; i++) dependencies[`p${i}`] = '^1.0.0';
    for (let i = 0; i < unlocked; i++) dependencies[`q${i}`] = '^2.0.0';
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', dependencies }, null, 2),
    );
    const locked = JSON.parse(lock(30, 0, 0)) as { packages: Record<string, Record<string, unknown>> };
    locked.packages['']!['dependencies'] = Object.fromEntries(
      Object.keys(dependencies)
        .filter((n) => n.startsWith('p'))
        .map((n) => [n, '^1.0.0']),
    );
    await writeFile(path.join(dir, 'package-lock.json'), JSON.stringify(locked, null, 2));
    return dir;
  }

  it('a few stay per dependency, each at its line in package.json', async () => {
    const r = await scanDeps(await project(3));
    const unlocked = r.findings.filter((f) => f.ruleId === 'CPD014');
    expect(unlocked.map((f) => f.evidence?.['dependency'])).toEqual(['q0@^2.0.0', 'q1@^2.0.0', 'q2@^2.0.0']);
    expect(new Set(unlocked.map((f) => f.location.line)).size).toBe(3);
  });

  it('many become one finding for the manifest, with the count, the names and every place', async () => {
    const r = await scanDeps(await project(500));
    const unlocked = r.findings.filter((f) => f.ruleId === 'CPD014');
    expect(unlocked).toHaveLength(1);
    const [one] = unlocked;
    expect(one!.evidence).toMatchObject({ count: 500, manifest: 'package.json' });
    expect(one!.message).toMatch(
      /^500 dependencies declared in package\.json are not locked by package-lock\.json \(first: q0@\^2\.0\.0, q1@\^2\.0\.0, q2@\^2\.0\.0 at package\.json:\d+\)\. A frozen install stops/,
    );
    expect(one!.related).toHaveLength(499);
  });
});
