import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import { toJson } from '../../src/report/json.js';
import { toSarif } from '../../src/report/sarif.js';
import { toText } from '../../src/report/text.js';
import { FIXTURES } from '../helpers/npm-endpoints-server.js';
import { packFolder, startVerdaccio, type Published, type Verdaccio } from '../helpers/verdaccio.js';
import { lineOf, scanGraphs, tempDir, writeLockfile, type LockEntry, type ScanSetup } from './scan.js';

const PACKAGES = path.join(FIXTURES, 'registry', 'packages');
let registry: Verdaccio;
const published = new Map<string, Published>();

beforeAll(async () => {
  registry = await startVerdaccio();
  for (const dir of ['cp-fixture-alpha', 'cp-fixture-beta', 'cp-fixture-scripted']) {
    const p = await registry.publish(path.join(PACKAGES, dir));
    published.set(p.name, p);
  }
}, 60_000);

afterAll(async () => {
  await registry?.stop();
});

function entry(name: string, change: Partial<LockEntry> = {}): LockEntry {
  const p = published.get(name)!;
  return { name: p.name, version: p.version, integrity: p.integrity, resolved: p.tarball, ...change };
}

/** A repo whose .npmrc carries the Verdaccio token, as a user's would. */
function repoWithToken(): string {
  const root = tempDir();
  const host = new URL(registry.url).host;
  writeFileSync(path.join(root, '.npmrc'), `registry=${registry.url}\n//${host}/:_authToken=\${CP_TEST_TOKEN}\n`);
  return root;
}

async function scan(
  entries: readonly LockEntry[],
  extra: Partial<ScanSetup> = {},
): Promise<{ result: ScanResult; line: (n: string) => number }> {
  const root = extra.root ?? repoWithToken();
  const graph = writeLockfile(root, entries);
  const text = readFileSync(path.join(root, 'package-lock.json'), 'utf8');
  // Verdaccio publishes no signing keys: the policy names it as trusted without signatures (else one CPD133).
  const result = await scanGraphs({
    root,
    graphs: [graph],
    env: { CP_TEST_TOKEN: registry.token },
    ...extra,
    // The repo .npmrc names Verdaccio: allowed by the policy, as a team with a private registry would configure it.
    policy: { trustedMirrors: [registry.url], allowedRegistries: [registry.url], ...extra.policy },
  });
  return { result, line: (n) => lineOf(text, `"node_modules/${n}"`) };
}

const ids = (r: ScanResult) => r.findings.map((f) => `${f.ruleId}@${f.location.line}`).sort();

describe('Verdaccio as a real private registry', () => {
  it('verifies lockfile entries that match what was published (plain and scoped)', async () => {
    const { result } = await scan(
      [entry('cp-fixture-alpha'), entry('@cp-fixture/beta'), entry('cp-fixture-scripted', { hasInstallScript: true })],
      {
        verifyTarballs: true,
      },
    );
    expect(result.findings).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 3, failed: 0, unverifiable: 0 });
  });

  it.each([
    {
      name: 'integrity altered (poisoned lockfile)',
      change: (): Partial<LockEntry> => ({ integrity: published.get('@cp-fixture/beta')!.integrity }),
      want: ['CPD100'],
    },
    {
      name: 'resolved URL points at another tarball',
      change: (): Partial<LockEntry> => ({ resolved: published.get('cp-fixture-scripted')!.tarball }),
      want: ['CPD107'],
    },
    {
      name: 'resolved URL on another host',
      change: (): Partial<LockEntry> => ({
        resolved: 'https://evil.example.com/cp-fixture-alpha/-/cp-fixture-alpha-1.0.0.tgz',
      }),
      want: ['CPD107'],
    },
    {
      name: 'integrity and resolved both altered to another package',
      change: (): Partial<LockEntry> => ({
        integrity: published.get('cp-fixture-scripted')!.integrity,
        resolved: published.get('cp-fixture-scripted')!.tarball,
      }),
      want: ['CPD100', 'CPD107'],
    },
  ])('catches a lockfile with $name → $want', async ({ change, want }) => {
    const { result, line } = await scan([entry('cp-fixture-alpha', change()), entry('@cp-fixture/beta')], {
      verifyTarballs: true,
    });
    expect(ids(result)).toEqual(want.map((r) => `${r}@${line('cp-fixture-alpha')}`).sort());
    expect(result.verifications.find((v) => v.key === 'pkg:npm/cp-fixture-alpha@1.0.0')?.status).toBe('failed');
    expect(result.verifications.find((v) => v.key === 'pkg:npm/%40cp-fixture/beta@2.1.0')?.status).toBe('verified');
    for (const f of result.findings)
      expect(f.artifact).toEqual({ kind: 'package', ecosystem: 'npm', name: 'cp-fixture-alpha', version: '1.0.0' });
  });

  it('reports an install script the lockfile does not declare (CPD105)', async () => {
    const { result, line } = await scan([entry('cp-fixture-scripted')], { verifyTarballs: true });
    expect(ids(result)).toEqual([`CPD105@${line('cp-fixture-scripted')}`]);
    expect(result.findings[0]?.evidence).toMatchObject({ scripts: 'postinstall' });
  });

  it('without --verify-tarballs the tarball is not downloaded, so no install-script finding', async () => {
    const { result } = await scan([entry('cp-fixture-scripted')]);
    expect(result.findings).toEqual([]);
  });

  it('needs the token: without .npmrc credentials Verdaccio refuses and the package is unverifiable', async () => {
    const { result } = await scan([entry('cp-fixture-alpha')], { root: tempDir(), registry: registry.url });
    // One "wants credentials" cause naming the key npm reads (npm-registry-fetch regFromURI), not "registry down".
    expect(result.findings.map((f) => f.ruleId)).toEqual(['CPD156']);
    expect(result.findings[0]?.evidence).toMatchObject({
      cause: 'auth-required',
      authKey: `//${new URL(registry.url).host}/:_authToken`,
    });
    expect(result.verifications.map((v) => v.status)).toEqual(['unverifiable']);
  });
});

describe('the .npmrc token reaches the registry and appears nowhere in output', () => {
  function allOutput(result: ScanResult): string {
    return [
      JSON.stringify(toJson(result, '0.0.0-test')),
      JSON.stringify(toSarif(result, { toolVersion: '0.0.0-test' })),
      toText(result, { color: false }),
    ].join('\n');
  }

  it('a verified scan (the token was sent: Verdaccio requires it)', async () => {
    const { result } = await scan([entry('cp-fixture-alpha'), entry('@cp-fixture/beta')]);
    expect(result.summary.verified).toBe(2);
    expect(allOutput(result)).not.toContain(registry.token);
  });

  it('findings whose URLs carry the token as user-info are redacted', async () => {
    const leaky = registry.url.replace('http://', `http://chainproof:${registry.token}@`);
    const { result } = await scan([
      entry('cp-fixture-alpha', {
        resolved: `${leaky}cp-fixture-alpha/-/other-1.0.0.tgz`,
        integrity: published.get('@cp-fixture/beta')!.integrity,
      }),
    ]);
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(['CPD100', 'CPD107']);
    const out = allOutput(result);
    expect(out).not.toContain(registry.token);
    expect(out).toContain('http://***@127.0.0.1');
  });

  it('fail-closed reasons (registry down) carry no token', async () => {
    const root = tempDir();
    // A closed port on loopback, with the token both in .npmrc and in the registry URL.
    writeFileSync(path.join(root, '.npmrc'), `//127.0.0.1:9/:_authToken=${registry.token}\n`);
    const { result } = await scan([entry('cp-fixture-alpha')], {
      root,
      registry: `http://u:${registry.token}@127.0.0.1:9/`,
      policy: { failClosed: true },
    });
    expect(result.failClosed?.[0]).toContain('fail-closed');
    expect(JSON.stringify(result.failClosed)).not.toContain(registry.token);
    expect(JSON.stringify(result.notifications)).not.toContain(registry.token);
  });
});

describe('a tarball swapped on the registry', () => {
  it('is caught with --verify-tarballs (CPD103, and the injected install script CPD105)', async () => {
    const swap = await packFolder(path.join(FIXTURES, 'registry', 'swap', 'cp-fixture-alpha'));
    registry.swapTarball('cp-fixture-alpha', '1.0.0', swap.bytes);
    const { result, line } = await scan([entry('cp-fixture-alpha'), entry('@cp-fixture/beta')], {
      verifyTarballs: true,
    });
    expect(ids(result)).toEqual([`CPD103@${line('cp-fixture-alpha')}`, `CPD105@${line('cp-fixture-alpha')}`]);
    expect(result.findings.find((f) => f.ruleId === 'CPD103')?.evidence).toMatchObject({
      expected: published.get('cp-fixture-alpha')!.integrity,
    });
    expect(result.summary).toMatchObject({ verified: 1, failed: 1 });
  });
});
