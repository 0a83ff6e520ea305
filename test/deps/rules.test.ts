import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Policy } from '../../src/core/policy.js';
import type { TrustedRegistry } from '../../src/core/trusted-registry.js';
import { CASES, policyWith, registryWith, scanDeps } from './helpers.js';

const FLATMAP = registryWith([{ id: 'MAL-2018-1', name: 'flatmap-stream', ranges: ['>=0.1.0 <0.2.0'], versions: [] }]);

interface Case {
  name: string;
  dir: string;
  policy?: Policy;
  registry?: TrustedRegistry;
  /** `ruleId@path:line`, sorted. */
  want: string[];
}

const cases: Case[] = [
  {
    name: 'missing integrity on a registry package, none on link/workspace/bundled',
    dir: 'missing-integrity.v3',
    want: ['CPD002@package-lock.json:21'],
  },
  {
    name: 'sha1-only integrity is weak; sha1 next to sha512 is not',
    dir: 'weak-integrity.v1',
    want: ['CPD003@package-lock.json:7'],
  },
  {
    name: 'a short digest is not valid SRI; md5 alone is what ssri then checks, a weak pin',
    dir: 'invalid-integrity.v3',
    want: ['CPD003@package-lock.json:21', 'CPD004@package-lock.json:16'],
  },
  {
    name: 'a repository .npmrc never widens the allowed registries: its registry is CPD134, its host CPD005',
    dir: 'registry-host.v3',
    want: ['CPD005@package-lock.json:15', 'CPD005@package-lock.json:20', 'CPD134@.npmrc:1'],
  },
  {
    name: 'host outside policy flagged; the .npmrc registry allowed by the policy',
    dir: 'registry-host.v3',
    policy: policyWith({ allowedRegistries: ['https://registry.npmjs.org/', 'https://npm.corp.example/repo/'] }),
    want: ['CPD005@package-lock.json:15'],
  },
  // yarn 1 requests https for npmjs/yarnpkg hosts whatever the lockfile says (NpmRegistry.getRequestUrl); an http
  // URL on another host is CPD006 (fidelity round 8, http-registry-host.yarn-v1).
  { name: 'http: on registry.yarnpkg.com is fetched over https (yarn 1)', dir: 'insecure-http.yarn-v1', want: [] },
  {
    name: 'git, tarball and file sources at default levels',
    dir: 'sources.v3',
    want: ['CPD007@package-lock.json:16', 'CPD008@package-lock.json:21', 'CPD009@package-lock.json:30'],
  },
  {
    name: 'sources set to off by policy',
    dir: 'sources.v3',
    // A tarball URL is reported by CPD008 alone (host and integrity included), so policy can silence it.
    policy: policyWith({ sources: { git: 'off', tarball: 'off', file: 'off' } }),
    want: [],
  },
  {
    name: 'resolved URL names another package / version; aliases and scoped names are fine',
    dir: 'name-mismatch.v3',
    want: ['CPD010@package-lock.json:17', 'CPD010@package-lock.json:22'],
  },
  {
    name: 'berry descriptor resolved to another package: CPD010, one cause (not also CPD015 at the entry)',
    dir: 'name-mismatch.berry',
    want: ['CPD010@yarn.lock:17'],
  },
  {
    name: 'private scope from the public registry',
    dir: 'dependency-confusion.pnpm9',
    policy: policyWith({ privateScopes: ['@acme'] }),
    want: ['CPD011@pnpm-lock.yaml:20'],
  },
  { name: 'scope not private: no confusion', dir: 'dependency-confusion.pnpm9', want: [] },
  {
    name: 'private scope mapped to a private registry in .npmrc (the policy allows it)',
    dir: 'dependency-confusion-mapped.pnpm9',
    policy: policyWith({
      privateScopes: ['@acme/*'],
      allowedRegistries: ['https://registry.npmjs.org/', 'https://npm.acme.internal/'],
    }),
    want: [],
  },
  {
    name: 'private scope mapped in .npmrc to a registry the policy does not allow',
    dir: 'dependency-confusion-mapped.pnpm9',
    policy: policyWith({ privateScopes: ['@acme/*'] }),
    want: ['CPD134@.npmrc:1'],
  },
  {
    name: 'a repository .yarnrc.yml: registries elsewhere, own CA, strict SSL off, plain HTTP to a host, a written token',
    dir: 'yarnrc-untrusted.berry',
    want: [
      'CPD150@.yarnrc.yml:4',
      'CPD150@.yarnrc.yml:9',
      'CPD151@.yarnrc.yml:16',
      'CPD151@.yarnrc.yml:17',
      'CPD152@.yarnrc.yml:21',
      // The server URL's password (line 4) and the top-level npmAuthToken (line 5); the `${CORP_TOKEN}`s are none.
      'CPD168@.yarnrc.yml:4',
    ],
  },
  {
    name: 'a .yarnrc.yml registry the policy allows is not reported',
    dir: 'yarnrc-untrusted.berry',
    policy: policyWith({ allowedRegistries: ['https://registry.npmjs.org/', 'https://npm.evil.example/'] }),
    want: ['CPD151@.yarnrc.yml:16', 'CPD151@.yarnrc.yml:17', 'CPD152@.yarnrc.yml:21', 'CPD168@.yarnrc.yml:4'],
  },
  { name: 'a .yarnrc.yml inside the default policy', dir: 'yarnrc-allowed.berry', want: [] },
  {
    name: 'yarn 2+ takes a private scope from .yarnrc.yml npmScopes: mapped to the public registry is CPD011',
    dir: 'yarnrc-allowed.berry',
    policy: policyWith({ privateScopes: ['@acme/*'] }),
    want: ['CPD011@yarn.lock:8'],
  },
  {
    name: 'yarn 2+ never reads .npmrc: a scope mapped only there still resolves from the public registry',
    dir: 'npmrc-ignored.berry',
    policy: policyWith({ privateScopes: ['@acme/*'] }),
    want: ['CPD011@yarn.lock:8', 'CPD134@.npmrc:1'],
  },
  {
    name: 'yarn 2+ takes a private scope from .yarnrc.yml npmScopes: mapped elsewhere is no confusion',
    dir: 'yarnrc-untrusted.berry',
    policy: policyWith({
      privateScopes: ['@acme/*'],
      allowedRegistries: ['https://registry.npmjs.org/', 'https://npm.evil.example/'],
    }),
    want: ['CPD151@.yarnrc.yml:16', 'CPD151@.yarnrc.yml:17', 'CPD152@.yarnrc.yml:21', 'CPD168@.yarnrc.yml:4'],
  },

  { name: 'a .yarnrc.yml yarn cannot parse', dir: 'yarnrc-broken.berry', want: ['CPD153@.yarnrc.yml:2'] },
  {
    name: 'a .yarnrc.yml above the project: what the nearer file overrides is not in effect',
    dir: 'yarnrc-nested.berry',
    want: ['CPD151@.yarnrc.yml:3'],
  },
  { name: 'install script outside the allowlist', dir: 'install-script.v3', want: ['CPD012@package-lock.json:15'] },
  {
    name: 'install script allowlisted',
    dir: 'install-script.v3',
    policy: policyWith({ allowInstallScripts: ['esbuild'] }),
    want: [],
  },
  {
    name: 'version inside a malicious range',
    dir: 'malicious.yarn-v1',
    registry: FLATMAP,
    want: ['CPD013@yarn.lock:12'],
  },
  {
    name: 'exact malicious version',
    dir: 'malicious.yarn-v1',
    registry: registryWith([{ id: 'MAL-X', name: 'event-stream', ranges: [], versions: ['3.3.6'] }]),
    want: ['CPD013@yarn.lock:5'],
  },
  {
    name: 'malicious range that does not cover the locked version',
    dir: 'malicious.yarn-v1',
    registry: registryWith([{ id: 'MAL-Y', name: 'flatmap-stream', ranges: ['>=0.2.0'], versions: ['0.1.2'] }]),
    want: [],
  },
  { name: 'declared dependency not locked', dir: 'out-of-sync.v3', want: ['CPD014@package.json:6'] },
  { name: 'locked version outside the declared range', dir: 'out-of-range.v3', want: ['CPD015@package-lock.json:14'] },
  { name: 'lockfile in sync with package.json', dir: 'in-sync.v3', want: [] },
  { name: 'truncated package-lock.json', dir: 'truncated.v3', want: ['CPD001@package-lock.json:14'] },
  {
    name: 'HTML named yarn.lock and broken YAML named pnpm-lock.yaml',
    dir: 'not-a-lockfile',
    want: ['CPD001@pnpm-lock.yaml:2', 'CPD001@yarn.lock:1'],
  },
  {
    // Bun 1.2 asks trustedDependencies by 32-bit name hash: `cp-pez7ntcaa` hashes like the listed `esbuild`, and
    // Bun 1.2.0 ran its postinstall; its neighbour `cp-pez7ntcab` and the listed `esbuild` itself are no finding.
    name: 'a bun package trusted only through a name-hash collision with a trustedDependencies name',
    dir: 'trusted-name-hash.bun',
    want: ['CPD170@bun.lock:17'],
  },
];

describe('offline dependency rules over case fixtures', () => {
  it.each(cases)('$name ($dir)', async ({ dir, policy, registry, want }) => {
    const r = await scanDeps(path.join(CASES, dir), {
      ...(policy ? { policy } : {}),
      ...(registry ? { registry } : {}),
    });
    const got = r.findings.map((f) => `${f.ruleId}@${f.location.path}:${f.location.line}`).sort();
    expect(got).toEqual(want);
    for (const f of r.findings) {
      expect(f.message).toContain(f.location.path.split('/').pop()!);
      if (f.artifact?.kind === 'package') expect(f.evidence?.dependencyPath ?? f.evidence?.manifest).toBeDefined();
    }
  });

  it('applies the policy level for git sources', async () => {
    const r = await scanDeps(path.join(CASES, 'sources.v3'), {
      policy: policyWith({ sources: { git: 'error', tarball: 'note', file: 'off' } }),
    });
    const levels = Object.fromEntries(r.findings.map((f) => [f.ruleId, f.level]));
    expect(levels).toMatchObject({ CPD007: 'error', CPD008: 'note' });
    expect(levels.CPD009).toBeUndefined();
  });

  it('puts the dependency path in the message', async () => {
    const r = await scanDeps(path.join(CASES, 'malicious.yarn-v1'), { registry: FLATMAP });
    expect(r.findings[0]!.message).toContain('root > event-stream > flatmap-stream');
    expect(r.findings[0]!.artifact).toEqual({
      kind: 'package',
      ecosystem: 'npm',
      name: 'flatmap-stream',
      version: '0.1.1',
    });
  });

  it('never puts .yarnrc.yml tokens or URL credentials in findings', async () => {
    const r = await scanDeps(path.join(CASES, 'yarnrc-untrusted.berry'), { env: { CORP_TOKEN: 'npm_ENVsecret456' } });
    expect(r.findings.length).toBeGreaterThan(0);
    const out = JSON.stringify(r);
    for (const secret of ['npm_ENVsecret456', 'npm_LITERALsecret0123', 'npm_URLsecret', 'ci-bot'])
      expect(out).not.toContain(secret);
  });

  it('never puts .npmrc tokens or URL credentials in findings', async () => {
    const r = await scanDeps(path.join(CASES, 'registry-host.v3'), { env: { CORP_TOKEN: 'npm_SECRET123' } });
    expect(JSON.stringify(r)).not.toContain('npm_SECRET123');
  });
});
