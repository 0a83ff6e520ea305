import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/app/render.js';
import { runCliAsync } from '../helpers/cli.js';
import type { ScanResult } from '../../src/core/result.js';
import { createRegistryStage } from '../../src/registry/stage.js';
import { sri, type EndpointsOptions } from '../helpers/npm-endpoints-server.js';
import { NPM_KEYS, SIGNED_VERSIONS, endpointsPerTest, scanGraphs, tempDir, writeLockfile } from '../registry/scan.js';
import { rawServers } from '../helpers/raw-server.js';

/**
 * Other shapes of the registry classes of #18 than test/registry holds: a registry that accepts the connection and
 * never sends a byte, one that trickles its headers, keys endpoints that fail in other ways, and secrets spelled
 * other ways (a token in $HOME/.npmrc from the environment, user-info in a lockfile's `resolved`).
 */
const IN_WINDOW = '2022-06-01T00:00:00.000Z';
const SECRET = 'npm_HostileCampaignSecret0123456789';
const startServer = endpointsPerTest();

const rawServer = rawServers();

const unsigned = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `pkg-${String(i).padStart(4, '0')}`,
    version: '1.0.0',
    integrity: sri('sha512', Buffer.from(`pkg-${i}`)),
  }));

const causesOf = (r: ScanResult) => r.findings.map((f) => `${f.ruleId}:${String(f.evidence?.['cause'])}`);

describe('a registry that never answers costs at most the registry budget, every package unverifiable', () => {
  it.each([
    { name: 'TCP accepted, not a byte sent', onSocket: () => undefined },
    {
      name: 'a status line, then one header byte every 200 ms',
      onSocket: (s: net.Socket) => {
        s.write('HTTP/1.1 200 OK\r\nX-Slow: ');
        const t = setInterval(() => s.write('a'), 200);
        s.on('close', () => clearInterval(t));
      },
    },
  ])('$name, 1,000 packages', async ({ onSocket }) => {
    const url = await rawServer(onSocket);
    const root = tempDir();
    const graph = writeLockfile(root, unsigned(1000));
    // A per-request deadline longer than the budget and a breaker that never opens: only the budget can end it.
    const stage = createRegistryStage({ timeoutMs: 60_000, retries: 0, budgetMs: 1_500, breakerThreshold: 100_000 });
    const result = await scanGraphs({ root, graphs: [graph], registry: url, stage });
    expect(result.summary).toMatchObject({ verified: 0, failed: 0, unverifiable: 1000 });
    expect(causesOf(result)).toEqual(['CPD131:budget-exhausted']);
    expect(result.findings[0]?.evidence?.['count']).toBe(1000);
  });
});

describe('no keys-endpoint failure reports a package as verified', () => {
  const keys = NPM_KEYS as { keys: Record<string, unknown>[] };
  const served = SIGNED_VERSIONS.map((s) => ({
    name: s.name,
    versions: [{ ...s, time: IN_WINDOW, signatures: [{ keyid: s.keyid, sig: s.sig }] }],
  }));
  it.each<{ name: string; opts: Partial<EndpointsOptions>; want: { verified: number } }>([
    { name: 'control: the real keys', opts: {}, want: { verified: SIGNED_VERSIONS.length } },
    {
      name: 'keys answer HTTP 500',
      opts: { fault: 'http-500', faultPaths: /^\/-\/npm\/v1\/keys/ },
      want: { verified: 0 },
    },
    {
      name: 'keys answer garbage',
      opts: { fault: 'garbage-json', faultPaths: /^\/-\/npm\/v1\/keys/ },
      want: { verified: 0 },
    },
    // npm's own signatures verify with npm's keys (Sigstore TUF) whatever the registry's keys endpoint says.
    { name: 'keys answer null', opts: { keys: null }, want: { verified: SIGNED_VERSIONS.length } },
    {
      name: 'every key expired in 2001',
      opts: { keys: { keys: keys.keys.map((k) => ({ ...k, expires: '2001-01-01T00:00:00.000Z' })) } },
      want: { verified: 0 },
    },
    {
      name: 'keys under another keyid',
      opts: { keys: { keys: keys.keys.map((k) => ({ ...k, keyid: `SHA256:${'A'.repeat(43)}` })) } },
      want: { verified: 0 },
    },
  ])('$name → $want.verified verified', async ({ opts, want }) => {
    const server = await startServer({ keys: NPM_KEYS, packages: served, ...opts });
    const root = tempDir();
    const graph = writeLockfile(root, SIGNED_VERSIONS);
    const stage = createRegistryStage({ timeoutMs: 5_000, retries: 0 });
    const result = await scanGraphs({ root, graphs: [graph], registry: server.url, stage });
    expect(result.summary.verified).toBe(want.verified);
    expect(result.summary.packages).toBe(SIGNED_VERSIONS.length);
    if (want.verified === 0)
      expect(result.findings.some((f) => f.level === 'error' || f.ruleId === 'CPD131' || f.ruleId === 'CPD133')).toBe(
        true,
      );
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('secrets spelled other ways appear in no report and no cache file, whatever the registry echoes', () => {
  const forms = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(`ci:${SECRET}`).toString('base64')];
  it.each<{
    name: string;
    npmrc: (host: string) => string;
    env?: Record<string, string>;
    userInfo?: boolean;
    fault?: 'http-401-echo';
  }>([
    {
      name: '${NPM_TOKEN} in $HOME/.npmrc',
      npmrc: (h) => `//${h}/:_authToken=\${NPM_TOKEN}\n`,
      env: { NPM_TOKEN: SECRET },
    },
    { name: '_auth, registry echoing a 401', npmrc: (h) => `//${h}/:_auth=${forms[2]!}\n`, fault: 'http-401-echo' },
    { name: 'user-info in the lockfile `resolved`', npmrc: () => '', userInfo: true },
  ])('$name', async ({ npmrc, env, userInfo, fault }) => {
    const server = await startServer({
      keys: NPM_KEYS,
      packages: [],
      varyAuthorization: true,
      ...(fault ? { fault } : {}),
    });
    const host = new URL(server.url).host;
    const home = tempDir('chainproof-home-');
    writeFileSync(path.join(home, '.npmrc'), npmrc(host));
    const root = tempDir();
    const base = userInfo === true ? server.url.replace('http://', `http://ci:${SECRET}@`) : server.url;
    const graph = writeLockfile(
      root,
      SIGNED_VERSIONS.map((s) => ({ ...s, resolved: `${base.replace(/\/$/, '')}/${s.name}/-/x-${s.version}.tgz` })),
    );
    const cacheDir = tempDir('chainproof-cache-');
    const result = await scanGraphs({
      root,
      graphs: [graph],
      registry: server.url,
      cacheDir,
      env: { HOME: home, ...env },
    });
    if (userInfo !== true) expect(server.requests.some((r) => r.authorization !== undefined)).toBe(true);
    const outputs = (['text', 'json', 'sarif', 'markdown', 'cyclonedx'] as const).map((f) =>
      renderReport(result, f, { toolVersion: '0.0.0', color: false, verbose: true }),
    );
    const cacheFiles = filesUnder(cacheDir).map((f) => readFileSync(f, 'latin1'));
    // Every written form (the in-memory graph keeps the lockfile's `resolved` as written: it is input, not output).
    for (const text of [...outputs, ...cacheFiles]) for (const form of forms) expect(text).not.toContain(form);
  });
});

describe('the CLI process: a token from the environment, echoed back by the registry, reaches no stream or file', () => {
  it('chainproof scan with $HOME/.npmrc `_authToken=${NPM_TOKEN}` against a 401 that quotes Authorization', async () => {
    const server = await startServer({ keys: NPM_KEYS, packages: [], fault: 'http-401-echo', varyAuthorization: true });
    const home = tempDir('chainproof-home-');
    writeFileSync(path.join(home, '.npmrc'), `//${new URL(server.url).host}/:_authToken=\${NPM_TOKEN}\n`);
    const root = tempDir();
    writeLockfile(root, SIGNED_VERSIONS);
    const out = tempDir('chainproof-out-');
    const cacheDir = tempDir('chainproof-cache-');
    const formats = ['json', 'sarif', 'markdown', 'cyclonedx'].flatMap((f) => ['-f', `${f}=${path.join(out, f)}`]);
    const args = [
      'scan',
      root,
      '--npm-registry',
      server.url,
      '--cache-dir',
      cacheDir,
      '--verbose',
      '-f',
      'text',
      ...formats,
    ];
    // npm_config_userconfig too: under `npm test` npm exports its own, which outranks $HOME/.npmrc.
    const userconfig = path.join(home, '.npmrc');
    const run = await runCliAsync(args, { env: { HOME: home, npm_config_userconfig: userconfig, NPM_TOKEN: SECRET } });
    // The registry refused every request: one cause, every package unverifiable (a warning under the default policy).
    expect(run.code).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'json'), 'utf8')) as ScanResult;
    expect(report.findings.map((f) => `${f.ruleId}:${String(f.evidence?.['cause'])}`)).toEqual([
      'CPD156:auth-required',
    ]);
    expect(server.requests.some((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    const written = [...filesUnder(out), ...filesUnder(cacheDir)].map((f) => readFileSync(f, 'latin1'));
    expect(written.length).toBeGreaterThanOrEqual(4);
    for (const text of [run.stdout, run.stderr, ...written]) expect(text).not.toContain(SECRET);
  });
});
