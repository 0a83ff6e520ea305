import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/result.js';
import type { PackageNode } from '../../src/core/records.js';
import type { PackageCheck } from '../../src/registry/check.js';
import { causeFindings, type CausedPackage } from '../../src/registry/causes.js';
import { settleVerdicts } from '../../src/registry/settle.js';
import { createRegistryStage, NETWORK_CONCURRENCY } from '../../src/registry/stage.js';
import { toJson } from '../../src/report/json.js';
import { MAX_RELATED_LOCATIONS, toSarif } from '../../src/report/sarif.js';
import { toText } from '../../src/report/text.js';
import { findRule } from '../../src/core/rules/index.js';
import { SCAN_OPTIONS } from '../../src/cli/commands/scan-options.js';
import { sri, type EndpointsOptions, type EndpointsServer, type Fault } from '../helpers/npm-endpoints-server.js';
import { scanGraphs, tempDir, writeLockfile, type LockEntry, type ScanSetup } from './scan.js';
import { NPM_KEYS, SIGNED_VERSIONS, endpointsPerTest } from './scan.js';

const KEYS = NPM_KEYS;
const SIGNED = SIGNED_VERSIONS;
const IN_WINDOW = '2022-06-01T00:00:00.000Z';

const startServer = endpointsPerTest();

async function serve(opts: EndpointsOptions): Promise<EndpointsServer> {
  const s = await startServer(opts);
  return s;
}

/** `n` made-up packages the server publishes unsigned, with their lockfile entries. */
function unsignedPackages(n: number): { served: EndpointsOptions['packages']; entries: LockEntry[] } {
  const served = Array.from({ length: n }, (_, i) => {
    const integrity = sri('sha512', Buffer.from(`pkg-${i}`));
    return { name: `pkg-${String(i).padStart(4, '0')}`, versions: [{ version: '1.0.0', integrity, time: IN_WINDOW }] };
  });
  const entries = served.map((p) => ({ name: p.name, version: '1.0.0', integrity: p.versions[0]!.integrity }));
  return { served, entries };
}

async function scan(server: EndpointsServer, entries: readonly LockEntry[], extra: Partial<ScanSetup> = {}) {
  const root = tempDir();
  const graph = writeLockfile(root, entries);
  return scanGraphs({ root, graphs: [graph], registry: server.url, ...extra });
}

const rulesOf = (r: ScanResult) => r.findings.map((f) => f.ruleId);

describe('one finding per cause: a registry problem is reported once, every package still counted', () => {
  const faults: { fault: Fault; cause: string }[] = [
    { fault: 'http-500', cause: 'http-error' },
    { fault: 'http-429', cause: 'rate-limited' },
    { fault: 'garbage-json', cause: 'invalid-answer' },
  ];
  it.each(faults)('$fault on 60 packages → one CPD131 ($cause), 60 unverifiable', async ({ fault, cause }) => {
    const { served, entries } = unsignedPackages(60);
    const server = await serve({ keys: KEYS, packages: served, fault, faultPaths: /^\/pkg-/ });
    // Generous per-request deadline: a loaded CI machine must not turn this into a second (timeout) cause.
    const result = await scan(server, entries, { stage: createRegistryStage({ timeoutMs: 5_000, retries: 0 }) });
    expect(rulesOf(result)).toEqual(['CPD131']);
    const f = result.findings[0]!;
    expect(f.evidence).toMatchObject({ count: 60, registry: server.url });
    expect(f.evidence?.['cause']).toBe(cause);
    expect(String(f.evidence?.['packages']).split(' ')).toHaveLength(60);
    expect(f.related).toHaveLength(60);
    expect(result.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 60 });
  });

  it('the circuit breaker stops asking a failing registry: far fewer requests than packages', async () => {
    const { served, entries } = unsignedPackages(200);
    const server = await serve({ keys: KEYS, packages: served, fault: 'http-500' });
    // Generous per-request deadline: a loaded machine must not turn slow answers into a second (timeout) cause.
    const stage = createRegistryStage({ timeoutMs: 5_000, retries: 1, minRetryDelayMs: 10 });
    const result = await scan(server, entries, { stage });
    expect(result.summary.unverifiable).toBe(200);
    // Roughly the requests already in flight when it opens (the network concurrency), each with one retry,
    // against 400 attempts for 200 packages without a breaker.
    expect(server.requests.length).toBeLessThan(2 * NETWORK_CONCURRENCY + 40);
    expect(rulesOf(result)).toEqual(['CPD131']);
  });

  it('a never-answering registry for 1,000 packages ends at the registry budget, every package unverifiable', async () => {
    const { served, entries } = unsignedPackages(1000);
    const server = await serve({ keys: KEYS, packages: served, fault: 'timeout', delayMs: 60_000 });
    const stage = createRegistryStage({ timeoutMs: 5_000, retries: 0, budgetMs: 1_000, breakerThreshold: 10_000 });
    const result = await scan(server, entries, { stage });
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 1000 });
    expect(result.findings.map((f) => f.evidence?.['cause'])).toEqual(['budget-exhausted']);
    expect(result.findings[0]?.evidence?.['count']).toBe(1000);
  });

  it.each<{ fault: Fault }>([{ fault: 'never-ends' }, { fault: 'trickle' }, { fault: 'huge' }])(
    'a body that $fault is unverifiable, never a pass',
    async ({ fault }) => {
      const { served, entries } = unsignedPackages(3);
      const server = await serve({ keys: KEYS, packages: served, fault, faultPaths: /^\/pkg-/ });
      // A huge body must be stopped by the size limit, not by a deadline that a loaded machine might reach first.
      const stage = createRegistryStage({
        timeoutMs: fault === 'huge' ? 20_000 : 300,
        retries: 0,
        budgetMs: fault === 'huge' ? 30_000 : 5_000,
        maxJsonBytes: 4 * 1024 * 1024,
      });
      const result = await scan(server, entries, { stage });
      expect(rulesOf(result)).toEqual(['CPD131']);
      expect(result.summary).toMatchObject({ verified: 0, unverifiable: 3 });
    },
  );

  it('reports agree: JSON lists every package, SARIF one result with capped related locations, text a count', async () => {
    const { served, entries } = unsignedPackages(120);
    const server = await serve({ keys: KEYS, packages: served, fault: 'http-500' });
    const result = await scan(server, entries, { stage: createRegistryStage({ retries: 0, breakerThreshold: 1000 }) });
    const json = toJson(result, '0.0.0') as { findings: { related?: unknown[] }[]; summary: unknown };
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]?.related).toHaveLength(120);
    expect(json.summary).toMatchObject({ unverifiable: 120 });
    const sarif = toSarif(result, { toolVersion: '0.0.0' });
    const results = sarif.runs[0]!.results!;
    expect(results).toHaveLength(1);
    expect(results[0]!.relatedLocations).toHaveLength(MAX_RELATED_LOCATIONS);
    expect(results[0]!.properties).toMatchObject({ relatedLocationsTruncated: 120 - MAX_RELATED_LOCATIONS });
    const text = toText(result, { color: false });
    expect(text.match(/CPD131/g)).toHaveLength(1);
    expect(text).toContain('unverifiable 120');
    const verbose = toText(result, { color: false, verbose: true });
    expect(verbose).toContain('pkg-0119@1.0.0');
  });

  it('the fingerprint of a cause finding does not change with the count', async () => {
    const a = unsignedPackages(5);
    const server = await serve({ keys: KEYS, packages: a.served, fault: 'http-500' });
    const five = await scan(server, a.entries);
    const three = await scan(server, a.entries.slice(0, 3));
    expect(five.findings[0]?.fingerprint).toBe(three.findings[0]?.fingerprint);
  });
});

describe('mirrors and keys: no false "verified", and a mirror without signatures is said once', () => {
  it('a registry that publishes keys but serves no signatures → one CPD132, every package unverifiable', async () => {
    const { served, entries } = unsignedPackages(25);
    const server = await serve({ keys: KEYS, packages: served });
    const result = await scan(server, entries);
    expect(rulesOf(result)).toEqual(['CPD132']);
    expect(result.findings[0]?.evidence).toMatchObject({ cause: 'mirror-unsigned', count: 25 });
    expect(result.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 25 });
  });

  it('a mirror of the origin the lockfile names is called a mirror', async () => {
    const { served, entries } = unsignedPackages(2);
    const server = await serve({ keys: KEYS, packages: served });
    const origin = entries.map((e) => ({
      ...e,
      resolved: `https://registry.npmjs.org/${e.name}/-/${e.name}-1.0.0.tgz`,
    }));
    const result = await scan(server, origin);
    expect(rulesOf(result)).toEqual(['CPD132']);
    expect(result.findings[0]?.evidence).toMatchObject({ origin: 'https://registry.npmjs.org/' });
  });

  it('a mirror the policy trusts: no finding, packages verified on integrity', async () => {
    const { served, entries } = unsignedPackages(4);
    const server = await serve({ keys: KEYS, packages: served });
    const result = await scan(server, entries, { policy: { trustedMirrors: [server.url] } });
    expect(result.findings).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 4, unverifiable: 0 });
  });

  it('one unsigned package among signed ones is still CPD111 at error', async () => {
    const signed = SIGNED.slice(0, 3);
    const { served, entries } = unsignedPackages(1);
    const server = await serve({
      keys: KEYS,
      packages: [
        ...signed.map((s) => ({ name: s.name, versions: [{ ...s, time: IN_WINDOW, signatures: [s] }] })),
        ...served,
      ],
    });
    const result = await scan(server, [...signed, ...entries]);
    expect(result.findings.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPD111:error']);
    expect(result.summary).toMatchObject({ verified: 3, failed: 1 });
  });

  describe('a registry that signs what it proxies and hosts a private scope unsigned (Artifactory/Nexus virtual)', () => {
    const signed = SIGNED.slice(0, 3);
    const signedServed = signed.map((s) => ({ name: s.name, versions: [{ ...s, time: IN_WINDOW, signatures: [s] }] }));
    /** `names` published unsigned at 1.0.0; `signedOther`: an older version carrying a signature. */
    function unsigned(names: readonly string[], signedOther = false) {
      const served = names.map((name) => {
        const integrity = sri('sha512', Buffer.from(name));
        const older = { version: '0.9.0', integrity: sri('sha512', Buffer.from(`${name}-0.9`)), time: IN_WINDOW };
        return {
          name,
          versions: [
            { version: '1.0.0', integrity, time: IN_WINDOW },
            ...(signedOther ? [{ ...older, signatures: [{ keyid: signed[0]!.keyid, sig: signed[0]!.sig }] }] : []),
          ],
        };
      });
      const entries = served.map((p) => ({ name: p.name, version: '1.0.0', integrity: p.versions[0]!.integrity }));
      return { served, entries };
    }

    it('its unsigned scope is one CPD132 naming the scope, not one CPD111 error per package', async () => {
      const corp = unsigned(['@corp/a', '@corp/b', '@corp/c', '@corp/d']);
      const server = await serve({ keys: KEYS, packages: [...signedServed, ...corp.served] });
      const result = await scan(server, [...signed, ...corp.entries]);
      expect(result.findings.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPD132:warning']);
      expect(result.findings[0]?.evidence).toMatchObject({ cause: 'scope-unsigned', scope: '@corp', count: 4 });
      expect(result.findings[0]?.message).toContain('@corp');
      expect(result.summary).toMatchObject({ verified: 3, failed: 0, unverifiable: 4 });
    });

    it('two unsigned scopes are two findings', async () => {
      const both = unsigned(['@corp/a', '@corp/b', '@tools/x']);
      const server = await serve({ keys: KEYS, packages: [...signedServed, ...both.served] });
      const result = await scan(server, [...signed, ...both.entries]);
      expect(result.findings.map((f) => [f.ruleId, f.evidence?.['scope'], f.evidence?.['count']])).toEqual([
        ['CPD132', '@corp', 2],
        ['CPD132', '@tools', 1],
      ]);
    });

    it('a package whose other versions the registry signed is still CPD111 (its own problem)', async () => {
      const corp = unsigned(['@corp/a', '@corp/b']);
      const odd = unsigned(['@corp/signed-before'], true);
      const server = await serve({ keys: KEYS, packages: [...signedServed, ...corp.served, ...odd.served] });
      const result = await scan(server, [...signed, ...corp.entries, ...odd.entries]);
      expect(result.findings.map((f) => `${f.ruleId}:${f.level}`).sort()).toEqual(['CPD111:error', 'CPD132:warning']);
      const own = result.findings.find((f) => f.ruleId === 'CPD111');
      expect(own?.artifact).toMatchObject({ name: '@corp/signed-before' });
    });

    it('an unsigned package of a scope the registry signs in this scan is still CPD111', async () => {
      const arborist = SIGNED.find((s) => s.name === '@npmcli/arborist')!;
      const npmcli = unsigned(['@npmcli/not-signed']);
      const server = await serve({
        keys: KEYS,
        packages: [
          ...signedServed,
          { name: arborist.name, versions: [{ ...arborist, time: IN_WINDOW, signatures: [arborist] }] },
          ...npmcli.served,
        ],
      });
      const result = await scan(server, [...signed, arborist, ...npmcli.entries]);
      expect(result.findings.map((f) => `${f.ruleId}:${f.level}`)).toEqual(['CPD111:error']);
    });

    it('the policy trusting the registry as a mirror waives the unsigned scope', async () => {
      const corp = unsigned(['@corp/a', '@corp/b']);
      const server = await serve({ keys: KEYS, packages: [...signedServed, ...corp.served] });
      const result = await scan(server, [...signed, ...corp.entries], { policy: { trustedMirrors: [server.url] } });
      expect(result.findings).toEqual([]);
      expect(result.summary).toMatchObject({ verified: 5, unverifiable: 0 });
    });
  });

  const keyCases = [
    { name: 'keys endpoint 404', keys: undefined, cause: 'no-keys' },
    { name: 'keys of the wrong shape', keys: { not: 'keys' }, cause: 'keys-unusable' },
    {
      name: 'only an unsupported key type',
      keys: { keys: [{ keyid: 'SHA256:x', keytype: 'ssh-ed25519', scheme: 'ed25519', key: 'AAAA', expires: null }] },
      cause: 'keys-unusable',
    },
    { name: 'an empty key list', keys: { keys: [] }, cause: 'keys-unusable' },
  ];
  it.each(keyCases)('$name → one CPD133 ($cause), nothing verified', async ({ keys, cause }) => {
    const signed = SIGNED.slice(0, 2);
    // Signed by the registry's own key, which it fails to publish (npm's keys would verify npm's signatures anyway:
    // other-registries.test.ts).
    const server = await serve({
      keys,
      packages: signed.map((s) => ({
        name: s.name,
        versions: [{ ...s, time: IN_WINDOW, signatures: [{ keyid: 'SHA256:corp-registry', sig: s.sig }] }],
      })),
    });
    const result = await scan(server, signed);
    expect(rulesOf(result)).toEqual(['CPD133']);
    expect(result.findings[0]?.evidence).toMatchObject({ cause, count: 2 });
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 2 });
  });
});

/** Two reasons of one dead registry: the first request asked meets it, the rest its circuit breaker. */
const REFUSED = 'request failed: request to https://r.example/a failed, reason: connect ECONNREFUSED';
const STOPPED = 'the registry failed 3 times in a row (unreachable), so it was not asked again';

/** Package i of package-lock.json, from the registry: what both cause tests below fail. */
const failedNode = (i: number): PackageNode => ({
  name: `p${i}`,
  version: '1.0.0',
  key: `node_modules/p${i}`,
  lockfile: 'package-lock.json',
  line: 10 + i,
  dev: false,
  optional: false,
  peer: false,
  workspace: '',
  path: [],
  source: 'registry',
});

describe('a cause finding quotes the reason most of its packages carry, whatever order they failed in', () => {
  /** Package i of a lockfile, failed with `reason` (the first asked meets the dead registry, the rest its breaker). */
  const failed = (i: number, reason: string): CausedPackage => ({
    pkg: failedNode(i),
    cause: { kind: 'unreachable', registry: 'https://r.example/', what: 'packument', reason },
  });

  it.each([
    { name: 'the first entry met the registry', refused: [0] },
    { name: 'a later entry met it (another run)', refused: [3] },
    { name: 'two entries met it', refused: [1, 2] },
  ])('$name', ({ refused }) => {
    const items = Array.from({ length: 6 }, (_, i) => failed(i, refused.includes(i) ? REFUSED : STOPPED));
    const [f, ...rest] = causeFindings(items, undefined);
    expect(rest).toEqual([]);
    expect(f!.ruleId).toBe('CPD131');
    expect(f!.evidence?.['reason']).toBe(STOPPED);
    expect(f!.message).toContain(STOPPED);
  });
});

describe("each package's verification detail quotes its cause's shared reason, whatever order they failed in", () => {
  const graph = { kind: 'npm', lockfile: 'package-lock.json', packages: [] } as unknown as PackageCheck['graph'];
  const check = (i: number, reason: string): PackageCheck => ({
    pkg: failedNode(i),
    graph,
    registry: 'https://r.example/',
    findings: [],
    notes: [],
    cause: { kind: 'unreachable', registry: 'https://r.example/', what: 'packument', reason },
    signatureMissing: undefined,
    signed: false,
  });

  it.each([
    { name: 'the first entry met the registry', refused: 0 },
    { name: 'a later entry met it (another run)', refused: 3 },
  ])('$name', ({ refused }) => {
    const checks = Array.from({ length: 6 }, (_, i) => check(i, i === refused ? REFUSED : STOPPED));
    const { verifications } = settleVerdicts(checks, { unverifiableLevel: undefined, trustedMirrors: [] });
    expect(verifications.map((v) => [v.status, v.detail])).toEqual(
      Array.from({ length: 6 }, () => ['unverifiable', `unreachable: ${STOPPED}`]),
    );
  });
});

describe('advice to scan against the origin registry names the flag that takes an npm registry', () => {
  it.each([
    { kind: 'mirror-unsigned', ruleId: 'CPD132' },
    { kind: 'attestations-unserved', ruleId: 'CPD160' },
  ] as const)('$ruleId', ({ kind, ruleId }) => {
    const cause = { kind, registry: 'https://mirror.example/', what: 'signatures', reason: 'HTTP 404' };
    const [f] = causeFindings([{ pkg: failedNode(0), cause }], undefined);
    expect(f!.ruleId).toBe(ruleId);
    // `--registry` is the trusted-registry file: given a registry URL, the scan stops with exit 2.
    for (const text of [f!.message, findRule(ruleId)!.help]) {
      const flags = [...text.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!);
      expect(flags).toEqual(['npm-registry']);
      expect(SCAN_OPTIONS[flags[0] as keyof typeof SCAN_OPTIONS].describe).toMatch(/^npm registry URL/);
    }
  });
});
