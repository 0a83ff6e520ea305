import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/trust/policy/default.js';
import { testOptions } from '../../helpers/scan.js';
import { startNpmEndpoints, type EndpointsServer } from '../../helpers/npm-endpoints-server.js';
import { PLAIN, berryLockOf } from '../../registry/berry-project.js';
import { makeRepo, reviewHead } from './repo.js';

/**
 * `chainproof review` asks a yarn 2+ package's registry questions where yarn fetches it, as the scan's registry
 * stage does: YARN_NPM_REGISTRY_SERVER, else an allowed repository `.yarnrc.yml`, else `~/.yarnrc.yml`, else yarn's
 * default — never the `.npmrc` registry. A `.yarnrc.yml` registry the policy does not allow is not asked: CPD154.
 * Three loopback registries tell who was asked: the `.npmrc` one, the `.yarnrc.yml` one, the user's one.
 */
type Name = 'npmrc' | 'tree' | 'user';
const servers = new Map<Name, EndpointsServer>();
beforeAll(async () => {
  for (const name of ['npmrc', 'tree', 'user'] as const)
    servers.set(name, await startNpmEndpoints({ keys: undefined, packages: [PLAIN] }));
});
afterAll(() => Promise.all([...servers.values()].map((s) => s.close())));
const url = (name: Name) => servers.get(name)!.url;
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const LOCK_BEFORE = berryLockOf([]);
const LOCK_AFTER = berryLockOf([{ name: PLAIN.name, version: '3.0.0' }]);
const asked = (s: EndpointsServer) => s.requests.filter((r) => r.url.startsWith('/plain-thing')).length;

describe('review: a yarn 2+ package is asked where yarn fetches it', () => {
  const cases: {
    name: string;
    /** Settings written with the registries' names; `${tree}` etc. become their URLs. */
    yarnrc?: string;
    home?: string;
    env?: Record<string, Name>;
    allowed: readonly Name[];
    want: { askedOf?: Name; rules: string[] };
  }[] = [
    {
      name: 'an allowed repository .yarnrc.yml, .npmrc elsewhere → the .yarnrc.yml registry',
      yarnrc: 'npmRegistryServer: "${tree}"\n',
      allowed: ['npmrc', 'tree'],
      // The change adds the .yarnrc.yml registry: reviewed as a repoint (CPU025), a warning as the policy allows it.
      want: { askedOf: 'tree', rules: ['CPU025'] },
    },
    {
      name: 'YARN_NPM_REGISTRY_SERVER over the repository .yarnrc.yml',
      yarnrc: 'npmRegistryServer: "${tree}"\n',
      env: { YARN_NPM_REGISTRY_SERVER: 'user' },
      allowed: ['tree'],
      want: { askedOf: 'user', rules: ['CPU025'] },
    },
    {
      name: "the user's ~/.yarnrc.yml when the tree sets none",
      home: 'npmRegistryServer: "${user}"\n',
      allowed: [],
      want: { askedOf: 'user', rules: [] },
    },
    {
      name: 'a repository .yarnrc.yml registry the policy does not allow → CPD154, nobody asked',
      yarnrc: 'npmRegistryServer: "${tree}"\n',
      allowed: ['npmrc'],
      want: { rules: ['CPD150', 'CPD154', 'CPU025'] },
    },
  ];

  const withUrls = (text: string) => text.replace(/\$\{(npmrc|tree|user)\}/g, (_, n: Name) => url(n));
  it.each(cases)('$name', async ({ yarnrc, home, env, allowed, want }) => {
    for (const s of servers.values()) s.requests.length = 0;
    const npmrc = `registry=${url('npmrc')}\n`;
    const head: Record<string, string> = {
      'yarn.lock': LOCK_AFTER,
      '.npmrc': npmrc,
      ...(yarnrc !== undefined ? { '.yarnrc.yml': withUrls(yarnrc) } : {}),
    };
    const repo = makeRepo({ 'yarn.lock': LOCK_BEFORE, '.npmrc': npmrc }, head);
    cleanups.push(repo.cleanup);
    const homeDir = mkdtempSync(path.join(tmpdir(), 'chainproof-review-home-'));
    if (home !== undefined) writeFileSync(path.join(homeDir, '.yarnrc.yml'), withUrls(home));
    const policy = {
      ...DEFAULT_POLICY,
      dependencies: { ...DEFAULT_POLICY.dependencies, allowedRegistries: allowed.map(url) },
    };
    const envUrls = Object.fromEntries(Object.entries(env ?? {}).map(([k, n]) => [k, url(n)]));
    const r = await reviewHead(repo.dir, {
      policy,
      options: testOptions({ offline: false, env: { HOME: homeDir, ...envUrls } }),
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(r.findings.map((f) => f.ruleId).sort()).toEqual(want.rules);
    const counts = Object.fromEntries([...servers].map(([n, s]) => [n, asked(s)]));
    expect(counts).toEqual({ npmrc: 0, tree: 0, user: 0, ...(want.askedOf ? { [want.askedOf]: 1 } : {}) });
    if (want.rules.includes('CPD154')) {
      const f = r.findings.find((x) => x.ruleId === 'CPD154');
      expect(f?.evidence).toMatchObject({ cause: 'registry-not-allowed', count: 1, packages: 'plain-thing@3.0.0' });
      expect(f?.location).toMatchObject({ path: 'yarn.lock' });
    }
  });
});
