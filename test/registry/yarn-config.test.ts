import { describe, expect, it } from 'vitest';
import type { RepoYarnrc } from '../../src/deps/checks/yarnrc.js';
import { effectiveYarnrcs } from '../../src/deps/yarnrc-files.js';
import { parseYarnrc } from '../../src/deps/yarnrc.js';
import { resolveBerry } from '../../src/registry/yarn-config.js';
import { readYarnUserConfig } from '../../src/registry/yarn-user.js';

/** Repository files, nearest first, as the registry stage gets them (settings in effect only). */
function tree(...files: { path: string; text: string; env?: Record<string, string> }[]): RepoYarnrc[] {
  return effectiveYarnrcs(files.map((f) => ({ kind: 'ok', path: f.path, config: parseYarnrc(f.text, f.env ?? {}) })));
}

const ALLOWED = ['https://allowed.example/', 'https://registry.yarnpkg.com/'];

describe('resolveBerry: npmRegistryServer as yarn ranks it (--registry, env, tree nearest first, home, default)', () => {
  const cases = [
    {
      name: 'nothing set: registry.yarnpkg.com, asked as its alias registry.npmjs.org',
      files: [],
      env: {},
      home: undefined,
      want: 'https://registry.npmjs.org/',
    },
    {
      name: 'the nearest repository file',
      files: [
        { path: 'app/.yarnrc.yml', text: 'npmRegistryServer: https://allowed.example/near\n' },
        { path: '.yarnrc.yml', text: 'npmRegistryServer: https://allowed.example/far\n' },
      ],
      env: {},
      home: 'npmRegistryServer: https://home.example/\n',
      want: 'https://allowed.example/near/',
    },
    {
      name: 'home when the tree sets none',
      files: [{ path: '.yarnrc.yml', text: 'enableScripts: false\n' }],
      env: {},
      home: 'npmRegistryServer: https://home.example/\n',
      want: 'https://home.example/',
    },
    {
      name: 'the environment over the tree',
      files: [{ path: '.yarnrc.yml', text: 'npmRegistryServer: https://allowed.example/\n' }],
      env: { YARN_NPM_REGISTRY_SERVER: 'https://env.example/' },
      home: undefined,
      want: 'https://env.example/',
    },
    {
      name: '--registry over everything',
      files: [{ path: '.yarnrc.yml', text: 'npmRegistryServer: https://allowed.example/\n' }],
      env: { YARN_NPM_REGISTRY_SERVER: 'https://env.example/' },
      home: undefined,
      override: 'https://flag.example/',
      want: 'https://flag.example/',
    },
  ];
  it.each(cases)('$name → $want', ({ files, env, home, override, want }) => {
    const r = resolveBerry(
      [{ lockfile: 'yarn.lock', yarnrcs: tree(...files) }],
      readYarnUserConfig(env, home),
      ALLOWED,
      override,
    );
    expect(r.projects.get('yarn.lock')?.defaultRegistry).toBe(want);
    expect(r.projects.get('yarn.lock')?.refused.size).toBe(0);
  });

  it('a refused registry.yarnpkg.com stays refused as written (not asked as its npmjs alias)', () => {
    const files = tree({ path: '.yarnrc.yml', text: 'npmRegistryServer: https://registry.yarnpkg.com\n' });
    const r = resolveBerry(
      [{ lockfile: 'yarn.lock', yarnrcs: files }],
      readYarnUserConfig({}, undefined),
      [],
      undefined,
    );
    const p = r.projects.get('yarn.lock')!;
    expect(p.defaultRegistry).toBe('https://registry.yarnpkg.com/');
    expect([...p.refused.keys()]).toEqual(['https://registry.yarnpkg.com/']);
  });

  it.each([
    {
      name: 'a ${VAR} that builds an allowed registry exactly counts',
      text: 'npmRegistryServer: "${REG:-https://allowed.example/}"\n',
      want: 'https://allowed.example/',
      refused: [],
    },
    {
      name: 'a ${VAR} under an allowed registry is refused, known by its name, never its value',
      text: 'npmRegistryServer: "https://allowed.example/${CI_SECRET}/"\n',
      want: 'https://allowed.example/$%7BCI_SECRET%7D/',
      refused: ['https://allowed.example/$%7BCI_SECRET%7D/'],
    },
  ])('$name', ({ text, want, refused }) => {
    const files = tree({ path: '.yarnrc.yml', text, env: { CI_SECRET: 'sekrit-value' } });
    const r = resolveBerry(
      [{ lockfile: 'yarn.lock', yarnrcs: files }],
      readYarnUserConfig({}, undefined),
      ALLOWED,
      undefined,
    );
    const p = r.projects.get('yarn.lock')!;
    expect(p.defaultRegistry).toBe(want);
    expect([...p.refused.keys()]).toEqual(refused);
    expect(JSON.stringify([...p.refused])).not.toContain('sekrit-value');
  });

  it('a tree registry the policy does not allow is refused with where it is set; one the user names is not', () => {
    const files = tree({
      path: 'a/.yarnrc.yml',
      text: 'npmRegistryServer: https://evil.example/\nnpmScopes:\n  x:\n    npmRegistryServer: https://mine.example/\n',
    });
    const user = readYarnUserConfig({}, 'npmScopes:\n  other:\n    npmRegistryServer: https://mine.example/\n');
    const r = resolveBerry([{ lockfile: 'a/yarn.lock', yarnrcs: files }], user, ALLOWED, undefined).projects.get(
      'a/yarn.lock',
    )!;
    expect(r.defaultRegistry).toBe('https://evil.example/');
    expect([...r.refused]).toEqual([['https://evil.example/', 'a/.yarnrc.yml:1 (npmRegistryServer)']]);
    expect(r.scopes['@x']).toBe('https://mine.example/');
  });

  it('a repository npmScopes entry hides the home entry whole (map entries merge by key), registry and token', () => {
    const files = tree({ path: '.yarnrc.yml', text: 'npmScopes:\n  corp:\n    npmAlwaysAuth: true\n' });
    const user = readYarnUserConfig(
      {},
      'npmScopes:\n  corp:\n    npmRegistryServer: https://corp.example/\n    npmAuthToken: t-corp\n',
    );
    const r = resolveBerry([{ lockfile: 'yarn.lock', yarnrcs: files }], user, ALLOWED, undefined);
    expect(r.projects.get('yarn.lock')?.scopes).toEqual({});
    expect(r.auth).toEqual({});
    const bare = resolveBerry([{ lockfile: 'yarn.lock', yarnrcs: [] }], user, ALLOWED, undefined);
    expect(bare.projects.get('yarn.lock')?.scopes).toEqual({ '@corp': 'https://corp.example/' });
    expect(bare.auth).toEqual({ '//corp.example/': { token: 't-corp' } });
  });
});

describe('resolveBerry: credentials bound to one registry each (getAuthConfiguration order)', () => {
  const cases = [
    {
      name: 'env token, no user registry: the project default in effect (the tree’s, allowed)',
      files: [{ path: '.yarnrc.yml', text: 'npmRegistryServer: https://allowed.example/npm/\n' }],
      env: { YARN_NPM_AUTH_TOKEN: 't' },
      home: undefined,
      want: { '//allowed.example/npm/': { token: 't' } },
    },
    {
      name: 'a home token beside a home registry stays with it, whatever the tree says',
      files: [{ path: '.yarnrc.yml', text: 'npmRegistryServer: https://allowed.example/\n' }],
      env: {},
      home: 'npmRegistryServer: https://home.example/\nnpmAuthToken: t\n',
      want: { '//home.example/': { token: 't' } },
    },
    {
      name: 'never toward a refused registry',
      files: [{ path: '.yarnrc.yml', text: 'npmRegistryServer: https://evil.example/\n' }],
      env: { YARN_NPM_AUTH_TOKEN: 't' },
      home: undefined,
      want: {},
    },
    {
      name: 'npmAuthIdent with a colon is base64-encoded for Basic; npmRegistries by URL',
      files: [],
      env: {},
      home: 'npmAuthIdent: "u:p"\nnpmRegistries:\n  "https://r.example/x":\n    npmAuthIdent: dTpw\n',
      want: { '//registry.npmjs.org/': { basic: 'dTpw' }, '//r.example/x/': { basic: 'dTpw' } },
    },
    {
      name: 'a scope token wins over the top level for the same registry',
      files: [],
      env: { YARN_NPM_AUTH_TOKEN: 'top' },
      home: 'npmScopes:\n  s:\n    npmAuthToken: scoped\n',
      want: { '//registry.npmjs.org/': { token: 'scoped' } },
    },
  ];
  it.each(cases)('$name', ({ files, env, home, want }) => {
    const r = resolveBerry(
      [{ lockfile: 'yarn.lock', yarnrcs: tree(...files) }],
      readYarnUserConfig(env, home),
      ALLOWED,
      undefined,
    );
    expect(r.auth).toEqual(want);
  });
});
