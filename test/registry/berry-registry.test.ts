import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../src/app/render.js';
import { exitCodeForFindings } from '../../src/cli/exit-codes.js';
import { loadRegistryConfig } from '../../src/registry/config.js';
import { PLAIN, SCOPED, SECRET, asked, scanProject } from './berry-project.js';
import { endpointsPerTest, tempDir } from './scan.js';

/**
 * The online registry stage asks yarn 2+ packages where yarn fetches them: `.yarnrc.yml` (nearest first), the
 * `YARN_*` environment and the user's `~/.yarnrc.yml` (plugin-npm `getScopeRegistry`), never `.npmrc`; with
 * credentials from the user's configuration only. Every server here is on loopback.
 */
const startServer = endpointsPerTest({ keys: undefined });

describe('berry: the registry comes from yarn configuration, as getScopeRegistry picks it', () => {
  it('.yarnrc.yml npmRegistryServer the policy allows: verified against it', async () => {
    const server = await startServer({ packages: [PLAIN] });
    const { result, ids } = await scanProject({ yarnrc: `npmRegistryServer: "${server.url}"\n`, allowed: [server] });
    expect(ids).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 1, unverifiable: 0 });
    expect(asked(server)).toContain('/plain-thing');
  });

  // CPD137 (note): not asked, so whether the package runs install scripts is unknown too, and counted.
  it('a registry the policy does not allow: CPD150 + CPD154, never asked, nothing verified, exit 1', async () => {
    const allowed = await startServer({ packages: [PLAIN] });
    const evil = await startServer({ packages: [PLAIN] });
    const { result, ids } = await scanProject({ yarnrc: `npmRegistryServer: "${evil.url}"\n`, allowed: [allowed] });
    expect(ids).toEqual(['CPD137', 'CPD150', 'CPD154']);
    expect(evil.requests).toEqual([]);
    expect(allowed.requests).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 1 });
    const cpd154 = result.findings.find((f) => f.ruleId === 'CPD154');
    expect(cpd154?.location).toMatchObject({ path: 'yarn.lock' });
    expect(cpd154?.evidence).toMatchObject({ count: 1, packages: 'plain-thing@3.0.0', cause: 'registry-not-allowed' });
    expect(exitCodeForFindings(result, 'error')).toBe(1);
  });

  it('offline: a refused registry is still CPD154 (the precise cause), not "offline" (CPD131)', async () => {
    const evil = await startServer({ packages: [PLAIN] });
    const { result, ids } = await scanProject({
      yarnrc: `npmRegistryServer: "${evil.url}"\n`,
      allowed: [],
      offline: true,
    });
    expect(ids).toEqual(['CPD137', 'CPD150', 'CPD154']);
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 1 });
  });

  it('npmScopes.<scope>.npmRegistryServer: the scope from its registry, the rest from npmRegistryServer', async () => {
    const pub = await startServer({ packages: [PLAIN] });
    const corp = await startServer({ packages: [SCOPED] });
    const yarnrc = `npmRegistryServer: "${pub.url}"\nnpmScopes:\n  corp:\n    npmRegistryServer: "${corp.url}"\n`;
    const { result, ids } = await scanProject({ yarnrc, scoped: true, allowed: [pub, corp] });
    expect(ids).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 2, unverifiable: 0 });
    expect(asked(corp)).toEqual(['/@corp/thing']);
    expect(asked(pub)).toEqual(['/plain-thing']);
  });

  it('a scope registry the policy does not allow: only that scope is refused', async () => {
    const pub = await startServer({ packages: [PLAIN] });
    const evil = await startServer({ packages: [SCOPED] });
    const yarnrc = `npmRegistryServer: "${pub.url}"\nnpmScopes:\n  "@corp":\n    npmRegistryServer: "${evil.url}"\n`;
    const { result, ids } = await scanProject({ yarnrc, scoped: true, allowed: [pub] });
    expect(ids).toEqual(['CPD137', 'CPD150', 'CPD154']);
    expect(evil.requests).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 1, unverifiable: 1 });
  });

  it('YARN_NPM_REGISTRY_SERVER (the user’s own) wins over the tree, and needs no policy entry', async () => {
    const mine = await startServer({ packages: [PLAIN] });
    const other = await startServer({ packages: [PLAIN] });
    const { result, ids } = await scanProject({
      yarnrc: `npmRegistryServer: "${other.url}"\n`,
      env: { YARN_NPM_REGISTRY_SERVER: mine.url },
      allowed: [other],
    });
    expect(ids).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 1 });
    expect(other.requests).toEqual([]);
    expect(asked(mine)).toContain('/plain-thing');
  });

  it('~/.yarnrc.yml (a temp HOME) gives the registry when the tree sets none', async () => {
    const mine = await startServer({ packages: [PLAIN] });
    const { result, ids } = await scanProject({ home: `npmRegistryServer: "${mine.url}"\n`, allowed: [] });
    expect(ids).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 1 });
    expect(asked(mine)).toContain('/plain-thing');
  });

  it('the tree overrides ~/.yarnrc.yml (nearer file first), within what the policy allows', async () => {
    const mine = await startServer({ packages: [PLAIN] });
    const repo = await startServer({ packages: [PLAIN] });
    const { result } = await scanProject({
      home: `npmRegistryServer: "${mine.url}"\n`,
      yarnrc: `npmRegistryServer: "${repo.url}"\n`,
      allowed: [repo],
    });
    expect(result.summary).toMatchObject({ verified: 1 });
    expect(mine.requests).toEqual([]);
    expect(asked(repo)).toContain('/plain-thing');
  });
});

describe('berry credentials: from the user’s configuration only, bound to their registry, never printed or cached', () => {
  it('~/.yarnrc.yml npmAuthToken reaches its registry; not in the result, nor in the cache', async () => {
    const priv = await startServer({ packages: [PLAIN], token: SECRET, varyAuthorization: true });
    const cacheDir = tempDir('chainproof-berryreg-cache-');
    const { result, ids } = await scanProject({
      home: `npmRegistryServer: "${priv.url}"\nnpmAuthToken: "${SECRET}"\n`,
      allowed: [],
      cacheDir,
    });
    expect(ids).toEqual([]);
    expect(result.summary).toMatchObject({ verified: 1 });
    expect(priv.requests.every((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(filesContaining(cacheDir, SECRET)).toEqual([]);
    expect(filesContaining(cacheDir, 'plain-thing').length).toBeGreaterThan(0);
  });

  it('YARN_NPM_AUTH_TOKEN goes to the registry in effect (the tree’s, allowed) and to no other host', async () => {
    const priv = await startServer({ packages: [PLAIN], token: SECRET });
    const corp = await startServer({ packages: [SCOPED] });
    const yarnrc = `npmRegistryServer: "${priv.url}"\nnpmScopes:\n  corp:\n    npmRegistryServer: "${corp.url}"\n`;
    const { result } = await scanProject({
      yarnrc,
      scoped: true,
      env: { YARN_NPM_AUTH_TOKEN: SECRET },
      allowed: [priv, corp],
    });
    expect(result.summary).toMatchObject({ verified: 2 });
    expect(priv.requests.every((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(corp.requests.length).toBeGreaterThan(0);
    expect(corp.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('npmScopes.<scope>.npmAuthIdent in ~/.yarnrc.yml: Basic auth to the scope’s registry only', async () => {
    const pub = await startServer({ packages: [PLAIN] });
    const corp = await startServer({ packages: [SCOPED] });
    const home = `npmScopes:\n  corp:\n    npmRegistryServer: "${corp.url}"\n    npmAuthIdent: "ci:${SECRET}"\n`;
    const { result } = await scanProject({
      home,
      yarnrc: `npmRegistryServer: "${pub.url}"\n`,
      scoped: true,
      allowed: [pub],
    });
    expect(result.summary).toMatchObject({ verified: 2 });
    const basic = `Basic ${Buffer.from(`ci:${SECRET}`).toString('base64')}`;
    expect(corp.requests.every((r) => r.authorization === basic)).toBe(true);
    expect(pub.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('a token in the scanned tree’s .yarnrc.yml is never used, even toward an allowed registry', async () => {
    const priv = await startServer({ packages: [PLAIN], token: SECRET });
    const { result } = await scanProject({
      yarnrc: `npmRegistryServer: "${priv.url}"\nnpmAuthToken: "\${CI_SECRET}"\n`,
      env: { CI_SECRET: SECRET },
      allowed: [priv],
    });
    expect(priv.requests.length).toBeGreaterThan(0);
    expect(priv.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(result.summary).toMatchObject({ verified: 0, unverifiable: 1 });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('a tree registry that pulls an env secret into an allowed host’s path: not asked, the secret in no output', async () => {
    const server = await startServer({ packages: [PLAIN] });
    const { result, ids } = await scanProject({
      yarnrc: `npmRegistryServer: "${server.url}\${CI_SECRET}/"\n`,
      env: { CI_SECRET: SECRET },
      allowed: [server],
    });
    expect(ids).toContain('CPD154');
    expect(server.requests).toEqual([]);
    for (const f of ['text', 'json', 'sarif', 'markdown'] as const)
      expect(renderReport(result, f, { toolVersion: '0.0.0', color: false, verbose: true })).not.toContain(SECRET);
  });

  it('a home token beside its own registry is not sent where the tree points instead', async () => {
    const mine = await startServer({ packages: [PLAIN], token: SECRET });
    const repo = await startServer({ packages: [PLAIN] });
    const { result } = await scanProject({
      home: `npmRegistryServer: "${mine.url}"\nnpmAuthToken: "${SECRET}"\n`,
      yarnrc: `npmRegistryServer: "${repo.url}"\n`,
      allowed: [repo],
    });
    expect(result.summary).toMatchObject({ verified: 1 });
    expect(repo.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  // Another host name: make-fetch-happen drops Authorization when the hostname changes (not for a port only).
  it('a redirect to another host: the token is not sent across it', async () => {
    const other = await startServer({ packages: [PLAIN] });
    const priv = await startServer({
      packages: [PLAIN],
      fault: 'redirect',
      redirectTo: other.url.replace('127.0.0.1', 'localhost'),
    });
    const { result } = await scanProject({
      env: { YARN_NPM_REGISTRY_SERVER: priv.url, YARN_NPM_AUTH_TOKEN: SECRET },
      allowed: [],
    });
    expect(priv.requests.some((r) => r.authorization === `Bearer ${SECRET}`)).toBe(true);
    expect(other.requests.length).toBeGreaterThan(0);
    expect(other.requests.every((r) => r.authorization === undefined)).toBe(true);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it.each([
    { name: 'YARN_NPM_AUTH_TOKEN', env: { YARN_NPM_AUTH_TOKEN: SECRET }, sent: `Bearer ${SECRET}` },
    {
      name: 'YARN_NPM_AUTH_IDENT user:password',
      env: { YARN_NPM_AUTH_IDENT: `ci:${SECRET}` },
      sent: `Basic ${Buffer.from(`ci:${SECRET}`).toString('base64')}`,
    },
  ])('a registry that echoes the Authorization header ($name): in no report format', async ({ env, sent }) => {
    const echo = await startServer({ packages: [PLAIN], fault: 'http-401-echo' });
    const { result } = await scanProject({ env: { YARN_NPM_REGISTRY_SERVER: echo.url, ...env }, allowed: [] });
    expect(echo.requests.some((r) => r.authorization === sent)).toBe(true);
    expect(result.summary).toMatchObject({ unverifiable: 1 });
    const forms = [SECRET, Buffer.from(`ci:${SECRET}`).toString('base64'), Buffer.from(SECRET).toString('base64')];
    const outputs = (['text', 'json', 'sarif', 'markdown', 'cyclonedx'] as const).map((f) =>
      renderReport(result, f, { toolVersion: '0.0.0', color: false, verbose: true }),
    );
    for (const text of [...outputs, JSON.stringify(result)]) for (const form of forms) expect(text).not.toContain(form);
  });
});

describe('the redactor masks every yarn credential of the user, sent anywhere or not', () => {
  it.each([
    { name: 'env token, the only registry refused', env: { YARN_NPM_AUTH_TOKEN: SECRET }, home: undefined },
    { name: 'ident of a scope no lockfile uses', env: {}, home: `npmScopes:\n  x:\n    npmAuthIdent: "u:${SECRET}"\n` },
  ])('$name', async ({ env, home }) => {
    const root = tempDir();
    const homeDir = tempDir();
    if (home !== undefined) writeFileSync(path.join(homeDir, '.yarnrc.yml'), home);
    const config = await loadRegistryConfig({
      root,
      env: { ...env, HOME: homeDir },
      override: undefined,
      allowed: [],
      berry: [
        {
          lockfile: 'yarn.lock',
          yarnrcs: [
            {
              kind: 'ok',
              path: '.yarnrc.yml',
              config: {
                settings: [
                  {
                    kind: 'registry',
                    key: 'npmRegistryServer',
                    value: 'https://evil.example/',
                    line: 1,
                    slot: 'npmRegistryServer',
                  },
                ],
                slots: new Set(['npmRegistryServer']),
              },
            },
          ],
        },
      ],
    });
    expect(config.auth).toEqual({});
    expect(config.redactor.redact(`echo ${SECRET}`)).toBe('echo ***');
  });
});

/** Files under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (readFileSync(p).includes(needle)) out.push(path.relative(dir, p));
    }
  };
  mkdirSync(dir, { recursive: true });
  walk(dir);
  return out;
}
