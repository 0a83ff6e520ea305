import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRegistryStage } from '../../src/registry/stage.js';
import { renderReport } from '../../src/app/render.js';
import type { ScanResult } from '../../src/core/result.js';
import { type EndpointsOptions, type EndpointsServer } from '../helpers/npm-endpoints-server.js';
import { scanGraphs, tempDir, writeLockfile, type ScanSetup } from './scan.js';
import { NPM_KEYS, SIGNED_VERSIONS, endpointsPerTest } from './scan.js';

const KEYS = NPM_KEYS;
const SIGNED = SIGNED_VERSIONS;
const PACKAGES: EndpointsOptions['packages'] = SIGNED.map((s) => ({
  name: s.name,
  versions: [{ ...s, time: '2022-06-01T00:00:00.000Z', signatures: [s] }],
}));

const startServer = endpointsPerTest();

async function serve(opts: Partial<EndpointsOptions> = {}): Promise<EndpointsServer> {
  const s = await startServer({ keys: KEYS, packages: PACKAGES, ...opts });
  return s;
}

function scan(server: EndpointsServer, extra: Partial<ScanSetup> = {}): Promise<ScanResult> {
  const root = extra.root ?? tempDir();
  const graph = writeLockfile(root, SIGNED);
  return scanGraphs({ root, graphs: [graph], registry: server.url, ...extra });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('a cache that works', () => {
  it('a warm scan within the freshness window makes zero requests and gives the same verdicts', async () => {
    const server = await serve();
    const cacheDir = tempDir('chainproof-cache-');
    const cold = await scan(server, { cacheDir });
    expect(cold.summary).toMatchObject({ verified: SIGNED.length, unverifiable: 0 });
    const coldRequests = server.requests.length;
    expect(coldRequests).toBeGreaterThan(SIGNED.length);
    const warm = await scan(server, { cacheDir });
    expect(server.requests.length).toBe(coldRequests);
    expect(warm.verifications).toEqual(cold.verifications);
    expect(warm.notifications.map((n) => n.message).join('\n')).toMatch(/registry answer\(s\) came from the cache/);
  });

  it('a scan writes its answers as one pack; a second scan writes nothing new and asks nothing', async () => {
    const server = await serve({ abbreviated: true });
    const cacheDir = tempDir('chainproof-cache-');
    await scan(server, { cacheDir });
    const packs = filesUnder(path.join(cacheDir, 'registry-v3', 'packs'));
    expect(packs).toHaveLength(1);
    const before = server.requests.length;
    await scan(server, { cacheDir });
    expect(server.requests.length).toBe(before);
    expect(filesUnder(path.join(cacheDir, 'registry-v3', 'packs'))).toEqual(packs);
  });

  it.each([
    { name: 'a truncated pack', damage: (b: Buffer) => b.subarray(0, Math.floor(b.length / 2)) },
    { name: 'a pack of garbage', damage: () => Buffer.from('not a pack\n\x00\xff') },
    {
      name: 'a record claiming a huge body',
      damage: (b: Buffer) => Buffer.from(b.toString('latin1').replace(/ \d+\n/, ' 999999999\n'), 'latin1'),
    },
  ])('$name: what is readable is used, the rest asked again, verdicts unchanged', async ({ damage }) => {
    const server = await serve();
    const cacheDir = tempDir('chainproof-cache-');
    const cold = await scan(server, { cacheDir });
    const [pack] = filesUnder(path.join(cacheDir, 'registry-v3', 'packs'));
    writeFileSync(pack!, damage(readFileSync(pack!)));
    const before = server.requests.length;
    const again = await scan(server, { cacheDir });
    expect(server.requests.length).toBeGreaterThan(before);
    expect(again.verifications).toEqual(cold.verifications);
  });

  it('after the window, conditional requests (If-None-Match) revalidate the cached answers', async () => {
    const server = await serve();
    const cacheDir = tempDir('chainproof-cache-');
    const stage = createRegistryStage({ timeoutMs: 2_000, retries: 0, freshMs: 0 });
    await scan(server, { cacheDir, stage });
    const before = server.requests.length;
    const again = await scan(server, { cacheDir, stage });
    const second = server.requests.slice(before);
    expect(second.length).toBeGreaterThan(0);
    expect(second.every((r) => r.ifNoneMatch !== undefined)).toBe(true);
    expect(again.summary.verified).toBe(SIGNED.length);
  });

  it('--offline answers from the cache, says so, and makes no request', async () => {
    const server = await serve();
    const cacheDir = tempDir('chainproof-cache-');
    await scan(server, { cacheDir });
    const before = server.requests.length;
    const offline = await scan(server, { cacheDir, offline: true });
    expect(server.requests.length).toBe(before);
    expect(offline.summary.verified).toBe(SIGNED.length);
    expect(offline.notifications.some((n) => /came from the cache \(offline\); the oldest is/.test(n.message))).toBe(
      true,
    );
  });

  it('an aborted huge body leaves nothing in the cache (no tmp/ growth)', async () => {
    const server = await serve({ fault: 'huge', faultPaths: /^\/(?!-)/ });
    const cacheDir = tempDir('chainproof-cache-');
    const stage = createRegistryStage({ timeoutMs: 2_000, retries: 0, maxJsonBytes: 2 * 1024 * 1024 });
    const result = await scan(server, { cacheDir, stage });
    expect(result.summary.unverifiable).toBe(SIGNED.length);
    expect(filesUnder(path.join(cacheDir, 'registry-v3', 'tmp'))).toEqual([]);
  });

  it('no MaxListenersExceededWarning on an online scan', async () => {
    const server = await serve();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const stage = createRegistryStage({ timeoutMs: 2_000, retries: 0, freshMs: 0 });
      for (let i = 0; i < 3; i++) await scan(server, { cacheDir: tempDir('chainproof-cache-'), stage });
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w === 'MaxListenersExceededWarning')).toEqual([]);
  });
});

describe('secrets: never on disk, never across a redirect, never in any output', () => {
  const SECRET = 'npm_PlantedSecretToken0123456789';
  const cases: { name: string; npmrc: (host: string) => string; env?: Record<string, string>; userInfo?: boolean }[] = [
    { name: '_authToken', npmrc: (h) => `//${h}/:_authToken=${SECRET}\n` },
    { name: 'env token', npmrc: (h) => `//${h}/:_authToken=\${NPM_TOKEN}\n`, env: { NPM_TOKEN: SECRET } },
    { name: '_auth', npmrc: (h) => `//${h}/:_auth=${Buffer.from(`ci:${SECRET}`).toString('base64')}\n` },
    {
      name: '_password',
      npmrc: (h) => `//${h}/:username=ci\n//${h}/:_password=${Buffer.from(SECRET).toString('base64')}\n`,
    },
    { name: 'URL user-info', npmrc: () => '', userInfo: true },
  ];
  it.each(cases)('$name with a registry answering Vary: Authorization', async (c) => {
    const server = await serve({ varyAuthorization: true });
    const host = new URL(server.url).host;
    const home = tempDir('chainproof-home-');
    const userrc = path.join(home, '.npmrc');
    writeFileSync(userrc, c.npmrc(host));
    const cacheDir = tempDir('chainproof-cache-');
    const registry = c.userInfo === true ? server.url.replace('http://', `http://ci:${SECRET}@`) : server.url;
    const result = await scan(server, {
      cacheDir,
      registry,
      env: { npm_config_userconfig: userrc, ...c.env },
    });
    // The secret was in play: sent as credentials to the registry that asked for it.
    expect(server.requests.some((r) => r.authorization !== undefined)).toBe(true);
    const forms = [SECRET, Buffer.from(SECRET).toString('base64'), Buffer.from(`ci:${SECRET}`).toString('base64')];
    const outputs = (['text', 'json', 'sarif', 'markdown'] as const).map((f) =>
      renderReport(result, f, { toolVersion: '0.0.0', color: false, verbose: true }),
    );
    const cacheFiles = filesUnder(cacheDir).map((f) => readFileSync(f, 'latin1'));
    expect(cacheFiles.length).toBeGreaterThan(0);
    for (const text of [...outputs, ...cacheFiles, JSON.stringify(result)])
      for (const form of forms) expect(text).not.toContain(form);
  });

  it('the token is not sent across a redirect to another host', async () => {
    const other = await serve();
    const otherUrl = other.url.replace('127.0.0.1', 'localhost');
    const server = await serve({ fault: 'redirect', redirectTo: otherUrl, faultPaths: /^\/(?!-)/, token: SECRET });
    const home = tempDir('chainproof-home-');
    writeFileSync(path.join(home, '.npmrc'), `//${new URL(server.url).host}/:_authToken=${SECRET}\n`);
    await scan(server, { env: { npm_config_userconfig: path.join(home, '.npmrc') } });
    expect(other.requests.length).toBeGreaterThan(0);
    expect(other.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('a 401 that echoes the Authorization header does not bring it into any report', async () => {
    const server = await serve({ fault: 'http-401-echo' });
    const home = tempDir('chainproof-home-');
    writeFileSync(path.join(home, '.npmrc'), `//${new URL(server.url).host}/:_authToken=${SECRET}\n`);
    const result = await scan(server, { env: { npm_config_userconfig: path.join(home, '.npmrc') } });
    expect(result.summary.unverifiable).toBe(SIGNED.length);
    for (const f of ['text', 'json', 'sarif', 'markdown'] as const)
      expect(renderReport(result, f, { toolVersion: '0.0.0', color: false, verbose: true })).not.toContain(SECRET);
  });
});
